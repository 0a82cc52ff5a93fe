from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.views.generic import TemplateView

from outstaff.views import ActorRequiredMixin
from workers.models import Worker

from . import selectors, services


class WorkerPersonalDataView(ActorRequiredMixin, TemplateView):
    """A worker's personal data: download the export, or erase it after confirming."""

    template_name = "privacy/worker.html"

    def dispatch(self, request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if request.user.is_authenticated and actor and not selectors.privacy_allowed(actor=actor):
            raise PermissionDenied("Only client and provider admins export or erase personal data.")
        return super().dispatch(request, *args, **kwargs)

    def get_worker(self) -> Worker:
        try:
            return selectors.privacy_worker_get(actor=self.actor, worker_id=self.kwargs["worker_id"])
        except Worker.DoesNotExist as error:
            raise Http404("No such worker.") from error

    def get(self, request, *args, **kwargs):
        worker = self.get_worker()
        if request.GET.get("download"):
            response = JsonResponse(
                selectors.worker_export(actor=self.actor, worker=worker), json_dumps_params={"indent": 2}
            )
            response["Content-Disposition"] = f'attachment; filename="worker-{worker.pk}.json"'
            return response
        return self.render_to_response(self.get_context_data(worker=worker))

    def post(self, request, *args, **kwargs):
        worker = self.get_worker()
        errors = []
        if request.POST.get("confirm_name", "").strip().casefold() != worker.full_name.strip().casefold():
            errors.append(f"Type the worker's full name, {worker.full_name}, to confirm.")
        if not errors:
            try:
                services.worker_erase(actor=self.actor, worker=worker, reason=request.POST.get("reason", ""))
            except ValidationError as error:
                errors += error.messages
            else:
                messages.success(
                    request, "The worker's personal data was erased; payroll, contracts and the audit trail are kept."
                )
                return redirect("workers:list")
        context = self.get_context_data(worker=worker, errors=errors, reason=request.POST.get("reason", ""))
        return self.render_to_response(context, status=400)
