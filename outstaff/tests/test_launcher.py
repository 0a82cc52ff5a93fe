"""The machinery behind `make run` / `make test`: process supervision and the embedded PostgreSQL."""

import json
import os
import subprocess
import sys
import time

import psycopg2
import pytest

from outstaff import embedded, launcher


def _group_alive(pgid: int, timeout: float = 5.0) -> bool:
    """Whether a process of group `pgid` still runs. Zombies do not count: orphans killed with their
    group linger as zombies until init reaps them."""
    deadline = time.monotonic() + timeout
    while True:
        alive = any(_running_in_group(entry, pgid) for entry in os.listdir("/proc") if entry.isdigit())
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def _running_in_group(pid: str, pgid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return False
    state, process_group = fields[0], int(fields[2])
    return process_group == pgid and state not in {"Z", "X"}


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_stop_ends_a_child_and_the_processes_it_started():
    children = launcher.ChildProcesses()
    # A parent that ignores nothing but leaves a grandchild behind, like runserver's autoreloader.
    children.start("shell", ["sh", "-c", "sleep 60 & sleep 60"])
    pgid = children.processes["shell"].pid
    time.sleep(0.3)
    assert _group_alive(pgid, timeout=0)

    children.stop()

    assert not _group_alive(pgid)


def test_stop_kills_a_child_that_ignores_sigterm(monkeypatch):
    monkeypatch.setattr(launcher, "STOP_GRACE_SECONDS", 1)
    children = launcher.ChildProcesses()
    children.start("stubborn", ["sh", "-c", "trap '' TERM; sleep 60 & wait"], stop_group=False)
    pgid = children.processes["stubborn"].pid
    time.sleep(0.3)

    children.stop()

    assert not _group_alive(pgid)


def test_wait_reports_a_child_that_exits_on_its_own():
    children = launcher.ChildProcesses()
    children.start("short", ["sh", "-c", "exit 3"])
    stop = type("Stop", (), {"requested": False})()
    try:
        assert children.wait(stop) == 1
    finally:
        children.stop()


def test_wait_returns_zero_once_a_stop_is_requested():
    children = launcher.ChildProcesses()
    children.start("long", ["sleep", "60"])
    stop = type("Stop", (), {"requested": True})()
    try:
        assert children.wait(stop) == 0
    finally:
        children.stop()


def test_urls_are_printed_without_their_password():
    assert launcher._without_password("redis://:s3cret@redis:6379/0") == "redis://:***@redis:6379/0"
    assert launcher._without_password("postgres://app:pw@db:5432/outstaff") == "postgres://app:***@db:5432/outstaff"
    assert launcher._without_password("postgres://postgres@db/outstaff") == "postgres://postgres@db/outstaff"


def test_unknown_command_is_refused():
    assert launcher.main(["deploy"]) == 2


def test_dead_handle_pids_are_forgotten(tmp_path):
    dead = _dead_pid()
    handles = tmp_path / ".handle_pids.json"
    handles.write_text(json.dumps([dead, os.getpid()]))

    embedded._forget_dead_handles(tmp_path)

    assert json.loads(handles.read_text()) == [os.getpid()]


def test_embedded_postgres_starts_creates_the_database_and_stops(tmp_path):
    data_dir = tmp_path / "pgdata"

    database = embedded.start_postgres(data_dir, "outstaff_probe", throwaway=True)
    try:
        assert embedded.postgres_running(data_dir)
        connection = psycopg2.connect(database.url)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_database(), current_setting('fsync')")
                assert cursor.fetchone() == ("outstaff_probe", "off")
        finally:
            connection.close()
    finally:
        database.stop()

    assert not embedded.postgres_running(data_dir)
    # A second start reuses the cluster and the database.
    again = embedded.start_postgres(data_dir, "outstaff_probe")
    try:
        connection = psycopg2.connect(again.url)
        connection.close()
    finally:
        again.stop()


@pytest.mark.parametrize("argv", [["--help"], ["-h"]])
def test_help_prints_usage(argv, capsys):
    assert launcher.main(argv) == 0
    assert "python -m outstaff.launcher run" in capsys.readouterr().out
