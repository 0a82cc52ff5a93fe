"""Real processes for the fault tests: a Redis server, a Celery worker, gunicorn and a PostgreSQL
cluster of the test's own, each on a free port (or a socket in a temporary directory), so a test can
kill and restart them without touching the machine's shared servers.

The children run this checkout's code with the test database (the test runs on the transactional
database, so they see what it committed)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def wait_for(condition, *, timeout: float = 30.0, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def free_port() -> int:
    """A port nothing listens on right now, chosen by the kernel (tests must not assume fixed ports)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def current_database_url() -> str:
    """DATABASE_URL of the database this test runs on (pytest-django's test_… database)."""
    from django.db import connection

    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return urllib.parse.urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def child_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "CELERY_", "REDIS_"))}
    env.update(
        DATABASE_URL=current_database_url(),
        DJANGO_SETTINGS_MODULE="outstaff.settings.test",
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return env


class Process:
    """A child in its own process group (so SIGKILL reaches its pool children too), with its output
    in a log file that the failure message shows."""

    def __init__(self, name: str, command: list[str], *, env: dict[str, str], log_dir: Path):
        self.name, self.command, self.env = name, command, env
        self.log = log_dir / f"{name}-{uuid.uuid4().hex[:6]}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        handle = self.log.open("ab")
        self.popen = subprocess.Popen(
            self.command, cwd=BASE_DIR, env=self.env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        handle.close()
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole group: no shutdown handler runs, nothing is acked or cleaned up."""
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, timeout: float = 10.0) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)


class RedisServer:
    """redis-server on a free port, no persistence: a restart loses every message, the worst case."""

    def __init__(self, log_dir: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            raise AssertionError("The fault tests need redis-server (`make test` installs Debian's redis-server).")
        self.port = free_port()
        self.process = Process(
            "redis",
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            env=dict(os.environ),
            log_dir=log_dir,
        )

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process.start()
        wait_for(self.answers, timeout=10, what="redis-server to answer")
        return self

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        self.process.kill()

    def stop(self) -> None:
        self.process.stop()


class CeleryWorker:
    """`celery worker` as production runs it (prefork pool), on the given broker."""

    def __init__(self, log_dir: Path, *, env: dict[str, str]):
        self.env, self.log_dir = env, log_dir
        self.process: Process | None = None

    def start(self) -> CeleryWorker:
        name = f"faults-{uuid.uuid4().hex[:8]}@%h"
        command = [sys.executable, "-m", "celery", "-A", "outstaff", "worker", "-l", "info", "-n", name]
        command += ["--concurrency", "1", "--pool", "prefork", "--without-gossip", "--without-mingle"]
        self.process = Process("worker", command, env=self.env, log_dir=self.log_dir).start()
        wait_for(lambda: " ready." in self.process.output() or not self.process.running(), timeout=60, what="worker")
        assert self.process.running(), self.process.output()[-3000:]
        return self

    def kill(self) -> None:
        self.process.kill()

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


class WebServer:
    """gunicorn (gthread) serving outstaff.wsgi, as in production."""

    def __init__(self, log_dir: Path, *, env: dict[str, str], threads: int = 2):
        self.port = free_port()
        command = [sys.executable, "-m", "gunicorn", "outstaff.wsgi", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--worker-class", "gthread", "--workers", "1", "--threads", str(threads), "--timeout", "60"]
        self.process = Process("gunicorn", command, env=env, log_dir=log_dir)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> WebServer:
        self.process.start()

        def listening():
            assert self.process.running(), self.process.output()[-3000:]
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
            return False

        wait_for(listening, timeout=60, what="gunicorn")
        return self

    def stop(self) -> None:
        self.process.stop()


def send_task(broker_url: str, name: str, args=(), kwargs=None) -> None:
    """Publish a task on `broker_url`, as beat or a web process would."""
    from kombu import Connection

    from outstaff.celery import app

    with Connection(broker_url) as connection:
        app.send_task(name, args=list(args), kwargs=kwargs or {}, connection=connection)
