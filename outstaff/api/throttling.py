"""Per-API-key rate limits (DESIGN §8) on the shared cache (Redis in production): a sustained
rate and a burst rate per key, a generous rate per signed-in browser user (normal use of the pages'
htmx calls never comes near it). Over a limit: 429 with `Retry-After` and problem JSON. Every
throttled response carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds)
of the tightest limit. If the cache is unreachable the request is let through: a rate limit must
never turn a Redis outage into an API outage.

Rates come from settings (`API_RATE_LIMIT`, `API_BURST_RATE_LIMIT`, `API_SESSION_RATE_LIMIT`), read
per request so a deployment (or a test) changes them without re-importing anything."""

import logging

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

log = logging.getLogger(__name__)


class _SettingsRateThrottle(SimpleRateThrottle):
    setting = ""

    def __init__(self):
        # The rate is read per request (see get_rate); parsing happens in allow_request.
        pass

    def get_rate(self):
        return getattr(settings, self.setting, None)

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        if not self.rate:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            allowed = super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - any cache failure (Redis down, timeout) fails open
            log.warning("rate limit cache unavailable; letting the request through", exc_info=True)
            return True
        if getattr(self, "key", None) is not None:
            self._record(request, allowed)
        return allowed

    def _record(self, request, allowed: bool) -> None:
        remaining = self.num_requests - len(self.history) if allowed else 0
        reset = (self.history[-1] + self.duration - self.now) if self.history else self.duration
        state = (self.num_requests, remaining, reset)
        django_request = getattr(request, "_request", request)
        current = getattr(django_request, "rate_limit", None)
        # Report the limit closest to running out.
        if current is None or state[1] < current[1]:
            django_request.rate_limit = state

    def throttle_success(self):
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
        return True

    def wait(self):
        return max(super().wait() or 1, 1)


class ApiKeyRateThrottle(_SettingsRateThrottle):
    """The sustained rate of one API key."""

    scope = "api_key"
    setting = "API_RATE_LIMIT"

    def get_cache_key(self, request, view):
        api_key = getattr(request, "auth", None)
        key_id = getattr(api_key, "id", None)
        if key_id is None or not getattr(api_key, "key_hash", None):
            return None
        return self.cache_format % {"scope": self.scope, "ident": key_id}


class ApiKeyBurstRateThrottle(ApiKeyRateThrottle):
    """The short-window rate of one API key (a runaway loop is stopped within seconds)."""

    scope = "api_key_burst"
    setting = "API_BURST_RATE_LIMIT"


class SessionRateThrottle(_SettingsRateThrottle):
    """Signed-in browser users: a ceiling far above what a person clicking produces."""

    scope = "api_session"
    setting = "API_SESSION_RATE_LIMIT"

    def get_cache_key(self, request, view):
        if getattr(request, "auth", None) is not None:
            return None  # API keys have their own limits
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.pk is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}
