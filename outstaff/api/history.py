"""`GET /api/v1/<resource>/{id}/history/` for every audited resource, in one place: a viewset that
mixes this in answers with the object's pghistory versions, newest first, scoped exactly like the
resource (the object is fetched through the viewset's selector, so another tenant's object is 404)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from outstaff.audit import audited_fields, history_rows, predecessors

MAX_PAGE = 200


class HistoryActorSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["user", "api_key", "system"])
    id = serializers.CharField(allow_null=True)
    name = serializers.CharField()


class HistoryRequestSerializer(serializers.Serializer):
    method = serializers.CharField(help_text="HTTP method of the request that made the change, if any.")
    url = serializers.CharField()
    request_id = serializers.CharField(help_text="The caller's X-Request-ID, or the one the server assigned.")
    ip = serializers.CharField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Ever-increasing; pass as `before` to page back.")
    at = serializers.DateTimeField()
    event = serializers.ChoiceField(choices=["created", "updated", "deleted"])
    resource = serializers.CharField()
    object_id = serializers.CharField()
    changes = serializers.DictField(
        child=inline_serializer("HistoryChange", {"old": serializers.JSONField(), "new": serializers.JSONField()}),
        help_text="Each changed field before and after (all set fields for `created`).",
    )
    actor = HistoryActorSerializer()
    channel = serializers.ChoiceField(
        choices=["page", "api", "admin", "csv", "scim", "system"],
        allow_blank=True,
        help_text="Where the change came from (blank: a change recorded without one).",
    )
    request = HistoryRequestSerializer()


BIGINT_MAX = 2**63 - 1


def _whole_number(request, name: str) -> int | None:
    """A query parameter that must be a whole number from 1 to PostgreSQL's bigint, if given."""
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= BIGINT_MAX:
        raise exceptions.ValidationError({name: f"Give a whole number from 1 to {BIGINT_MAX}."})
    return int(value)


# One component for every history endpoint (an inline serializer made per endpoint would be a second
# class of the same name: a schema warning, and CI fails on warnings).
HISTORY_PAGE = inline_serializer(
    "HistoryPage",
    {"next": serializers.CharField(allow_null=True), "results": HistoryEntrySerializer(many=True)},
)


def history_schema(summary: str):
    """The OpenAPI description of a history endpoint (`before`, `page_size`, a page of versions)."""
    return extend_schema(
        summary=summary,
        parameters=[
            OpenApiParameter(
                "before",
                {"type": "integer", "minimum": 1, "maximum": BIGINT_MAX},
                description="Only versions older than this history `id`.",
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": BIGINT_MAX, "default": 50},
                description=f"Versions per page (default 50, at most {MAX_PAGE}; more is capped).",
            ),
        ],
        responses=HISTORY_PAGE,
    )


def history_response(request, events, *, fields: list[str], resource: str, several_objects: bool = False):
    """A page of `events` (versions of one object, or with `several_objects` of several, e.g. a
    screening's checklist items), newest first, showing only `fields`, with the link to the next."""
    size, before = (_whole_number(request, name) for name in ("page_size", "before"))
    size = min(size or 50, MAX_PAGE)
    if before is not None:
        events = events.filter(pgh_id__lt=before)
    event_model = events.model
    # One extra version: the sign of a next page (and, for one object, the predecessor of the page's
    # oldest row); several objects' predecessors are read for the page in two queries.
    page = list(events.select_related("pgh_context").order_by("-pgh_id")[: size + 1])
    previous = predecessors(page[:size]) if several_objects else None
    rows = history_rows(page, previous=previous, resource=resource, fields_by_model={event_model: fields})[:size]
    next_url = None
    if len(page) > size:
        query = request.query_params.copy()
        query["before"] = str(rows[-1]["id"])
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return Response({"next": next_url, "results": HistoryEntrySerializer(rows, many=True).data})


class HistoryMixin:
    """Add to a ServiceViewSet whose model is tracked by pghistory. `history_resource` names the
    resource in the rows (defaults to the URL's resource segment, e.g. `payroll-runs`)."""

    history_resource: str = ""
    # An audited column shown under another name in the representation (e.g. a team's `manager_ids`,
    # the copy of its `managers`): that column is in the history where that field is shown.
    history_shown_as: dict[str, str] = {}
    # Who reads the history, if fewer than read the object (e.g. a provider profile: clients read the
    # directory entry, only the provider reads who changed its settings): a selector(*, actor).
    history_selector = None

    def get_queryset(self):
        selector = type(self).history_selector
        if getattr(self, "action", None) == "history" and selector is not None:
            return selector(actor=self.actor)
        return super().get_queryset()

    def history_hidden_fields(self, instance) -> set[str]:
        """Fields whose values this caller may not see in this object's versions although the
        representation has them (a blind rule: scores not yet shown to this interviewer)."""
        return set()

    @history_schema("Audit history of this object")
    @action(detail=True, methods=["get"], url_path="history", filter_backends=[], pagination_class=None)
    def history(self, request, *args, **kwargs):
        instance = self.get_object()
        event_model = type(instance).pgh_event_model
        # Only the fields this caller's representation of the object shows (a provider never sees a
        # screening's scores in its history either), less what a blind rule hides from it.
        shown = set(self.get_serializer(instance).data)
        hidden = self.history_hidden_fields(instance)
        fields = [
            field
            for field in audited_fields(event_model)
            if (field in shown or field.removesuffix("_id") in shown or self.history_shown_as.get(field) in shown)
            and field not in hidden
            and field.removesuffix("_id") not in hidden
        ]
        resource = self.history_resource or request.path.rstrip("/").split("/")[-3]
        events = event_model.objects.filter(pgh_obj_id=instance.pk)
        return history_response(request, events, fields=fields, resource=resource)
