"""Erasure's part in the webhook outbox (docs/privacy.md): the payloads stored for a person's
organizations that mention them are pseudonymised, so an undelivered (pending or retried) event,
or a redelivery of an old one, never sends the erased name, e-mail or free text."""

from django.db.models import Q, TextField
from django.db.models.functions import Cast

from outstaff.pseudonymise import Person

from .models import WebhookEvent


def webhook_events_pseudonymise(*, organization_ids: list, person: Person) -> int:
    """Rewrite the payload of every stored event of these organizations that mentions `person`;
    returns how many events changed. One query finds them (the payload as text), one update each."""
    needles = person.needles()
    if not needles:
        return 0
    mentions = Q()
    for needle in needles:
        mentions |= Q(payload_text__icontains=needle)
    events = (
        WebhookEvent.objects.filter(organization_id__in=organization_ids)
        .annotate(payload_text=Cast("payload", TextField()))
        .filter(mentions)
        .only("id", "payload")
    )
    changed = 0
    for event in events:
        scrubbed = person.scrub(event.payload)
        if scrubbed != event.payload:
            WebhookEvent.objects.filter(pk=event.pk).update(payload=scrubbed)
            changed += 1
    return changed
