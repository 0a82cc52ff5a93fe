"""The client's IP address, for login throttling (django-axes) and the audit trail.

gunicorn sees the address of whatever connected to it. Directly exposed, that is the client, and an
`X-Forwarded-For` header is whatever the client chose to send — trusting it would let an attacker
rotate a fake address on every attempt and never hit a per-IP limit. Behind reverse proxies, each
proxy appends the address it received the connection from, so the client is the entry
`DJANGO_TRUSTED_PROXY_HOPS` places from the right: anything further left was written by the client
and is ignored.
"""

from ipaddress import ip_address

from django.conf import settings


def _valid(candidate: str) -> str | None:
    candidate = candidate.strip()
    try:
        return str(ip_address(candidate))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "")
    hops = getattr(settings, "TRUSTED_PROXY_HOPS", 0)
    if hops <= 0:
        return remote
    chain = [part for part in (request.META.get("HTTP_X_FORWARDED_FOR", "") or "").split(",") if part.strip()]
    if len(chain) < hops:
        # The request did not pass through every proxy we expect: the connection itself is the truth.
        return remote
    return _valid(chain[-hops]) or remote
