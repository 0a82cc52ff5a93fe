from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from accounts.choices import Scope
from outstaff.pagecache import CachedBodyListMixin, PageBody
from outstaff.preview_views import PreviewedServiceFormView, add_service_errors
from outstaff.views import ActorRequiredMixin, FilteredListView

from . import selectors, services
from .choices import WorkerStatus
from .filters import CheckInFilterSet, WorkerFilterSet
from .forms import CheckInChoiceForm, GateOverrideForm, WorkerDatesForm, WorkerOffboardForm
from .models import CheckIn, Worker
from .story import worker_story

# The team list below the navigation, and what it includes: cached as HTML when unfiltered.
LIST_BODY = PageBody(
    "workers.list_body", "workers/_list_body.html", "includes/pagination.html", "includes/csv_link.html"
)
_LIST_SORTS = ("name", "country", "status", "start")


class WorkerListView(CachedBodyListMixin, FilteredListView):
    """A client admin's or viewer's unfiltered list (one known sort and a page number at most): the
    part below the navigation is HTML cached under the client's data version, which every committed
    write to its workers, to the organization and to its workers' providers' profiles (the legal
    names shown) bumps; the key also holds the query string, the role, today (tenures), the time
    zone and a digest of the body's templates (outstaff.pagecache). Anything else is computed as
    before."""

    template_name = "workers/worker_list.html"
    filterset_class = WorkerFilterSet
    selector = selectors.worker_list
    context_object_name = "workers"
    sort_options = {
        "name": ("last_name", "first_name"),
        "country": ("country",),
        "status": ("status",),
        "start": ("start_date",),
    }
    csv_filename = "workers"
    csv_columns = [
        ("Name", "full_name"),
        ("Work email", "work_email"),
        ("External id", "external_id"),
        ("Role", "role_title"),
        ("Country", "country"),
        ("Status", lambda w: w.get_status_display()),
        ("Start date", "start_date"),
        ("Tenure (days)", "tenure_days"),
        ("In the first 90 days", lambda w: "yes" if w.in_first_90_days else "no"),
        ("Exit date", "exit_date"),
        ("Client", "client.name"),
        ("Provider", "provider.legal_name"),
    ]

    page_body = LIST_BODY
    body_sorts = frozenset({"", "-", *_LIST_SORTS, *(f"-{sort}" for sort in _LIST_SORTS)})

    def body_cacheable(self, query) -> bool:
        return self.actor.sees_whole_client and self.actor.user is not None and super().body_cacheable(query)


