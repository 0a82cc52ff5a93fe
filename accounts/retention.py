"""Retention of login-throttling rows (issue 10, point 5; stated in docs/security.md and the README).

django-axes (accounts.throttling) keeps its counts in PostgreSQL: `AccessAttempt` (failures per
username and IP), `AccessFailureLog` (one row per failed login) and `AccessLog` (successful logins).
Nothing in axes deletes them, so the daily beat task does."""

import datetime as dt

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.utils import timezone

# A failure older than the 15-minute cool-off no longer counts towards a lockout; a month of them is
# kept for investigating an attack, then they go (they hold usernames and IP addresses: personal data).
LOGIN_FAILURE_RETENTION = dt.timedelta(days=30)
# Successful logins (who logged in from where, and when they logged out): the same month.
LOGIN_LOG_RETENTION = dt.timedelta(days=30)


def login_failures_purge(
    *, older_than: dt.timedelta = LOGIN_FAILURE_RETENTION, logs_older_than: dt.timedelta = LOGIN_LOG_RETENTION
) -> int:
    """Delete throttling and login-log rows past their retention; returns how many."""
    now = timezone.now()
    deleted = 0
    for model, cutoff in (
        (AccessAttempt, now - older_than),
        (AccessFailureLog, now - older_than),
        (AccessLog, now - logs_older_than),
    ):
        count, _ = model.objects.filter(attempt_time__lt=cutoff).delete()
        deleted += count
    return deleted
