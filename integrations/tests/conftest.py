import http.server
import json
import threading

import pytest

from accounts.tests.factories import ClientFactory
from providers.tests.factories import ProviderFactory
from workers.tests.factories import WorkerFactory

from .factories import WebhookEndpointFactory


@pytest.fixture
def tenants():
    """A worker of client A employed by provider P, and another tenant pair (B, Q) with its own worker."""
    client_a, client_b = ClientFactory(), ClientFactory()
    provider_p, provider_q = ProviderFactory(), ProviderFactory()
    return {
        "client_a": client_a,
        "client_b": client_b,
        "provider_p": provider_p.organization,
        "provider_q": provider_q.organization,
        "mine": WorkerFactory(client=client_a, provider=provider_p),
        "theirs": WorkerFactory(client=client_b, provider=provider_q),
    }


@pytest.fixture
def endpoint_factory():
    return WebhookEndpointFactory


class _Receiver:
    """A real HTTP server on 127.0.0.1 (port chosen by the OS) recording every POST it gets."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                receiver.requests.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                payload = json.dumps({"ok": receiver.status < 300}).encode()
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                if 300 <= receiver.status < 400:
                    self.send_header("Location", receiver.url)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        if self.thread.is_alive():
            self.server.shutdown()
            self.server.server_close()
            self.thread.join()


@pytest.fixture
def receiver():
    server = _Receiver()
    yield server
    server.close()
