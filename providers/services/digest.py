"""The providers' compliance digest e-mail."""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.actors import Actor

from ..choices import ComplianceStatus
from ..models import ComplianceItem, Provider
from ..selectors import compliance_items_expiring, provider_admin_emails


def compliance_digest_send(*, provider_id, today: dt.date | None = None) -> bool:
    """E-mail a provider's admins and compliance officers the items expiring within 30 days and
    the items that expired. Returns whether a message was sent (nothing to say → no e-mail)."""
    today = today or timezone.localdate()
    provider = Provider.objects.select_related("organization").get(pk=provider_id)
    actor = Actor(organization=provider.organization)
    expiring = list(compliance_items_expiring(actor=actor, today=today).select_related("worker"))
    expired = list(
        ComplianceItem.objects.filter(provider_id=provider_id, status=ComplianceStatus.EXPIRED)
        .select_related("worker")
        .order_by("expires_on", "id")[:200]
    )
    recipients = provider_admin_emails(provider_id=provider_id)
    if not recipients or not (expiring or expired):
        return False
    context = {
        "provider": provider,
        "expiring": expiring,
        "expired": expired,
        "today": today,
        "compliance_url": settings.SITE_URL + reverse("providers:compliance"),
    }
    send_mail(
        subject=f"Compliance digest: {len(expiring)} expiring, {len(expired)} expired",
        message=render_to_string("providers/email/compliance_digest.txt", context),
        from_email=None,
        recipient_list=recipients,
    )
    return True
