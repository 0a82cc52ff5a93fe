"""Webhook targets (issue 10, point 3): non-public addresses are refused at registration (API and
page) under production's WEBHOOK_BLOCK_PRIVATE_ADDRESSES, and a delivery connects to the address
that was checked — one DNS lookup, never a second one an attacker could rebind — while TLS and the
Host header keep the registered name."""

import http.server
import ipaddress
import socket
import ssl
import subprocess
import threading

import pytest

from accounts.tests.factories import make_actor
from integrations import transport
from integrations.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

ENDPOINTS = "/api/v1/webhook-endpoints/"
REFUSED = [
    "https://127.0.0.1/hooks",
    "https://localhost/hooks",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::ffff:127.0.0.1]/hooks",
    "https://10.0.0.1/hooks",
    "https://192.168.1.20/hooks",
    "https://172.16.0.5/hooks",
    "https://100.64.0.1/hooks",
    "https://[::1]/hooks",
    "https://[fe80::1]/hooks",
    "https://[fd00::1]/hooks",
    "https://0.0.0.0/hooks",
    "https://[2002:7f00:1::]/hooks",  # 6to4 wrapping 127.0.0.1
    "https://224.0.0.1/hooks",
]


@pytest.fixture
def production(settings):
    settings.WEBHOOK_BLOCK_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_REQUIRE_HTTPS = True


@pytest.mark.parametrize("url", REFUSED)
def test_the_api_refuses_non_public_targets_with_a_clear_message(production, tenants, api_key_client, url):
    api = api_key_client(tenants["client_a"], ["webhooks:write"])
    response = api.post(ENDPOINTS, {"url": url}, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["errors"][0]
    assert error["field"] == "url" and "only delivered to public internet addresses" in error["message"]
    assert not WebhookEndpoint.objects.exists()


def test_an_update_to_a_non_public_target_is_refused_too(production, tenants, api_key_client, endpoint_factory):
    endpoint = endpoint_factory(organization=tenants["client_a"], url="https://93.184.216.34/hooks")
    api = api_key_client(tenants["client_a"], ["webhooks:write"])
    response = api.patch(f"{ENDPOINTS}{endpoint.id}/", {"url": "https://169.254.169.254/"}, format="json")
    assert response.status_code == 400 and "link-local" in response.json()["detail"]
    endpoint.refresh_from_db()
    assert endpoint.url == "https://93.184.216.34/hooks"


def test_a_public_address_and_an_unresolvable_name(production, tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["webhooks:write"])
    assert api.post(ENDPOINTS, {"url": "https://93.184.216.34/hooks"}, format="json").status_code == 201
    response = api.post(ENDPOINTS, {"url": "https://no-such-host.invalid/hooks"}, format="json")
    assert response.status_code == 400 and "could not be resolved" in response.json()["detail"]


def test_the_page_refuses_a_private_target_and_says_why(production, tenants, client):
    client.force_login(make_actor(tenants["client_a"]).user)
    response = client.post("/integrations/", {"action": "add", "url": "https://10.0.0.1/hooks", "description": "x"})
    assert response.status_code == 400
    assert "10.0.0.1, a non-public address (private)" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_outside_production_local_receivers_are_allowed(tenants, api_key_client, settings):
    settings.WEBHOOK_BLOCK_PRIVATE_ADDRESSES = False
    api = api_key_client(tenants["client_a"], ["webhooks:write"])
    assert api.post(ENDPOINTS, {"url": "http://127.0.0.1:9/hooks"}, format="json").status_code == 201


@pytest.mark.parametrize(
    ("address", "public"),
    [("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True), ("8.8.8.8", True)]
    + [(text, False) for text in ("127.0.0.1", "::ffff:10.0.0.1", "2001:0:4136:e378:8000:63bf:f5ff:fffe", "::")],
)
def test_non_public_reason(address, public):
    assert (transport.non_public_reason(ipaddress.ip_address(address)) == "") is public


class _Recorder(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.seen.append({"host": self.headers["Host"], "path": self.path})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def _server(address: str, port: int = 0, *, tls: ssl.SSLContext | None = None):
    server = http.server.ThreadingHTTPServer((address, port), _Recorder)
    server.seen, server.sni = [], []
    if tls is not None:
        tls.sni_callback = lambda sock, name, context: server.sni.append(name)
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _rebinding_dns(monkeypatch, first: str, then: str) -> list[str]:
    """A DNS that answers `first` once and `then` afterwards (the rebinding attack)."""
    lookups = []

    def getaddrinfo(host, port, *args, **kwargs):
        lookups.append(host)
        address = first if len(lookups) == 1 else then
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(transport.socket, "getaddrinfo", getaddrinfo)
    return lookups


def test_delivery_connects_to_the_checked_address_not_a_rebound_one(production, monkeypatch):
    # 127.0.0.2 plays the public receiver that passed the check; 127.0.0.1 an internal service the
    # attacker's DNS points at for any later lookup, on the same port.
    checked = _server("127.0.0.2")
    port = checked.server_address[1]
    internal = _server("127.0.0.1", port)
    monkeypatch.setattr(transport, "non_public_reason", lambda address: "" if str(address) == "127.0.0.2" else "x")
    lookups = _rebinding_dns(monkeypatch, first="127.0.0.2", then="127.0.0.1")
    status, _, error = transport.post(
        f"http://hooks.example.test:{port}/in?x=1", body=b"{}", headers={}, timeout=5, read_limit=100
    )
    assert (status, error) == (204, "")
    assert lookups == ["hooks.example.test"]  # one resolution
    assert checked.seen == [{"host": f"hooks.example.test:{port}", "path": "/in?x=1"}] and internal.seen == []
    checked.shutdown()
    internal.shutdown()


def test_delivery_refuses_a_name_that_resolves_to_a_private_address(production, monkeypatch):
    _rebinding_dns(monkeypatch, first="10.1.2.3", then="10.1.2.3")
    status, _, error = transport.post("https://hooks.example.test/", body=b"{}", headers={}, timeout=5, read_limit=500)
    assert (
        status is None and "Refused: hooks.example.test resolves to 10.1.2.3, a non-public address (private)" in error
    )


def test_tls_keeps_the_name_for_sni_and_the_certificate_while_the_address_is_pinned(tmp_path, monkeypatch):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=hooks.example.test"]
        + ["-addext", "subjectAltName=DNS:hooks.example.test", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    server = _server("127.0.0.1", tls=server_context)
    port = server.server_address[1]
    _rebinding_dns(monkeypatch, first="127.0.0.1", then="127.0.0.1")
    trusting = ssl.create_default_context(cafile=str(cert))
    url = f"https://hooks.example.test:{port}/hooks"
    status, _, error = transport.post(url, body=b"{}", headers={}, timeout=5, read_limit=100, ssl_context=trusting)
    assert (status, error) == (204, "")
    assert server.sni == ["hooks.example.test"] and server.seen[0]["host"] == f"hooks.example.test:{port}"
    # The certificate is checked against the name, not the address it connected to.
    status, _, error = transport.post(
        f"https://other.example.test:{port}/", body=b"{}", headers={}, timeout=5, read_limit=300, ssl_context=trusting
    )
    assert status is None and "certificate" in error.lower()
    server.shutdown()
