"""Signals the workers app sends so that higher apps (risks, integrations) can react without being
imported here (DESIGN §3). Receivers call services."""

from django.dispatch import Signal

# Sent after commit with `worker_id` whenever a worker or one of its check-ins changes.
worker_changed = Signal()
