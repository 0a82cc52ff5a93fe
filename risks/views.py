"""Risk pages: the risk board of the actor's organization (a client's or a provider's), a flag's
detail with its audit trail, the triage actions, the jurisdiction packs and the retention cohorts."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from accounts.choices import Scope
from jurisdictions import all_jurisdictions
from outstaff.pagecache import CachedBodyListMixin, PageBody
from outstaff.views import ActorRequiredMixin, FilteredListView

from . import retention, selectors, services
from .choices import FlagStatus
from .filters import RiskFlagFilterSet
from .models import RiskFlag
from .rules import RULES
from .rules.attrition import (
    ATTRITION_THRESHOLD,
    ATTRITION_WEIGHTS,
    LOW_COMPOSITE_SCORE,
    LOW_RATING_AT_OR_BELOW,
    ONBOARDING_GRACE_DAYS,
)
from .selectors import SEVERITY_ORDER

# action in the URL → (service, form field passed on, status the flag moves to)
TRANSITIONS = {
    "acknowledge": (services.risk_flag_acknowledge, "note", FlagStatus.ACKNOWLEDGED),
    "resolve": (services.risk_flag_resolve, "reason", FlagStatus.RESOLVED),
    "dismiss": (services.risk_flag_dismiss, "reason", FlagStatus.DISMISSED),
}


def retention_chart(cohorts, *, width=640, height=180) -> dict:
    """Geometry of the cohort bar chart, drawn as inline SVG by the template (no script, no CDN)."""
    bar_gap, top, bottom = 8, 12, 36
    slot = width / max(len(cohorts), 1)
    plot = height - top - bottom
    bars = []
    for index, cohort in enumerate(cohorts):
        percent = cohort.percent
        bar_height = plot * (percent or 0) / 100
        bars.append(
            {
                "cohort": cohort,
                "x": round(index * slot + bar_gap / 2, 1),
                "width": round(slot - bar_gap, 1),
                "y": round(top + plot - bar_height, 1),
                "height": round(bar_height, 1),
                "label_x": round(index * slot + slot / 2, 1),
                "value_y": round(top + plot - bar_height - 3, 1),
                "incomplete": cohort.starters and not cohort.complete,
            }
        )
    return {"width": width, "height": height, "bars": bars, "baseline": top + plot, "label_y": height - bottom + 16}


def _flag_rule_title(flag) -> str:
    rule = RULES.get(flag.rule_code)
    return rule.title if rule else "A retired rule"


def _flag_next_step(flag) -> str:
    rule = RULES.get(flag.rule_code)
    return rule.next_step if rule else ""


_ID_MARKER = uuid.UUID(int=0)


def with_links(flags) -> None:
    """Each flag's links (its worker, its page, its triage actions) as `flag.urls`, for the row
    templates: one reverse() per kind of link and request, the flag's id put in its place, instead
    of ~8 reverse() calls a row (400 on a board page: ~11 ms of its CPU). The same URLs as reverse()
    with the ids would give (a UUID has no characters to quote), as a test checks."""
    marker = str(_ID_MARKER)
    patterns = {
        "worker": reverse("workers:detail", args=[_ID_MARKER]),
        "detail": reverse("risks:flag-detail", args=[_ID_MARKER]),
        **{action: reverse("risks:flag-transition", args=[_ID_MARKER, action]) for action in TRANSITIONS},
    }
    for flag in flags:
        ids = {"worker": str(flag.worker_id)}
        own = str(flag.id)
        flag.urls = {key: pattern.replace(marker, ids.get(key, own)) for key, pattern in patterns.items()}


# The board below the navigation, and what it includes: cached as HTML when unfiltered.
BOARD_BODY = PageBody(
    "risks.board_body",
    "risks/_board_body.html",
    "risks/_subnav.html",
    "risks/_flag_row.html",
    "risks/_flag_actions.html",
    "risks/_retention_chart.html",
    "includes/pagination.html",
)
_BOARD_SORTS = ("worker", "status", "since")


class RiskBoardView(CachedBodyListMixin, FilteredListView):
    """The risk page of the actor's organization: current flags grouped by severity with their
    evidence in plain words, triage buttons, the jurisdiction facts used, the attrition weights,
    and the retention cohorts. Sortable within each severity, and `?format=csv` exports every
    filtered flag.

    A client admin's or viewer's board, unfiltered (one known sort and a plain page number at most),
    is HTML cached below the navigation (outstaff.pagecache) under the client's data version, which
    every committed write to what its rows show bumps: its flags, their workers, the organization,
    the providers' profiles (legal names) and the users who changed a flag's status (their names,
    risks/migrations/0011). The key also holds the role (the triage forms), the query string, the
    last full scan's time (a global table), the rules' wording, today, the time zone and the
    templates' digest; the forms' CSRF tokens are put in per request."""

    template_name = "risks/board.html"
    filterset_class = RiskFlagFilterSet
    context_object_name = "flags"
    sort_options = {
        "worker": ("worker__last_name", "worker__first_name"),
        "status": ("status",),
        "since": ("first_seen_at",),
    }
    csv_filename = "risk-flags"
    csv_columns = [
        ("Worker", "worker.full_name"),
        ("Country", "worker.country"),
        ("Client", "client.name"),
        ("Provider", "provider.legal_name"),
        ("Severity", lambda f: f.get_severity_display()),
        ("Category", lambda f: f.get_category_display()),
        ("Finding", _flag_rule_title),
        ("What it found", lambda f: f.evidence.get("summary", "")),
        ("What to do next", _flag_next_step),
        ("Status", lambda f: f.get_status_display()),
        ("First seen", lambda f: f.first_seen_at.date().isoformat()),
        ("Rule code", "rule_code"),
    ]

    page_body = BOARD_BODY
    body_context_name = "board_body"
    body_sorts = frozenset({"", *_BOARD_SORTS, *(f"-{sort}" for sort in _BOARD_SORTS)})
    body_csrf = True

    def body_cacheable(self, query) -> bool:
        return (
            self.actor.is_client
            and self.actor.sees_whole_client
            and self.actor.user is not None
            and super().body_cacheable(query)
        )

    def body_scope(self) -> tuple:
        self.last_full_scan = selectors.risk_scan_last_full_finished_at()
        scanned = self.last_full_scan.isoformat() if self.last_full_scan else ""
        return (*super().body_scope(), scanned, selectors.rules_wording_version())

    last_full_scan = _UNREAD = object()

    def get_queryset(self):
        # Current flags unless the status filter asks for others (resolved, dismissed).
        return selectors.risk_flag_board(actor=self.actor, current_only=not self.request.GET.getlist("status"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        flags = list(context["flags"])
        for flag in flags:
            flag.rule = RULES.get(flag.rule_code)
        with_links(flags)
        groups = [(s.label, s.value, [f for f in flags if f.severity == s]) for s in SEVERITY_ORDER]
        packs = all_jurisdictions()
        used = sorted({(f.evidence.get("jurisdiction") or {}).get("code") for f in flags} - {None})
        summary = selectors.risk_board_summary(actor=self.actor)
        context.update(
            groups=[g for g in groups if g[2]],
            flag_count=len(flags),
            jurisdictions_used=[packs[code] for code in used if code in packs],
            attrition_weights=[
                (RULES[code].title if code in RULES else code, weight) for code, weight in ATTRITION_WEIGHTS.items()
            ],
            attrition_rule_title=RULES["attrition_risk_high"].title,
            attrition_threshold=ATTRITION_THRESHOLD,
            attrition_cutoffs={
                "low_rating": LOW_RATING_AT_OR_BELOW,
                "onboarding_grace_days": ONBOARDING_GRACE_DAYS,
                "low_composite": LOW_COMPOSITE_SCORE,
            },
            chart=retention_chart(summary["retention"]),
            can_triage=self.actor.can_write(Scope.RISKS),
            rules=RULES,
            counterparties=selectors.risk_flag_counterparties(actor=self.actor, party_ids=summary["party_ids"]),
            risk_open_count=summary["open_count"],
            # The triage forms' return address (their default), read once instead of three times a row.
            next_url=self.request.get_full_path(),
            counterparty_param="client" if self.actor.is_provider else "provider",
            last_full_scan=(
                selectors.risk_scan_last_full_finished_at()
                if self.last_full_scan is self._UNREAD
                else self.last_full_scan
            ),
        )
        return context


class RiskFlagDetailView(ActorRequiredMixin, TemplateView):
    template_name = "risks/flag_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            flag = selectors.risk_flag_get(actor=self.actor, flag_id=kwargs["flag_id"])
        except RiskFlag.DoesNotExist as error:
            raise Http404("No such risk flag.") from error
        flag.rule = RULES.get(flag.rule_code)
        with_links([flag])
        context.update(
            flag=flag,
            history=selectors.risk_flag_history(flag=flag),
            can_triage=self.actor.can_write(Scope.RISKS),
        )
        return context


class RiskFlagTransitionView(ActorRequiredMixin, View):
    """POST /risks/flags/<id>/<acknowledge|resolve|dismiss>/ from the triage buttons."""

    write_family = Scope.RISKS
    http_method_names = ["post"]

    def post(self, request, flag_id, action):
        if action not in TRANSITIONS:
            raise Http404("No such action.")
        try:
            flag = selectors.risk_flag_get(actor=self.actor, flag_id=flag_id)
        except RiskFlag.DoesNotExist as error:
            raise Http404("No such risk flag.") from error
        service, argument, status = TRANSITIONS[action]
        target = request.POST.get("next") or reverse("risks:board")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("risks:board")
        error = ""
        try:
            service(actor=self.actor, flag=flag, **{argument: request.POST.get(argument, "")})
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
        if request.htmx:
            # Swap the row in place and refresh the navigation count out of band.
            flag = selectors.risk_flag_get(actor=self.actor, flag_id=flag_id)
            flag.rule = RULES.get(flag.rule_code)
            with_links([flag])
            context = {
                "flag": flag,
                "actor": self.actor,
                "can_triage": True,
                "next_url": target,
                "row_error": error,
                "risk_open_count": selectors.risk_flag_open_count(actor=self.actor),
                "oob": True,
            }
            return render(request, "risks/_flag_row_swap.html", context)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, f"Flag {status.label.lower()}.")
        return redirect(target)


class RiskOpenCountView(ActorRequiredMixin, View):
    """The navigation badge, polled by htmx so the count stays live without a reload."""

    def get(self, request):
        count = selectors.risk_flag_open_count_cached(actor=self.actor)
        return render(request, "risks/_open_count.html", {"risk_open_count": count})


FACT_LABELS = {
    "standard_full_time_hours": "Standard full-time week (h)",
    "full_time_threshold_hours": "Full-time for the contractor rule (h/week)",
    "staffing_licence": "Staffing licence",
    "tenure_cap": "Tenure cap",
    "contractor_control_tests": "Contractor control tests",
    "contractor_permanence_months": "Contractor permanence (months)",
    "contractor_continuity_gap_days": "Break that ends a contractor's continuity (days)",
    "outsourcing_direction": "Outsourcing directed by the client",
    "engagement_model": "Engagement model stated",
    "written_contract": "Written contract",
    "employer_registration": "Employer registration",
    "compliance_kinds": "Compliance items the provider keeps",
    "personnel_supply": "Restriction on supplying personnel",
    "deemed_employment": "Deemed employment by the client",
}


def _fact_rows(pack) -> list[dict]:
    """Every fact of a pack as the jurisdictions page shows it: value, source, verified or not."""
    rows = []
    for name, fact in pack.facts.items():
        value = fact.value
        rows.append(
            {
                "name": name,
                "label": FACT_LABELS.get(name, name),
                "details": sorted(value.items()) if isinstance(value, dict) else None,
                "items": list(value) if isinstance(value, tuple | list) else None,
                "value": None if isinstance(value, dict | tuple | list) else value,
                "fact": fact,
            }
        )
    return rows


class JurisdictionListView(ActorRequiredMixin, TemplateView):
    template_name = "risks/jurisdictions.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        packs = sorted(all_jurisdictions().values(), key=lambda p: (p.code == "DEFAULT", p.code))
        context["jurisdictions"] = [{"pack": pack, "facts": _fact_rows(pack)} for pack in packs]
        context["rules"] = list(RULES.values())
        return context


class RetentionView(ActorRequiredMixin, TemplateView):
    template_name = "risks/retention.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        group_by = self.request.GET.get("group_by", "client")
        if group_by not in retention.GROUPS:
            group_by = "client"
        report = retention.retention_cohorts(actor=self.actor, group_by=group_by, months=12)
        context.update(
            report=report,
            group_by=group_by,
            group_choices=list(retention.GROUPS),
            chart=retention_chart(report.overall),
        )
        return context