class WorkerDetailView(ActorRequiredMixin, TemplateView):
    """The story of one placement (issue 11, point 2): the state on top, one timeline, and the actions
    that fit the worker now. An action opens in the action panel on demand (`?action=`; htmx swaps in
    just the panel), one at a time; its form posts back here."""

    template_name = "workers/worker_detail.html"
    write_family = Scope.WORKERS
    forms = {"check-in": CheckInChoiceForm, "override": GateOverrideForm, "offboard": WorkerOffboardForm}

    def get_worker(self) -> Worker:
        try:
            return selectors.worker_get(actor=self.actor, worker_id=self.kwargs["worker_id"])
        except (Worker.DoesNotExist, ValidationError) as error:
            raise Http404("No such worker.") from error

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        worker = kwargs.get("worker") or self.get_worker()
        today = timezone.localdate()
        story = worker_story(actor=self.actor, worker=worker, today=today)
        offered = {action.key: action for action in story.actions if action.key}
        action = kwargs.get("action") or self.request.GET.get("action", "")
        form = kwargs.get("form")
        if action in offered and form is None:
            form = self._form(action, story=story, initial=True)
        context.update(
            worker=worker,
            story=story,
            action=offered.get(action),
            action_form=form,
            can_write=self.actor.can_write(Scope.WORKERS),
            **story.context,
            **selectors.worker_placement_summary(worker=worker),
        )
        return context

    def _form(self, action: str, *, story, initial: bool = False):
        form_class = self.forms[action]
        data = None if initial else self.request.POST
        kwargs = {}
        if action == "check-in":
            kwargs["check_ins"] = story.context.get("open_check_ins", [])
            if initial:
                kwargs["initial"] = {"done_on": timezone.localdate()}
        return form_class(data, **kwargs)

    def post(self, request, *args, **kwargs):
        worker = self.get_worker()
        action = request.POST.get("action", "")
        story = worker_story(actor=self.actor, worker=worker, today=timezone.localdate())
        if action not in {a.key for a in story.actions}:
            messages.error(request, "That action is not open for this worker any more.")
            return redirect("workers:detail", worker_id=worker.id)
        form = self._form(action, story=story)
        if form.is_valid():
            try:
                message = getattr(self, "_" + action.replace("-", "_"))(worker, dict(form.cleaned_data))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, message)
                return redirect("workers:detail", worker_id=worker.id)
        context = self.get_context_data(worker=worker, action=action, form=form)
        return self.render_to_response(context, status=400)

    def _check_in(self, worker: Worker, data: dict) -> str:
        try:
            check_in = selectors.check_in_list(actor=self.actor).get(worker=worker, id=data.pop("check_in"))
        except (CheckIn.DoesNotExist, ValidationError) as error:
            raise ValidationError({"check_in": "Choose one of the open check-ins."}) from error
        services.check_in_record(actor=self.actor, instance=check_in, **data)
        return f"{check_in.get_kind_display()} check-in recorded."

    def _override(self, worker: Worker, data: dict) -> str:
        try:
            services.worker_gate_override(actor=self.actor, worker=worker, reason=data["reason"])
        except PermissionDenied as error:
            raise ValidationError(str(error)) from error
        return (
            f"{worker.full_name} may now be activated and assigned without a passed screening; "
            "the override is recorded."
        )

    def _offboard(self, worker: Worker, data: dict) -> str:
        data.pop("confirm")
        worker = services.worker_offboard(actor=self.actor, worker=worker, **data)
        if worker.status == WorkerStatus.OFFBOARDED:
            return f"{worker.full_name} was offboarded."
        day = worker.exit_date.isoformat()
        return f"{worker.full_name}'s exit is scheduled for {day}; they are offboarded that day."


class CheckInListView(FilteredListView):
    """Check-ins across the actor's workers: what is overdue, what is coming up."""

    template_name = "workers/check_in_list.html"
    filterset_class = CheckInFilterSet
    selector = selectors.check_in_list
    context_object_name = "check_ins"
    sort_options = {"worker": ("worker__last_name", "worker__first_name"), "due": ("due_on",), "done": ("done_on",)}
    csv_filename = "check-ins"
    csv_columns = [
        ("Worker", "worker.full_name"),
        ("Worker external id", "worker.external_id"),
        ("Milestone", lambda c: c.get_kind_display()),
        ("Due", "due_on"),
        ("Done", "done_on"),
        ("Engagement", "engagement"),
        ("Role clarity", "role_clarity"),
        ("Manager relationship", "manager_relationship"),
        ("Notes", "notes"),
    ]


class WorkerDatesEditView(ActorRequiredMixin, PreviewedServiceFormView):
    """Change a worker's start date. Warn before saving: the new dates are previewed by the risk
    rules first (check-ins falling due, the first-90-days signals, caps counted from the start), and
    a change that raises flags saves only when confirmed."""

    template_name = "workers/worker_dates.html"
    form_class = WorkerDatesForm
    write_family = Scope.WORKERS
    success_message = "Dates saved."

    def get_worker(self) -> Worker:
        if not hasattr(self, "_worker"):
            try:
                self._worker = selectors.worker_get(actor=self.actor, worker_id=self.kwargs["worker_id"])
            except (Worker.DoesNotExist, ValidationError) as error:
                raise Http404("No such worker.") from error
        return self._worker

    def get(self, request, *args, **kwargs):
        self._refuse_if_offboarded()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._refuse_if_offboarded()
        return super().post(request, *args, **kwargs)

    def _refuse_if_offboarded(self) -> None:
        if self.get_worker().status == WorkerStatus.OFFBOARDED:
            raise PermissionDenied("This worker is offboarded: their dates are history and no longer change.")
        if not self.actor.can_write(Scope.WORKERS):
            raise PermissionDenied("Your role cannot change workers.")

    def get_initial(self):
        return {"start_date": self.get_worker().start_date}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "worker": self.get_worker()}

    def call_service(self, data):
        return services.worker_update(actor=self.actor, instance=self.get_worker(), **data)

    def success_url_for(self, worker):
        return reverse("workers:detail", args=[worker.id])
