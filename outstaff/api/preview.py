"""Warn before saving, for API resources whose changes the risk engine judges (assignments,
contracts, workers — DESIGN §6, §8). A create or update answers with the resource plus
`risk_preview`: the flags the change opens, reopens or escalates, with their evidence.
`?preview=true` runs the same write and the same rules, answers the same way, and rolls everything
back (nothing is saved, no event, no rescan); the answer is 200 with `Risk-Preview: not saved`.

`POST …/bulk/` does the same for a whole call: each item's result carries the `risk_preview` of its
worker, the body the whole call's, and `?preview=true` says what each item would do (create /
update / unchanged / error) and which flags it would open, writing nothing.

The schema documents it on every resource that mixes this in: the `preview` parameter, and the
response as the resource's serializer plus `risk_preview` (`<Resource>WithRiskPreview`)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status

from outstaff import previews

from .bulk import ATOMIC_PARAMETER, BulkItemResultSerializer, BulkRequestSerializer, BulkResponseSerializer

PREVIEW_PARAMETER = OpenApiParameter(
    "preview",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    description="true: validate the change and return the risk flags it would open (`risk_preview`) without "
    "saving anything (the answer carries `Risk-Preview: not saved`; a create answers 200, not 201). "
    "Default false: the change is saved and `risk_preview` says what it opened.",
)
PREVIEW_HEADER = "Risk-Preview"
# The risk flags' severities as the risks app defines them (risks.choices.Severity; this package sits
# below it): the same values and labels, so the schema shows one SeverityEnum for flags and previews.
SEVERITIES = (("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical"))


class RiskEvidenceSerializer(serializers.Serializer):
    summary = serializers.CharField(help_text="What the rule found, in plain words.")
    facts = serializers.DictField(help_text="The stable facts that fired the rule (they feed the evidence hash).")
    observed = serializers.DictField(help_text="Numbers that move day by day (days until a cap, days overdue).")
    sources = serializers.ListField(
        child=serializers.CharField(),
        help_text="The legal or research sources; an unverified jurisdiction fact ends in ` [unverified]`.",
    )
    jurisdiction = serializers.DictField(
        required=False, help_text="The jurisdiction pack a misclassification rule judged by (code, version)."
    )


class RiskPreviewItemSerializer(serializers.Serializer):
    change = serializers.ChoiceField(
        choices=["opens", "reopens", "escalates"],
        help_text="opens: a new flag; reopens: a dismissed flag whose evidence changed; escalates: an open flag's "
        "severity rises. Flags that would stay as they are are not listed.",
    )
    rule_code = serializers.CharField(help_text="The rule's stable code (as on /api/v1/risk-flags/).")
    category = serializers.CharField(help_text="misclassification or attrition.")
    severity = serializers.ChoiceField(choices=SEVERITIES)
    worker = serializers.UUIDField(
        help_text="The worker the flag would be on (the change's, or another record of the same person)."
    )
    worker_name = serializers.CharField()
    assignment = serializers.UUIDField(allow_null=True, help_text="The assignment the flag is about, if any.")
    summary = serializers.CharField()
    evidence = RiskEvidenceSerializer()


RISK_PREVIEW_HELP = (
    "The risk flags this change opens, reopens or escalates, with their evidence, by the same rules as the "
    "nightly scan (empty: it raises none). With ?preview=true: the flags it would open; nothing was saved."
)


def with_risk_preview(serializer_class: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The resource's serializer plus `risk_preview`, as a create or update answers."""
    meta = getattr(serializer_class, "Meta", None)
    attrs = {
        "__module__": serializer_class.__module__,
        "__doc__": serializer_class.__doc__,
        "risk_preview": RiskPreviewItemSerializer(many=True, read_only=True, help_text=RISK_PREVIEW_HELP),
    }
    if meta is not None:
        fields = getattr(meta, "fields", None)
        extra = {"fields": (*fields, "risk_preview")} if isinstance(fields, list | tuple) else {}
        attrs["Meta"] = type("Meta", (meta,), extra)
    name = serializer_class.__name__.removesuffix("Serializer") + "WithRiskPreviewSerializer"
    return type(name, (serializer_class,), attrs)


