from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import TemplateView

from accounts.choices import Scope
from outstaff.views import ActorRequiredMixin, FilteredListView
from providers import selectors as provider_selectors

from . import selectors, services
from .filters import CheckInFilterSet, WorkerFilterSet
from .forms import CheckInRecordForm, WorkerOffboardForm
from .models import CheckIn, Worker


def _apply_validation_error(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


class WorkerListView(FilteredListView):
    template_name = "workers/worker_list.html"
    filterset_class = WorkerFilterSet
    selector = selectors.worker_list
    context_object_name = "workers"


class WorkerDetailView(ActorRequiredMixin, TemplateView):
    """A worker's facts, check-ins and offboarding. Recording a check-in or offboarding posts here."""

    template_name = "workers/worker_detail.html"
    write_family = Scope.WORKERS

    def get_worker(self) -> Worker:
        try:
            return selectors.worker_get(actor=self.actor, worker_id=self.kwargs["worker_id"])
        except Worker.DoesNotExist as error:
            raise Http404("No such worker.") from error

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        worker = kwargs.get("worker") or self.get_worker()
        check_ins = list(selectors.check_in_list(actor=self.actor).filter(worker=worker))
        context.update(
            worker=worker,
            check_ins=check_ins,
            record_form=kwargs.get("record_form") or CheckInRecordForm(),
            record_target=kwargs.get("record_target"),
            offboard_form=kwargs.get("offboard_form") or WorkerOffboardForm(),
            can_write=self.actor.can_write(Scope.WORKERS),
            payroll_compliance=provider_selectors.worker_payroll_and_compliance(actor=self.actor, worker=worker),
            **selectors.worker_placement_summary(worker=worker),
        )
        return context

    def post(self, request, *args, **kwargs):
        worker = self.get_worker()
        if "check_in" in request.POST:
            return self._record_check_in(worker)
        return self._offboard(worker)

    def _record_check_in(self, worker: Worker):
        try:
            check_in = selectors.check_in_list(actor=self.actor).get(worker=worker, id=self.request.POST["check_in"])
        except (CheckIn.DoesNotExist, ValidationError) as error:
            raise Http404("No such check-in.") from error
        form = CheckInRecordForm(self.request.POST)
        if form.is_valid():
            try:
                services.check_in_record(actor=self.actor, instance=check_in, **form.cleaned_data)
            except ValidationError as error:
                _apply_validation_error(form, error)
            else:
                messages.success(self.request, f"{check_in.get_kind_display()} check-in recorded.")
                return redirect("workers:detail", worker_id=worker.id)
        return self.render_to_response(
            self.get_context_data(worker=worker, record_form=form, record_target=check_in.id), status=400
        )

    def _offboard(self, worker: Worker):
        form = WorkerOffboardForm(self.request.POST)
        if form.is_valid():
            try:
                services.worker_offboard(actor=self.actor, worker=worker, **form.cleaned_data)
            except ValidationError as error:
                _apply_validation_error(form, error)
            else:
                messages.success(self.request, f"{worker.full_name} was offboarded.")
                return redirect("workers:detail", worker_id=worker.id)
        return self.render_to_response(self.get_context_data(worker=worker, offboard_form=form), status=400)


class CheckInListView(FilteredListView):
    """Check-ins across the actor's workers: what is overdue, what is coming up."""

    template_name = "workers/check_in_list.html"
    filterset_class = CheckInFilterSet
    selector = selectors.check_in_list
    context_object_name = "check_ins"
