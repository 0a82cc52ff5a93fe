"""Retention of login-throttling rows (issue 10, point 5; stated in docs/security.md and the README)."""

import datetime as dt

from django.utils import timezone

from .models import LoginFailure

# Failed logins older than the throttling window no longer count; a month of them is kept for
# investigating an attack, then they go (they hold usernames and IP addresses: personal data).
LOGIN_FAILURE_RETENTION = dt.timedelta(days=30)


def login_failures_purge(*, older_than: dt.timedelta = LOGIN_FAILURE_RETENTION) -> int:
    """Delete failed-login rows older than `older_than`; returns how many."""
    deleted, _ = LoginFailure.objects.filter(attempted_at__lt=timezone.now() - older_than).delete()
    return deleted
