"""Login throttling on every login form (/login/ and /admin/login/ alike), by django-axes.

Two limits, both over the last `AXES_COOLOFF_TIME`:
- failures for one username from one IP (`AXES_FAILURE_LIMIT`): guessing one account's password is
  stopped, but an attacker elsewhere cannot lock a known user out of their own office's address;
- failures from one IP across all usernames (`LOGIN_IP_FAILURE_LIMIT`, higher so that a shared office
  NAT is not locked by a few typos): spraying many usernames from one address is stopped.

Axes applies one limit to every lockout parameter, so the second limit lives in this handler: the
pair's count decides, unless the address as a whole is over its own limit.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def normalise_username(request, credentials) -> str | None:
    """Axes's key for the username: the e-mail, case-folded, so `Alice@` and `alice@` count together."""
    raw = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if raw is None and request is not None:
        raw = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return raw.strip().lower() if raw else raw


class UsernameAndIpHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        ip = request.axes_ip_address
        pair = recent.filter(username=get_client_username(request, credentials), ip_address=ip)
        pair_failures = pair.aggregate(total=Sum("failures_since_start"))["total"] or 0
        ip_failures = recent.filter(ip_address=ip).aggregate(total=Sum("failures_since_start"))["total"] or 0
        if ip_failures >= settings.LOGIN_IP_FAILURE_LIMIT:
            return max(pair_failures, settings.AXES_FAILURE_LIMIT)
        return pair_failures