class BulkItemPreviewResultSerializer(BulkItemResultSerializer):
    risk_preview = RiskPreviewItemSerializer(
        many=True,
        help_text="The flags this item's worker would get from the call (empty for an item in error).",
    )


class BulkPreviewResponseSerializer(BulkResponseSerializer):
    preview = serializers.BooleanField(
        help_text="true with ?preview=true: nothing was written; `applied` and each result's `action` say what "
        "the call would do."
    )
    results = BulkItemPreviewResultSerializer(many=True)
    risk_preview = RiskPreviewItemSerializer(
        many=True,
        help_text="Every flag the call opens, reopens or escalates (also on other records of the same people).",
    )


class RiskPreviewMixin:
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        serializer = getattr(cls, "serializer_class", None)
        if serializer is None:
            return
        answer = with_risk_preview(serializer)
        preview_answer = OpenApiResponse(answer, description="?preview=true: what the change would do; nothing saved.")
        overrides = {
            "create": extend_schema(parameters=[PREVIEW_PARAMETER], responses={201: answer, 200: preview_answer}),
            "update": extend_schema(parameters=[PREVIEW_PARAMETER], responses={200: answer}),
            "partial_update": extend_schema(parameters=[PREVIEW_PARAMETER], responses={200: answer}),
        }
        if hasattr(cls, "bulk"):
            if cls._bulk is not RiskPreviewMixin._bulk:
                raise TypeError(f"{cls.__name__}: list RiskPreviewMixin before BulkUpsertMixin, so bulk previews too")
            overrides["bulk"] = extend_schema(
                request=BulkRequestSerializer,
                responses=BulkPreviewResponseSerializer,
                parameters=[ATOMIC_PARAMETER, PREVIEW_PARAMETER],
            )
        extend_schema_view(**overrides)(cls)

    @property
    def preview_only(self) -> bool:
        return previews.wants_preview(self.request.query_params.get("preview"))

    def create(self, request, *args, **kwargs):
        if self.preview_only:
            if not self.implements("create"):
                raise exceptions.MethodNotAllowed(request.method)
            return self._create(request)  # a preview stores no Idempotency-Key response
        return super().create(request, *args, **kwargs)

    def _create(self, request):
        return self._with_preview(lambda: super(RiskPreviewMixin, self)._create(request))

    def update(self, request, *args, **kwargs):
        return self._with_preview(lambda: super(RiskPreviewMixin, self).update(request, *args, **kwargs))

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def _with_preview(self, write):
        preview_only = self.preview_only
        response, preview = previews.run(write, commit=not preview_only)
        response.data = {**response.data, "risk_preview": preview}
        if preview_only:
            response.status_code = status.HTTP_200_OK
            self._mark_not_saved(response)
        return response

    @staticmethod
    def _mark_not_saved(response):
        response[PREVIEW_HEADER] = "not saved"
        if "ETag" in response:
            del response["ETag"]  # the previewed version does not exist

    def _bulk(self, request):
        """The bulk upsert with each item's risk preview; with ?preview=true rolled back."""
        preview_only = self.preview_only
        model = self.get_queryset().model
        worker_of = "worker_id" if any(f.name == "worker" for f in model._meta.concrete_fields) else "pk"

        def write():
            response = super(RiskPreviewMixin, self)._bulk(request)
            ids = [result["id"] for result in response.data.get("results", []) if result.get("id")]
            # Which worker each written row belongs to: one query, inside the (maybe rolled back) change.
            owners = {
                str(pk): str(worker) for pk, worker in model.objects.filter(pk__in=ids).values_list("pk", worker_of)
            }
            return response, owners

        (response, owners), preview = previews.run(write, commit=not preview_only)
        by_worker: dict[str, list] = {}
        for item in preview:
            by_worker.setdefault(item["worker"], []).append(item)
        results = [
            {
                **result,
                "risk_preview": by_worker.get(owners.get(result.get("id") or ""), []) if result.get("id") else [],
            }
            for result in response.data.get("results", [])
        ]
        response.data = {**response.data, "preview": preview_only, "results": results, "risk_preview": preview}
        if preview_only:
            self._mark_not_saved(response)
        return response
