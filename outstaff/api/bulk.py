"""`POST /api/v1/<resources>/bulk/`: the one bulk upsert action every synced resource shares."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from outstaff.bulk import BULK_LIMIT

from .errors import PROBLEM_CONTENT_TYPE, flatten_errors, problem


class BulkRequestSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=False,
        max_length=BULK_LIMIT,
        help_text="Up to 1,000 items, each the resource's writable fields plus `external_id` (the key) and "
        "optionally the `etag` last read (a stale one fails that item with `precondition_failed`).",
    )


class BulkItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the item in the request.")
    key = serializers.CharField(help_text="How the item named its row (its external_id).")
    action = serializers.ChoiceField(
        choices=["create", "update", "unchanged", "error"],
        help_text="create: a row was created; update: changed; unchanged: equal to what is stored, nothing "
        "written (no new updated_at/ETag, no audit row, no event); error: see `errors` and `code`.",
    )
    id = serializers.UUIDField(allow_null=True)
    changes = serializers.DictField(help_text="Changed fields: [old, new].")
    errors = serializers.DictField(help_text="Per-field messages of an item in error.")
    code = serializers.ChoiceField(
        choices=["invalid", "precondition_failed"],
        allow_null=True,
        required=False,
        help_text="Why an item failed: invalid or precondition_failed.",
    )


class BulkResponseSerializer(serializers.Serializer):
    applied = serializers.BooleanField(
        help_text="False only with ?atomic=true and an item in error: then nothing was written."
    )
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = serializers.IntegerField()
    results = BulkItemResultSerializer(many=True)


ATOMIC_PARAMETER = OpenApiParameter(
    "atomic",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    description="true: apply all items or none (any item in error → 400 problem JSON whose `errors` lists each "
    "item's field errors, with `results` as usual; nothing written). "
    "Default false: good items apply, bad ones are reported.",
)


def bulk_response(results: list[dict], applied: bool) -> Response:
    counts = {"create": 0, "update": 0, "unchanged": 0, "error": 0}
    for result in results:
        counts[result["action"]] += 1
    body = {
        "applied": applied,
        "created": counts["create"],
        "updated": counts["update"],
        "unchanged": counts["unchanged"],
        "errors": counts["error"],
        "results": results,
    }
    if applied:
        return Response(body, status=status.HTTP_200_OK)
    # Problem JSON, whose `errors` is the list of field errors (`items[3].work_email`); the count
    # is in `detail`, and `results` still says what each item would have done.
    field_errors = [
        error
        for result in results
        if result["action"] == "error"
        for error in flatten_errors(result["errors"], f"items[{result['index']}]")
    ]
    body = {
        **{key: value for key, value in body.items() if key != "errors"},
        **problem(
            400,
            f"{counts['error']} of {len(results)} items are in error, so nothing was applied (atomic=true).",
            errors=field_errors,
            slug="bulk-not-applied",
        ),
    }
    return Response(body, status=status.HTTP_400_BAD_REQUEST, content_type=PROBLEM_CONTENT_TYPE)


class BulkUpsertMixin:
    """Adds `POST …/bulk/` calling `bulk_service(*, actor, items, atomic) -> (results, applied)`."""

    bulk_service = None

    @extend_schema(request=BulkRequestSerializer, responses=BulkResponseSerializer, parameters=[ATOMIC_PARAMETER])
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        """Upsert up to 1,000 rows by `external_id`, one result per item (create / update /
        unchanged / error). Each item goes through the same rules as a single create or update.
        With an `Idempotency-Key` a retry of the same request gets the first answer replayed (the
        base viewset does that for every POST)."""
        return self._bulk(request)

    def _bulk(self, request):
        serializer = BulkRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        atomic = str(request.query_params.get("atomic", "")).lower() in ("1", "true", "yes")
        results, applied = type(self).bulk_service(
            actor=self.actor, items=serializer.validated_data["items"], atomic=atomic
        )
        return bulk_response(results, applied)
