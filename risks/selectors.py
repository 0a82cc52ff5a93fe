"""Reads of risk flags (DESIGN §9): a client sees the flags filed under it (about the workers
dedicated to it and its placements; a hiring manager, those on their teams); a provider sees the
flags about the workers it employs. Both through the flag's own indexed `client_id`/`provider_id`,
which every scan keeps current."""

import functools
import hashlib

from django.db.models import Case, F, Q, QuerySet, Subquery, When
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.actors import Actor
from accounts.models import Organization
from outstaff.dataversion import cached
from outstaff.lookups import FixedQuery
from providers.models import Provider

from .choices import FlagStatus
from .models import SEVERITY_ORDER, RiskFlag, RiskScanRun  # noqa: F401 - SEVERITY_ORDER: read by views, digest
from .retention import retention_overall
from .rules import RULES

CURRENT_STATUSES = (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)


# Flags whose evidence is the client's screening (composite score, the client admin's written override):
# a provider sees a screening's outcome, never its scores or notes (issue #3 §11, DESIGN §9).
CLIENT_ONLY_RULES = ("screening_override",)


def _flag_scope(actor: Actor) -> Q:
    """The flag's owner column; for a hiring manager also the worker scope and the assignment: a
    flag about an assignment on a team they do not manage (the worker moved on from one of their
    teams) is not theirs (DESIGN §9). Providers do not see the client-only flags."""
    if actor.is_provider:
        # The flag's own indexed column: every scan keeps `provider_id` equal to the worker's employer.
        return Q(provider_id=actor.organization.id) & ~Q(rule_code__in=CLIENT_ONLY_RULES)
    if actor.sees_whole_client:
        # The client the scan filed the flag under (the placement's client, else the worker's), an
        # indexed column of the flag: counts and lists need no join with workers.
        return Q(client_id=actor.organization.id)
    scope = actor.worker_scope("worker__") & Q(client_id=actor.organization.id)
    if actor.is_client and not actor.sees_whole_client:
        scope &= Q(assignment__isnull=True) | Q(assignment_id__in=actor.directed_assignments().values("id"))
    return scope


def _last_full_scan_started_at():
    return RiskScanRun.objects.filter(scope="full").order_by("-finished_at").values("started_at")[:1]


def flag_last_seen():
    """When a scan last saw the flag's condition. A scan writes `last_seen_at` only when it opens,
    changes or resolves a flag (a rescan that changes nothing writes nothing); every full scan that
    finished since then saw an unresolved flag, or it would have resolved it. So: the later of the
    two, computed by PostgreSQL once per query (an uncorrelated subquery on the scan runs' index)."""
    return Case(
        When(
            ~Q(status=FlagStatus.RESOLVED),
            then=Greatest(F("last_seen_at"), Subquery(_last_full_scan_started_at())),
        ),
        default=F("last_seen_at"),
    )


def risk_flag_list(*, actor: Actor) -> QuerySet[RiskFlag]:
    return (
        RiskFlag.objects.filter(_flag_scope(actor))
        .select_related("worker", "client", "provider", "assignment", "status_changed_by")
        .annotate(last_seen=flag_last_seen())
        .order_by("-last_seen", "id")
    )


def risk_flag_get(*, actor: Actor, flag_id) -> RiskFlag:
    """The flag, or RiskFlag.DoesNotExist when it is not the actor's (pages then 404)."""
    return risk_flag_list(actor=actor).get(id=flag_id)


def risk_flag_board(*, actor: Actor, current_only: bool = True) -> QuerySet[RiskFlag]:
    """Flags most severe first, for the risk page; by default only current ones (open or acknowledged)."""
    queryset = risk_flag_list(actor=actor)
    if current_only:
        queryset = queryset.filter(status__in=CURRENT_STATUSES)
    # Served by the risks_board_*_idx indexes on the stored rank.
    return queryset.order_by("severity_rank", "-first_seen_at", "id")


def _tenant_scope(actor: Actor) -> tuple:
    """What a value cached under the actor's organization's data version depends on besides the
    organization's rows: whose scope it is (a hiring manager's is their teams') and their role."""
    return (actor.organization.id, actor.role, actor.user.pk if actor.user else "", actor.sees_whole_client)


