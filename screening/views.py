"""Screening pages for hiring managers: the board by stage, the screening detail with its forms, the
role templates. Providers get one page: the outcomes of the workers they will employ."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import TemplateView

from accounts.choices import Scope
from outstaff.views import ActorRequiredMixin, FilteredListView
from providers.selectors import provider_list

from . import forms, selectors, services
from .cefr import cefr_at_least
from .choices import ScreeningStage, ScreeningStatus
from .filters import ScreeningFilterSet, ScreeningTemplateFilterSet
from .models import Screening, ScreeningTemplate
from .validity import METHOD_VALIDITY, SOURCES, mix_validity

BOARD_LIMIT = 200


def _apply_errors(form, error) -> None:
    """Put a service's ValidationError / PermissionDenied on the form that caused it."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or "Your role cannot do this.")
        return
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages_:
                # Messages that name their subject themselves (a language score names its skill) stay as they are.
                bare = target or field in ("__all__", "skill_scores")
                form.add_error(target, message if bare else f"{field.replace('_', ' ').capitalize()}: {message}")
    else:
        for message in error.messages:
            form.add_error(None, message)


def _decider(screening) -> str:
    user = screening.decided_by
    return (user.get_full_name() or user.email) if user else ""


class ScreeningBoardView(FilteredListView):
    """GET: the board (clients) or the outcome list (providers). POST: start screening a new candidate.
    The decided list sorts by its headers; `?format=csv` exports every filtered screening."""

    write_family = Scope.SCREENING
    filterset_class = ScreeningFilterSet
    selector = selectors.screening_list
    context_object_name = "decided"
    csv_filename = "screenings"
    sort_options = {
        "candidate": ("candidate__last_name", "candidate__first_name"),
        "role": ("template__role_title",),
        "outcome": ("status",),
        "decided": ("decided_at",),
    }

    @property
    def csv_columns(self):
        columns = [
            ("Candidate", lambda s: str(s.candidate)),
            ("Email", "candidate.email"),
            ("Role", "template.role_title"),
            ("Stage", lambda s: s.get_stage_display()),
            ("Status", lambda s: s.get_status_display()),
            ("Decided on", lambda s: s.decided_at.date().isoformat() if s.decided_at else ""),
        ]
        if self.actor.is_provider:
            return [*columns, ("Client", "client.name")]
        # The composite follows the blind rule: only where this user may see the ratings.
        return [
            *columns,
            ("Composite", lambda s: s.composite_score if s.ratings_visible and s.composite_score is not None else ""),
            ("Decided by", _decider),
            ("Passed by override", lambda s: "yes" if s.override_reason else ""),
        ]

    def get_template_names(self):
        return ["screening/outcomes.html" if self.actor.is_provider else "screening/board.html"]

    def _start_form(self, data=None):
        return forms.ScreeningStartForm(
            data,
            templates=selectors.screening_template_list(actor=self.actor).filter(is_active=True),
            providers=provider_list(actor=self.actor),
        )

    def paginated_queryset(self, queryset):
        # Clients see screenings in progress on the board, by stage; the pages list the decided ones.
        return queryset if self.actor.is_provider else queryset.exclude(status=ScreeningStatus.IN_PROGRESS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.actor.is_provider:
            context["outcomes"] = context["decided"]
            return context
        filterset = context["filterset"]
        # Not in the chosen sort: the board orders by stage, newest first (a sort could reveal ratings
        # still hidden from this user).
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else self.get_queryset()
        in_progress = list(queryset.filter(status=ScreeningStatus.IN_PROGRESS)[:BOARD_LIMIT])
        columns = [
            {"stage": value, "label": label, "screenings": [s for s in in_progress if s.stage == value]}
            for value, label in ScreeningStage.choices
        ]
        context.update(
            columns=columns,
            start_form=kwargs.get("start_form") or self._start_form(),
            can_write=self.actor.can_write(Scope.SCREENING),
            templates=selectors.screening_template_list(actor=self.actor),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not self.actor.is_client:
            raise PermissionDenied("Screening is run by the client.")
        form = self._start_form(request.POST)
        if form.is_valid():
            try:
                screening = services.screening_start(actor=self.actor, **form.cleaned_data)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"Screening started for {screening.candidate}.")
                return redirect("screening:detail", screening_id=screening.id)
        return self.render_to_response(self.get_context_data(start_form=form), status=400)


class ScreeningDetailMixin(ActorRequiredMixin):
    template_name = "screening/detail.html"

    def get_screening(self) -> Screening:
        if not self.actor.is_client:
            raise Http404("No such screening.")
        try:
            return selectors.screening_get(actor=self.actor, screening_id=self.kwargs["screening_id"])
        except Screening.DoesNotExist as error:
            raise Http404("No such screening.") from error

    def detail_context(self, screening: Screening, **bound) -> dict:
        actor = self.actor
        template = screening.template
        scorecards = list(selectors.scorecard_list(actor=actor).filter(screening=screening))
        mine = [c for c in scorecards if actor.user and c.interviewer_id == actor.user.id]
        my_draft = next((c for c in mine if c.submitted_at is None), None)
        ratings_visible = selectors.viewer_may_see_ratings(actor=actor, screening=screening)
        composite = selectors.screening_composite(screening=screening) if ratings_visible else None
        worker = screening.candidate.worker
        providers = provider_list(actor=actor)
        levels = selectors.language_levels(screening=screening)
        requirements = [
            (skill, minimum, levels.get(skill, ""), cefr_at_least(levels.get(skill, ""), minimum))
            for skill, minimum in (template.min_cefr or {}).items()
        ]
        return {
            "screening": screening,
            "template": template,
            "candidate": screening.candidate,
            "worker": worker,
            "can_write": actor.can_write(Scope.SCREENING),
            "is_client_admin": actor.is_client_admin,
            "in_progress": screening.status == ScreeningStatus.IN_PROGRESS,
            "scorecards": scorecards,
            "my_scorecards": mine,
            "has_submitted": any(c.submitted_at for c in mine),
            "reviewing_only": any(c.declined for c in mine),
            "review_only_form": bound.get("review_only_form") or forms.ReviewOnlyForm(),
            "ratings_visible": ratings_visible,
            "composite": composite,
            "validity": mix_validity(selectors.template_weights(template)),
            "pass_failures": selectors.screening_pass_failures(screening=screening, composite=composite)
            if composite
            else None,
            "assessments": list(screening.assessments.order_by("kind", "-created_at")),
            "language_requirements": requirements,
            "checklist": selectors.checklist_items(screening=screening),
            "sources": SOURCES,
            "stage_form": bound.get("stage_form")
            or forms.StageForm(initial={"stage": screening.stage}, choices=ScreeningStage.choices),
            "scorecard_form": bound.get("scorecard_form")
            or forms.ScorecardForm(
                kit=template.interview_kit,
                initial_ratings=my_draft.ratings if my_draft else None,
                initial={"recommendation": my_draft.recommendation, "notes": my_draft.notes} if my_draft else None,
            ),
            "my_draft": my_draft,
            "assessment_form": bound.get("assessment_form") or forms.AssessmentForm(),
            "decision_form": bound.get("decision_form") or forms.DecisionForm(),
            "hire_form": bound.get("hire_form")
            or forms.HireForm(
                providers=providers,
                initial={"provider": screening.provider_id, "work_email": screening.candidate.email},
            ),
            "activate_form": bound.get("activate_form") or forms.ActivateForm(),
            "checklist_error": bound.get("checklist_error"),
        }


class ScreeningDetailView(ScreeningDetailMixin, TemplateView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.detail_context(self.get_screening()))
        return context


class ScreeningActionView(ScreeningDetailMixin, TemplateView):
    """POST a form; on success redirect back to the detail, on error show the detail with the
    form's errors (status 400, or 403 when the role may not)."""

    write_family = Scope.SCREENING
    http_method_names = ["post"]
    form_name = ""
    success_message = ""

    def build_form(self, screening, data):
        raise NotImplementedError

    def perform(self, screening, form):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        screening = self.get_screening()
        form = self.build_form(screening, request.POST)
        status = 400
        if form.is_valid():
            try:
                self.perform(screening, form)
            except (ValidationError, PermissionDenied) as error:
                status = 403 if isinstance(error, PermissionDenied) else 400
                _apply_errors(form, error)
            else:
                messages.success(request, self.success_message)
                return redirect("screening:detail", screening_id=screening.id)
        screening = self.get_screening()
        context = self.get_context_data(**kwargs)
        context.update(self.detail_context(screening, **{self.form_name: form}))
        return self.render_to_response(context, status=status)


class StageView(ScreeningActionView):
    form_name = "stage_form"
    success_message = "Stage updated."

    def build_form(self, screening, data):
        return forms.StageForm(data, choices=ScreeningStage.choices)

    def perform(self, screening, form):
        services.screening_update(actor=self.actor, instance=screening, stage=form.cleaned_data["stage"])


class ScorecardView(ScreeningActionView):
    form_name = "scorecard_form"

    def build_form(self, screening, data):
        return forms.ScorecardForm(data, kit=screening.template.interview_kit)

    def perform(self, screening, form):
        submit = self.request.POST.get("action") != "draft"
        self.success_message = "Scorecard submitted." if submit else "Draft saved — only you can see it."
        services.scorecard_save(
            actor=self.actor,
            screening=screening,
            ratings=form.ratings(),
            recommendation=form.cleaned_data["recommendation"],
            notes=form.cleaned_data["notes"],
            submit=submit,
        )


class ReviewOnlyView(ScreeningActionView):
    """A decision maker who does not interview records that, and then sees the ratings."""

    form_name = "review_only_form"
    success_message = "You are reviewing without interviewing: the ratings are now visible to you."

    def build_form(self, screening, data):
        return forms.ReviewOnlyForm(data)

    def perform(self, screening, form):
        services.scorecard_decline(actor=self.actor, screening=screening, notes=form.cleaned_data["notes"])


class AssessmentView(ScreeningActionView):
    form_name = "assessment_form"
    success_message = "Assessment result recorded."

    def build_form(self, screening, data):
        return forms.AssessmentForm(data)

    def perform(self, screening, form):
        services.assessment_record(actor=self.actor, screening=screening, **form.service_kwargs())


class ChecklistView(ScreeningActionView):
    form_name = "checklist_form"
    success_message = "Checklist updated."

    def build_form(self, screening, data):
        return forms.ChecklistItemForm(data)

    def perform(self, screening, form):
        services.checklist_item_set(actor=self.actor, screening=screening, **form.cleaned_data)

    def detail_context(self, screening, **bound):
        form = bound.pop("checklist_form", None)
        context = super().detail_context(screening, **bound)
        if form is not None:
            context["checklist_error"] = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return context


class DecisionView(ScreeningActionView):
    form_name = "decision_form"

    def build_form(self, screening, data):
        return forms.DecisionForm(data)

    def perform(self, screening, form):
        decided = services.screening_decide(actor=self.actor, screening=screening, **form.cleaned_data)
        self.success_message = f"{decided.candidate}: {decided.get_status_display().lower()}."


class HireView(ScreeningActionView):
    form_name = "hire_form"

    def build_form(self, screening, data):
        return forms.HireForm(data, providers=provider_list(actor=self.actor))

    def perform(self, screening, form):
        worker = services.screening_hire(actor=self.actor, screening=screening, **form.cleaned_data)
        self.success_message = f"{worker.full_name} is hired and onboarding with {worker.provider.legal_name}."


class ActivateView(ScreeningActionView):
    """Activate the hired worker. The onboarding gate is enforced by workers.services.worker_activate."""

    form_name = "activate_form"
    success_message = "The worker is active."

    def build_form(self, screening, data):
        return forms.ActivateForm(data)

    def perform(self, screening, form):
        services.screening_worker_activate(
            actor=self.actor, screening=screening, override_reason=form.cleaned_data["override_reason"]
        )


def _method_labels(template) -> list[tuple[str, float]]:
    """Each method by its name ("Structured interview"), not its code, with its weight."""
    return [
        (METHOD_VALIDITY[row["method"]].label if row["method"] in METHOD_VALIDITY else row["method"], row["weight"])
        for row in template.methods
    ]


class TemplateListView(FilteredListView):
    """GET: the client's role templates. POST (client admins): install the standard templates."""

    template_name = "screening/template_list.html"
    write_family = Scope.SCREENING
    filterset_class = ScreeningTemplateFilterSet
    context_object_name = "templates"
    sort_options = {
        "name": ("name",),
        "role": ("role_title",),
        "pass": ("pass_threshold",),
        "active": ("is_active",),
        "updated": ("updated_at",),
    }
    csv_filename = "role-templates"
    csv_columns = [
        ("Template", "name"),
        ("Role", "role_title"),
        ("Methods", lambda t: ", ".join(f"{label} ×{weight}" for label, weight in _method_labels(t))),
        ("Pass mark", "pass_threshold"),
        ("Minimum CEFR", lambda t: ", ".join(f"{skill} {level}" for skill, level in (t.min_cefr or {}).items())),
        ("Expected validity", lambda t: mix_validity(selectors.template_weights(t)).value),
        ("Active", lambda t: "yes" if t.is_active else "no"),
    ]

    def get_queryset(self):
        return selectors.screening_template_list(actor=self.actor).order_by("name", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = [
            (t, mix_validity(selectors.template_weights(t)), _method_labels(t)) for t in context["templates"]
        ]
        context["sources"] = SOURCES
        context["can_install"] = self.actor.is_client_admin
        return context

    def post(self, request, *args, **kwargs):
        if not self.actor.is_client_admin:
            raise PermissionDenied("Only a client admin installs role templates.")
        installed = services.screening_templates_install_defaults(client=self.actor.organization)
        messages.success(request, "Standard templates ready: " + ", ".join(t.name for t in installed) + ".")
        return redirect("screening:templates")


class TemplateDetailView(ActorRequiredMixin, TemplateView):
    template_name = "screening/template_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            template = selectors.screening_template_list(actor=self.actor).get(id=kwargs["template_id"])
        except ScreeningTemplate.DoesNotExist as error:
            raise Http404("No such template.") from error
        weights = selectors.template_weights(template)
        context.update(
            template=template,
            methods=[(METHOD_VALIDITY[code], weight) for code, weight in weights.items() if code in METHOD_VALIDITY],
            validity=mix_validity(weights),
            sources=SOURCES,
        )
        return context
