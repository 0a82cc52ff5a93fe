"""The webhook HTTP transport (issue 10, point 3): a URL's host is resolved once, every address it
resolves to is checked, and the POST connects to a checked address — never to whatever a second DNS
lookup returns (DNS rebinding). TLS still verifies the certificate against the host *name*, which is
also sent as SNI and in the Host header, so pinning the address changes nothing for the receiver.

With WEBHOOK_BLOCK_PRIVATE_ADDRESSES (production), loopback, private, link-local, shared, reserved,
multicast and unspecified addresses are refused — also when written literally, IPv4-mapped
(`[::ffff:127.0.0.1]`) or embedded in 6to4/Teredo addresses — at registration and at delivery."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedTarget(Exception):
    """The URL's host must not be contacted; the message says why, for the endpoint's owner."""


def blocking_private_addresses() -> bool:
    return bool(getattr(settings, "WEBHOOK_BLOCK_PRIVATE_ADDRESSES", False))


def _embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    found = [address.ipv4_mapped, address.sixtofour, address.teredo[1] if address.teredo else None]
    return [candidate for candidate in found if candidate is not None]


def non_public_reason(address: IPAddress) -> str:
    """Why `address` is not a public unicast address, or "" when it is."""
    for inner in _embedded_ipv4(address):
        reason = non_public_reason(inner)
        if reason:
            return f"{reason} (inside {address})"
    for attribute, label in (
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_private", "private"),
        ("is_multicast", "multicast"),
        ("is_unspecified", "unspecified"),
        ("is_reserved", "reserved"),
    ):
        if getattr(address, attribute):
            return label
    if not address.is_global:  # e.g. 100.64.0.0/10, carrier-grade NAT shared space
        return "not globally routable"
    return ""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def resolve(url: str) -> Target:
    """Resolve the URL's host once and check every address (when blocking). Raises RefusedTarget."""
    parts = urlsplit(url or "")
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise RefusedTarget("Give an http:// or https:// URL with a host name.")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as error:
        raise RefusedTarget(f"The URL's port is not valid ({error}).") from error
    host = parts.hostname
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedTarget(f"{host} could not be resolved ({error}).") from error
    addresses = tuple(dict.fromkeys(info[4][0] for info in infos))
    if blocking_private_addresses():
        for text in addresses:
            reason = non_public_reason(ipaddress.ip_address(text.split("%", 1)[0]))
            if reason:
                raise RefusedTarget(
                    f"{host} resolves to {text}, a non-public address ({reason}). Webhooks are only delivered to "
                    "public internet addresses, so an endpoint cannot reach into the network this service runs in."
                )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=addresses)


def url_problem(url: str) -> str:
    """At registration: why deliveries to `url` would be refused, or "" (only when blocking)."""
    if not blocking_private_addresses():
        return ""
    try:
        resolve(url)
    except RefusedTarget as refused:
        return str(refused)
    return ""


def _connect(address: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to exactly this address: no name lookup at all (create_connection would
    call getaddrinfo again, even if only on the literal)."""
    family = socket.AF_INET6 if ipaddress.ip_address(address.split("%", 1)[0]).version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = _connect(self._address, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address: str, timeout: float, context: ssl.SSLContext):
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address

    def connect(self):
        raw = _connect(self._address, self.port, self.timeout)
        # SNI and certificate verification use the name the owner registered, not the address.
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def post(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    read_limit: int,
    ssl_context: ssl.SSLContext | None = None,
) -> tuple[int | None, str, str]:
    """POST `body` and return (status code, response body, error). Never raises for network
    trouble, never follows a redirect (http.client does not), never resolves the host twice."""
    try:
        target = resolve(url)
    except RefusedTarget as refused:
        return None, "", f"Refused: {refused}"
    last_error = ""
    for address in target.addresses:
        if target.scheme == "https":
            connection = _PinnedHTTPSConnection(
                target.host,
                target.port,
                address=address,
                timeout=timeout,
                context=ssl_context or ssl.create_default_context(),
            )
        else:
            connection = _PinnedHTTPConnection(target.host, target.port, address=address, timeout=timeout)
        try:
            try:
                connection.connect()
            except (OSError, ssl.SSLError) as error:
                # Not reachable at this address: try the host's next checked address.
                last_error = f"{type(error).__name__}: {error}"
                continue
            connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read(read_limit).decode("utf-8", "replace"), ""
        except (OSError, ssl.SSLError, http.client.HTTPException, ValueError) as error:
            return None, "", f"{type(error).__name__}: {error}"[:read_limit]
        finally:
            connection.close()
    return None, "", last_error[:read_limit] or f"{target.host} has no address to connect to."