def risk_flag_open_count(*, actor: Actor) -> int:
    """The live count of the actor's open flags: one COUNT query."""
    return RiskFlag.objects.filter(_flag_scope(actor), status=FlagStatus.OPEN).count()


def risk_flag_open_count_cached(*, actor: Actor) -> int:
    """The navigation's count on every page: a COUNT over the tenant's open flags (13–17k at 100k
    workers), cached under the organization's data version (outstaff/dataversion.py: any committed
    write to its flags, workers, assignments or teams, by any path, changes the version and so the
    key; a transaction that wrote reads its own count)."""
    return cached(
        "risks.open_count",
        tenant_ids=[actor.organization.id],
        scope=_tenant_scope(actor),
        compute=lambda: risk_flag_open_count(actor=actor),
    )


def risk_flag_history(*, flag: RiskFlag) -> list:
    """Every recorded version of the flag (pghistory), oldest first, with who changed it."""
    return list(
        RiskFlag.pgh_event_model.objects.filter(pgh_obj_id=flag.pk)
        .select_related("pgh_context", "status_changed_by")
        .order_by("pgh_id")
    )


def risk_scan_last_full_started_at():
    """When the last finished full scan started: it saw every unresolved flag from then on."""
    return _last_full_scan_started_at().values_list("started_at", flat=True).first()


# Read by the risk board on every request (its cached body's key holds it): compiled once, prepared.
_LAST_FULL_SCAN_FINISHED = FixedQuery(
    RiskScanRun,
    lambda: RiskScanRun.objects.filter(scope="full").order_by("-finished_at").values_list("finished_at", flat=True)[:1],
    sample=dict,
    prefix="risk_scan_finished",
)


def risk_scan_last_full_finished_at():
    """When the last full scan finished (not its counts: they cover every tenant)."""
    found = _LAST_FULL_SCAN_FINISHED()
    return found[0] if found else None


def risk_board_summary(*, actor: Actor, today=None) -> dict:
    """What the risk board shows of the whole tenant besides its page of flags, each a scan of
    thousands of the tenant's rows per request: the navigation's open-flag count (13–17k flags at
    100k workers), the parties on its current flags (the provider filter: a DISTINCT over 13k
    flags) and the retention chart (every worker who started in the last 12 months, 6k). Cached in
    one entry under the organization's data version (outstaff/dataversion.py: any committed write
    to its flags, workers, assignments or teams, by any path, changes the version and so the key),
    the actor's scope and today; a transaction that wrote computes it. The parties' names are not
    in it (risk_flag_counterparties reads them fresh: a provider's legal name bumps no client's
    version)."""
    today = today or timezone.localdate()

    def compute():
        flags = risk_flag_list(actor=actor).filter(status__in=CURRENT_STATUSES).order_by()
        party = "client_id" if actor.is_provider else "provider_id"
        return {
            "open_count": risk_flag_open_count(actor=actor),
            "party_ids": sorted(set(flags.values_list(party, flat=True))),
            "retention": retention_overall(actor=actor, months=12, today=today),
        }

    return cached(
        "risks.board_summary",
        tenant_ids=[actor.organization.id],
        scope=(*_tenant_scope(actor), today.isoformat()),
        compute=compute,
    )


def risk_flag_counterparties(*, actor: Actor, party_ids=None) -> list[tuple]:
    """(id, name) of the other party on the actor's current flags, for the page's filter: the
    clients for a provider, the providers for a client; `party_ids` as risk_board_summary has them
    (read here when not given). One query on the few parties for their names."""
    if party_ids is None:
        party_ids = risk_board_summary(actor=actor)["party_ids"]
    if actor.is_provider:
        rows = Organization.objects.filter(id__in=party_ids).values_list("id", "name")
    else:
        rows = Provider.objects.filter(organization_id__in=party_ids).values_list("organization_id", "legal_name")
    return sorted(rows, key=lambda row: row[1])


@functools.cache
def rules_wording_version() -> str:
    """The rules' titles and next steps, which cached pages quote: a deploy that rewords one is a new key."""
    wording = sorted((code, rule.title, rule.next_step) for code, rule in RULES.items())
    return hashlib.sha256(repr(wording).encode()).hexdigest()[:12]
