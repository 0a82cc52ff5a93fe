"""Fixtures of the fault tests (issue 10, point 1): each test starts the processes it kills — Redis,
a Celery worker, gunicorn, PostgreSQL — on free ports of its own, and stops them afterwards."""

import http.client
import json
import os
import re
import secrets
import time
import urllib.parse

import pytest

from .processes import CeleryWorker, RedisServer, WebServer, child_env


def pytest_collection_modifyitems(items):
    """Everything under faults/ starts real processes that read what the test committed."""
    for item in items:
        if "/faults/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.faults)
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture
def started():
    """Stops (in reverse order) whatever the test registered, even when it fails half-way."""
    processes = []
    yield processes.append
    for process in reversed(processes):
        process.stop()


@pytest.fixture
def redis_server(tmp_path, started):
    server = RedisServer(tmp_path).start()
    started(server)
    return server


@pytest.fixture
def secret_key(settings):
    """gunicorn runs the production settings, which refuse a weak key; the test process signs the
    session it logs in with the same key."""
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    return settings.SECRET_KEY


def production_env(secret_key: str, **overrides: str) -> dict[str, str]:
    return child_env(
        DJANGO_SETTINGS_MODULE="faults.settings_production",
        DJANGO_SECRET_KEY=secret_key,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_LOG_LEVEL="WARNING",
        **overrides,
    )


@pytest.fixture
def start_web(tmp_path, started):
    def start(env):
        server = WebServer(tmp_path, env=env).start()
        started(server)
        return server

    return start


@pytest.fixture
def start_worker(tmp_path, started):
    def start(env):
        worker = CeleryWorker(tmp_path, env=env).start()
        started(worker)
        return worker

    return start


class Http:
    """A small HTTP client with a timeout on every request and a cookie jar that, unlike the
    standard one, keeps `Secure` cookies over the plain-http loopback connection."""

    def __init__(self, base_url: str, *, timeout: float = 20.0):
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}

    def request(self, method: str, path: str, *, body=None, json_body=None, headers=None):
        headers = {**self.headers, **(headers or {})}
        if json_body is not None:
            body = json.dumps(json_body)
            headers["Content-Type"] = "application/json"
        elif isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        response.seconds = time.monotonic() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def form_post(self, path: str, data: dict):
        """GET the page for its CSRF token and the form's hidden fields, then POST `data` over them."""
        page = self.get(path)
        assert page.status == 200, (page.status, page.text[:500])
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
        return self.request("POST", path, body={**hidden, **data}, headers={"Referer": f"http://{self.host}{path}"})


@pytest.fixture
def http_for():
    return Http
