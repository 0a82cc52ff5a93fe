"""Warn before saving, for API resources whose changes the risk engine judges (assignments,
contracts, workers — DESIGN §6, §8). A create or update answers with the resource plus
`risk_preview`: the flags the change opens, reopens or escalates, with their evidence.
`?preview=true` runs the same write and the same rules, answers the same way, and rolls everything
back (nothing is saved, no event, no rescan); the answer is 200 with `Risk-Preview: not saved`."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status

from outstaff import previews

PREVIEW_PARAMETER = OpenApiParameter(
    "preview",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    description="true: validate the change and return the risk flags it would open (`risk_preview`) without "
    "saving anything.",
)


class RiskPreviewMixin:
    @property
    def preview_only(self) -> bool:
        return previews.wants_preview(self.request.query_params.get("preview"))

    @extend_schema(parameters=[PREVIEW_PARAMETER])
    def create(self, request, *args, **kwargs):
        if self.preview_only:
            if not self.implements("create"):
                raise exceptions.MethodNotAllowed(request.method)
            return self._create(request)  # a preview stores no Idempotency-Key response
        return super().create(request, *args, **kwargs)

    def _create(self, request):
        return self._with_preview(lambda: super(RiskPreviewMixin, self)._create(request))

    @extend_schema(parameters=[PREVIEW_PARAMETER])
    def update(self, request, *args, **kwargs):
        return self._with_preview(lambda: super(RiskPreviewMixin, self).update(request, *args, **kwargs))

    @extend_schema(parameters=[PREVIEW_PARAMETER])
    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def _with_preview(self, write):
        preview_only = self.preview_only
        response, preview = previews.run(write, commit=not preview_only)
        response.data = {**response.data, "risk_preview": preview}
        if preview_only:
            response.status_code = status.HTTP_200_OK
            response["Risk-Preview"] = "not saved"
            if "ETag" in response:
                del response["ETag"]  # the previewed version does not exist
        return response
