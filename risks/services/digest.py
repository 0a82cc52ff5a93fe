"""The daily digest (DESIGN §6 notifications): each hiring manager and provider admin gets one
e-mail listing the flags they may see that opened or escalated in the last day. Set-based: a fixed
number of queries whatever the number of recipients."""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Membership
from assignments.models import Assignment
from risks.choices import FlagStatus
from risks.models import RiskFlag
from risks.selectors import CLIENT_ONLY_RULES, SEVERITY_ORDER

DIGEST_ROLES = (Role.HIRING_MANAGER, Role.PROVIDER_ADMIN)


def _managed(memberships) -> dict:
    """(user id, client id) → (worker ids, assignment ids) a hiring manager directs or whose team
    they manage. A flag about an assignment on someone else's team is not theirs (as on the pages)."""
    managers = [m for m in memberships if m.role == Role.HIRING_MANAGER]
    if not managers:
        return {}
    user_ids = {m.user_id for m in managers}
    client_ids = {m.organization_id for m in managers}
    managed: dict = defaultdict(lambda: (set(), set()))
    rows = (
        Assignment.objects.filter(client_id__in=client_ids)
        .filter(Q(manager_id__in=user_ids) | Q(team__managers__in=user_ids))
        .values_list("id", "worker_id", "worker__client_id", "manager_id", "team__managers")
        .distinct()
    )
    for assignment_id, worker_id, client_id, manager_id, team_manager_id in rows:
        for user_id in {manager_id, team_manager_id} & user_ids:
            workers, assignments = managed[(user_id, client_id)]
            workers.add(worker_id)
            assignments.add(assignment_id)
    return managed


def risk_digest_send(*, since: dt.datetime | None = None, now: dt.datetime | None = None) -> dict:
    """Send the digests; returns how many recipients got one and how many flags were reported."""
    now = now or timezone.now()
    since = since or now - dt.timedelta(days=1)
    flags = list(
        RiskFlag.objects.filter(status__in=(FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED))
        .filter(Q(first_seen_at__gte=since) | Q(escalated_at__gte=since))
        .select_related("worker", "client")
        .order_by("first_seen_at", "id")
    )
    if not flags:
        return {"recipients": 0, "flags": 0}
    memberships = list(
        Membership.objects.filter(role__in=DIGEST_ROLES, user__is_active=True, organization__is_active=True)
        .exclude(user__email="")
        .select_related("user", "organization")
    )
    managed = _managed(memberships)
    by_provider, by_client = defaultdict(list), defaultdict(list)
    for flag in flags:
        by_provider[flag.worker.provider_id].append(flag)
        by_client[flag.worker.client_id].append(flag)

    messages, reported = [], set()
    base_url = getattr(settings, "SITE_URL", "").rstrip("/")
    for membership in memberships:
        if membership.role == Role.PROVIDER_ADMIN:
            mine = [f for f in by_provider.get(membership.organization_id, []) if f.rule_code not in CLIENT_ONLY_RULES]
        else:
            workers, assignments = managed.get((membership.user_id, membership.organization_id), (set(), set()))
            mine = [
                f
                for f in by_client.get(membership.organization_id, [])
                if f.worker_id in workers and (f.assignment_id is None or f.assignment_id in assignments)
            ]
        if not mine:
            continue
        new = [f for f in mine if f.first_seen_at >= since]
        escalated = [f for f in mine if f.first_seen_at < since]
        groups = [(s.label, [f for f in new if f.severity == s]) for s in SEVERITY_ORDER]
        body = render_to_string(
            "risks/email/digest.txt",
            {
                "membership": membership,
                "groups": [(label, items) for label, items in groups if items],
                "escalated": escalated,
                "risk_url": f"{base_url}/risks/",
            },
        )
        subject = f"Outstaff risk digest · {membership.organization.name}: {len(new)} new, {len(escalated)} escalated"
        messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [membership.user.email]))
        reported.update(f.pk for f in mine)
    if messages:
        get_connection().send_messages(messages)
    return {"recipients": len(messages), "flags": len(reported)}
