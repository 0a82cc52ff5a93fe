from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View

from accounts.choices import Scope
from outstaff.preview_views import ServiceFormView, WarnBeforeSavingMixin
from outstaff.views import ActorRequiredMixin, FilteredListView

from . import selectors, services
from .filters import AssignmentFilterSet, TeamFilterSet
from .forms import AssignmentEndForm, AssignmentForm, TeamForm
from .models import Assignment, Team


def _team_or_404(actor, team_id) -> Team:
    try:
        return selectors.team_get(actor=actor, team_id=team_id)
    except Team.DoesNotExist as error:
        raise Http404("No such team.") from error


def _assignment_or_404(actor, assignment_id) -> Assignment:
    try:
        return selectors.assignment_get(actor=actor, assignment_id=assignment_id)
    except Assignment.DoesNotExist as error:
        raise Http404("No such assignment.") from error


class TeamListView(FilteredListView):
    template_name = "assignments/team_list.html"
    filterset_class = TeamFilterSet
    selector = selectors.team_list
    context_object_name = "teams"
    sort_options = {"name": ("name",), "active": ("active_assignments_count",)}
    csv_filename = "teams"
    csv_columns = [
        ("Team", "name"),
        ("Managers", lambda t: ", ".join(str(m) for m in t.managers.all())),
        ("Active assignments", "active_assignments_count"),
        ("External id", "external_id"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage_teams"] = self.actor.sees_whole_client and self.actor.can_write(Scope.ASSIGNMENTS)
        return context


class TeamDetailView(FilteredListView):
    """A team and its assignments: who works on it, directed by whom, for how many hours."""

    template_name = "assignments/team_detail.html"
    filterset_class = AssignmentFilterSet
    context_object_name = "assignments"
    csv_filename = "assignments"
    csv_columns = [
        ("Worker", "worker.full_name"),
        ("Worker external id", "worker.external_id"),
        ("Role", "role"),
        ("Team", "team.name"),
        ("Directing manager", lambda a: (a.manager.get_full_name() or a.manager.email) if a.manager else ""),
        ("Starts", "starts_on"),
        ("Ends", "ends_on"),
        ("Hours per week", "weekly_hours"),
        ("Directed by", lambda a: a.get_directed_by_display()),
        ("Schedule set by the client", lambda a: "yes" if a.schedule_set_by_client else "no"),
        ("Equipment provided by the client", lambda a: "yes" if a.equipment_provided_by_client else "no"),
        ("Status", lambda a: a.get_status_display()),
        ("Worker tenure (days)", "worker.tenure_days"),
        ("Worker in the first 90 days", lambda a: "yes" if a.worker.in_first_90_days else "no"),
        ("External id", "external_id"),
    ]
    sort_options = {
        "worker": ("worker__last_name", "worker__first_name"),
        "hours": ("weekly_hours",),
        "starts": ("starts_on",),
        "worker_start": ("worker__start_date",),
        "status": ("status",),
    }

    def get(self, request, *args, **kwargs):
        self.team = _team_or_404(self.actor, kwargs["team_id"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.assignment_list(actor=self.actor).filter(team_id=self.team.id)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["team"] = self.team
        context["can_edit"] = self.actor.can_write(Scope.ASSIGNMENTS)
        context["can_manage_teams"] = self.actor.sees_whole_client and context["can_edit"]
        return context


class WriteFormView(ActorRequiredMixin, ServiceFormView):
    """A page form that calls a service; the role must be allowed to write assignments."""

    write_family = Scope.ASSIGNMENTS

    teams_admin_only = False

    def _check_can_write(self) -> None:
        if not self.actor.can_write(Scope.ASSIGNMENTS) or not self.actor.is_client:
            raise PermissionDenied("Your role cannot change teams or assignments.")
        if self.teams_admin_only and not self.actor.sees_whole_client:
            raise PermissionDenied("Only a client admin can create or change teams.")

    def get(self, request, *args, **kwargs):
        self._check_can_write()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._check_can_write()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.actor}


class TeamCreateView(WriteFormView):
    template_name = "assignments/team_form.html"
    form_class = TeamForm
    teams_admin_only = True
    success_message = "Team created."

    def call_service(self, data):
        return services.team_create(actor=self.actor, **data)

    def success_url_for(self, team):
        return "assignments:detail", team.id


class TeamEditView(WriteFormView):
    template_name = "assignments/team_form.html"
    form_class = TeamForm
    teams_admin_only = True
    success_message = "Team saved."

    def get_team(self):
        if not hasattr(self, "_team"):
            self._team = _team_or_404(self.actor, self.kwargs["team_id"])
        return self._team

    def get_initial(self):
        team = self.get_team()
        return {"name": team.name, "external_id": team.external_id, "managers": list(team.managers.all())}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "team": self.get_team()}

    def call_service(self, data):
        return services.team_update(actor=self.actor, instance=self.get_team(), **data)

    def success_url_for(self, team):
        return "assignments:detail", team.id


class AssignmentCreateView(WarnBeforeSavingMixin, WriteFormView):
    template_name = "assignments/assignment_form.html"
    form_class = AssignmentForm
    success_message = "Assignment created."

    def get_team(self):
        if not hasattr(self, "_team"):
            self._team = _team_or_404(self.actor, self.kwargs["team_id"])
        return self._team

    def get_initial(self):
        return {"team": self.get_team(), "starts_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "team": self.get_team()}

    def call_service(self, data):
        return services.assignment_create(actor=self.actor, **data)

    def success_url_for(self, assignment):
        return "assignments:detail", assignment.team_id


class AssignmentForWorkerCreateView(AssignmentCreateView):
    """Assign from the worker page (`?worker=<id>`): the worker is chosen, the team is picked here,
    and saving goes back to the worker's story."""

    def get_team(self):
        return None

    def get_worker_id(self):
        return self.request.GET.get("worker") or self.request.POST.get("worker") or ""

    def get_initial(self):
        return {"worker": self.get_worker_id(), "starts_on": timezone.localdate()}

    def success_url_for(self, assignment):
        return "workers:detail", assignment.worker_id


class AssignmentEditView(WarnBeforeSavingMixin, WriteFormView):
    template_name = "assignments/assignment_form.html"
    form_class = AssignmentForm
    success_message = "Assignment saved."

    def get_assignment(self):
        if not hasattr(self, "_assignment"):
            self._assignment = _assignment_or_404(self.actor, self.kwargs["assignment_id"])
        return self._assignment

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "editing": True}

    def get_initial(self):
        a = self.get_assignment()
        fields = [f for f in AssignmentForm.base_fields if f != "worker"]
        return {field: getattr(a, field) for field in fields}

    def get_context_data(self, **kwargs):
        assignment = self.get_assignment()
        return {**super().get_context_data(**kwargs), "assignment": assignment, "team": assignment.team}

    def call_service(self, data):
        return services.assignment_update(actor=self.actor, instance=self.get_assignment(), **data)

    def success_url_for(self, assignment):
        return "assignments:detail", assignment.team_id


class AssignmentEndView(WarnBeforeSavingMixin, WriteFormView):
    template_name = "assignments/assignment_end.html"
    form_class = AssignmentEndForm
    success_message = "Assignment ended."

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("actor")
        return kwargs

    def get_assignment(self):
        if not hasattr(self, "_assignment"):
            self._assignment = _assignment_or_404(self.actor, self.kwargs["assignment_id"])
        return self._assignment

    def get_initial(self):
        return {"ends_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        assignment = self.get_assignment()
        return {**super().get_context_data(**kwargs), "assignment": assignment, "team": assignment.team}

    def call_service(self, data):
        return services.assignment_end(actor=self.actor, assignment=self.get_assignment(), ends_on=data["ends_on"])

    def success_url_for(self, assignment):
        # Ended from the worker page (`?next=worker`): back to the worker's story.
        if self.request.GET.get("next") == "worker":
            return "workers:detail", assignment.worker_id
        return "assignments:detail", assignment.team_id


class AssignmentCancelView(ActorRequiredMixin, View):
    """POST only: cancel an assignment that will not happen (it stops blocking the worker's dates)."""

    write_family = Scope.ASSIGNMENTS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        assignment = _assignment_or_404(self.actor, kwargs["assignment_id"])
        try:
            services.assignment_cancel(actor=self.actor, assignment=assignment)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Assignment cancelled.")
        return redirect("assignments:detail", assignment.team_id)
