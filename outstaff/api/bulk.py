"""Bulk upsert by `external_id`, the same shape for every resource that has one (DESIGN §8): up to
1,000 items a call, each applied or rejected on its own, one result per item."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

BULK_LIMIT = 1000


class BulkRequestSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.DictField(), allow_empty=False, max_length=BULK_LIMIT, help_text="Up to 1,000 items."
    )


class BulkItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    key = serializers.CharField()
    action = serializers.ChoiceField(choices=["create", "update", "unchanged", "error"])
    id = serializers.UUIDField(allow_null=True)
    changes = serializers.DictField()
    errors = serializers.DictField()


class BulkResponseSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = serializers.IntegerField()
    results = BulkItemResultSerializer(many=True)


def bulk_body(results: list[dict]) -> dict:
    counts = {"create": 0, "update": 0, "unchanged": 0, "error": 0}
    for result in results:
        counts[result["action"]] += 1
    return {
        "created": counts["create"],
        "updated": counts["update"],
        "unchanged": counts["unchanged"],
        "errors": counts["error"],
        "results": results,
    }


class BulkUpsertMixin:
    """`POST …/bulk/` on a ServiceViewSet: `bulk_service(*, actor, items) -> list[result]`."""

    bulk_service = None

    @extend_schema(request=BulkRequestSerializer, responses=BulkResponseSerializer)
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        """Upsert up to 1,000 items by `external_id` (or the resource's natural key). Each item is
        applied or rejected on its own; the response has one result per item."""
        serializer = BulkRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        results = type(self).bulk_service(actor=self.actor, items=serializer.validated_data["items"])
        return Response(bulk_body(results), status=status.HTTP_200_OK)
