"""Every command the README shows works as written (issue 11, point 9): each `make test ARGS=...`
example selects tests; each `make manage ARGS=...` example runs, literally, through make and the
launcher, on a database of its own; `make manage` works with no `make run` and no DATABASE_URL;
`collectstatic` is skipped while nothing changed; the README says what the tests need besides Python."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from outstaff import launcher

README = Path(__file__).resolve().parents[2] / "README.md"
BASE_DIR = README.parent


def _code_lines(prefix: str) -> list[str]:
    """Lines of the README's code blocks that start with `prefix`, without their trailing comment."""
    lines, in_code = [], False
    for line in README.read_text().splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code and line.strip().startswith(prefix):
            lines.append(re.sub(r"\s+#.*$", "", line.strip()))
    return lines


def _examples(target: str) -> list[str]:
    """The ARGS of every `make <target> ARGS=...` line in the README's code blocks."""
    found = []
    for line in _code_lines(f"make {target} ARGS="):
        match = re.match(rf"make {target} ARGS=(\"[^\"]*\"|'[^']*')", line)
        if match:
            found.append(shlex.split(match.group(1))[0])
    return found


def test_the_readme_has_examples():
    assert len(_examples("test")) >= 3
    assert len(_examples("manage")) >= 5


@pytest.mark.parametrize("args", _examples("test"))
def test_each_make_test_example_selects_tests(args):
    # What `make test ARGS=...` runs is pytest with these arguments; collecting is enough to know
    # they select something (a misspelt -k selects nothing and pytest exits 5).
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *shlex.split(args)],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert re.search(r"\b[1-9]\d* tests? collected", result.stdout), result.stdout[-500:]


def test_the_readme_says_the_tests_need_chromium():
    two_commands = README.read_text().split("## Two commands", 1)[1].split("\n## ", 1)[0]
    before_nothing_else = two_commands.split("Nothing else", 1)[0]
    assert "chromium" in before_nothing_else


def _url_of(settings_dict: dict, name: str) -> str:
    host, port = settings_dict.get("HOST") or "127.0.0.1", settings_dict.get("PORT") or 5432
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    return f"postgres://{settings_dict['USER']}{password}@{host}:{port}/{name}"


@pytest.fixture
def readme_database(django_db_blocker):
    """A database of its own for the README's commands, migrated by the README's own `make manage`."""
    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_readme"[:63]
    admin = psycopg2.connect(_url_of(settings_dict, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _url_of(settings_dict, name)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _environment(**extra) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # as a person's shell: manage.py picks the local settings
    env.update(extra)
    return env


def _shell(line: str, env: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", line], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout)  # nosec B603 B607 - the README's own lines, in a test


def test_every_make_manage_example_runs_as_written(readme_database):
    env = _environment(DATABASE_URL=readme_database)
    migrated = _shell('make -s manage ARGS="migrate --noinput -v 0"', env)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    lines = _code_lines("make manage ARGS=")
    assert lines
    for line in lines:
        result = _shell(line, env)
        assert result.returncode == 0, f"{line}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        if "create_api_key" in line:
            key = result.stdout.strip().splitlines()[-1]
            assert len(key) > 20 and " " not in key  # the key, printed once
        if "--print-logins" in line:
            assert "admin@acme.example" in result.stdout
    # After seed_demo's full scan nothing is left queued for `make run`'s worker to scan again.
    with psycopg2.connect(readme_database) as check, check.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM risks_pendingrescan")
        assert cursor.fetchone()[0] == 0
    check.close()
    # The README's `KEY=$(make -s manage ...)`: stdout is the key alone.
    key = _shell("make -s manage ARGS='create_api_key --org acme --name hris --scopes workers:read'", env)
    assert key.returncode == 0, key.stderr[-2000:]
    assert len(key.stdout.strip().splitlines()) == 1, key.stdout


def test_make_manage_works_without_make_run_and_without_database_url(tmp_path, monkeypatch):
    """No `make run`, no DATABASE_URL: the launcher starts the embedded PostgreSQL (in a folder of
    this test's), migrates it, runs the command and stops it again."""
    from outstaff import embedded

    monkeypatch.setattr(launcher, "VAR_DIR", tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    assert launcher.main(["manage", "risk_scan"]) == 0
    assert not embedded.postgres_running(tmp_path / "pgdata")
    assert launcher.main(["manage"]) == 2  # no command: the usage, not a traceback


def test_collectstatic_is_skipped_while_nothing_changed(tmp_path):
    (tmp_path / "static" / "css").mkdir(parents=True)
    sheet = tmp_path / "static" / "css" / "app.css"
    sheet.write_text("body { color: black; }")
    stamp, static_root = tmp_path / "stamp", tmp_path / "staticfiles"
    fingerprint = launcher.static_fingerprint(tmp_path)
    assert not launcher.collected_static_is_current(fingerprint, stamp=stamp, static_root=static_root)
    # After a collectstatic: its manifest exists and the stamp holds the fingerprint.
    static_root.mkdir()
    (static_root / "staticfiles.json").write_text("{}")
    stamp.write_text(fingerprint)
    assert launcher.static_fingerprint(tmp_path) == fingerprint
    assert launcher.collected_static_is_current(
        launcher.static_fingerprint(tmp_path), stamp=stamp, static_root=static_root
    )
    # An edited file, a new file, or a deleted folder of collected files each mean collecting again.
    sheet.write_text("body { color: navy; }")
    assert not launcher.collected_static_is_current(
        launcher.static_fingerprint(tmp_path), stamp=stamp, static_root=static_root
    )
    stamp.write_text(launcher.static_fingerprint(tmp_path))
    (tmp_path / "static" / "new.js").write_text("")
    assert not launcher.collected_static_is_current(
        launcher.static_fingerprint(tmp_path), stamp=stamp, static_root=static_root
    )
    stamp.write_text(launcher.static_fingerprint(tmp_path))
    (static_root / "staticfiles.json").unlink()
    assert not launcher.collected_static_is_current(
        launcher.static_fingerprint(tmp_path), stamp=stamp, static_root=static_root
    )


def test_make_run_runs_collectstatic_only_when_its_stamp_is_stale(tmp_path, monkeypatch):
    monkeypatch.setattr(launcher, "COLLECTSTATIC_STAMP", tmp_path / "stamp")
    monkeypatch.setattr(launcher, "STATIC_ROOT", tmp_path / "staticfiles")
    fingerprint = launcher.static_fingerprint()
    assert [step[0] for step in launcher.preparation_steps(fingerprint)] == ["migrate", "collectstatic", "seed_demo"]
    (tmp_path / "staticfiles").mkdir()
    (tmp_path / "staticfiles" / "staticfiles.json").write_text("{}")
    (tmp_path / "stamp").write_text(fingerprint)
    assert [step[0] for step in launcher.preparation_steps(fingerprint)] == ["migrate", "seed_demo"]


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_make_run(env: dict) -> tuple[subprocess.Popen, list[str]]:
    import threading

    process = subprocess.Popen(
        ["make", "-s", "run"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )  # nosec B603 B607 - the README's `make run`, in a test
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True).start()
    return process, lines


def _stop(process: subprocess.Popen) -> None:
    import signal

    os.killpg(process.pid, signal.SIGINT)  # a terminal's Ctrl-C
    try:
        process.wait(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_make_run_serves_and_a_second_start_skips_collectstatic(readme_database):
    """`make run` as the README has it (on a database of this test's): it migrates, collects, seeds and
    serves; started again, it skips collectstatic, and no rescan of the seeded data is left queued."""
    import time
    import urllib.request

    port = _free_port()
    env = _environment(DATABASE_URL=readme_database, PORT=str(port))
    for start in ("first", "second"):
        process, lines = _start_make_run(env)
        try:
            deadline = time.monotonic() + 300
            while not any("Outstaff is running at" in line for line in lines):
                assert process.poll() is None, "".join(lines)[-3000:]
                assert time.monotonic() < deadline, "".join(lines)[-3000:]
                time.sleep(0.5)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:  # nosec B310
                assert response.read() == b"ok"
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=30) as response:  # nosec B310
                assert response.status == 200
            with psycopg2.connect(readme_database) as check, check.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM risks_pendingrescan")
                assert cursor.fetchone()[0] == 0
            check.close()
        finally:
            _stop(process)
        # Ctrl-C reaches make too (it then reports the interrupt); what matters is that all stopped.
        deadline = time.monotonic() + 60
        while not any("web, worker and beat stopped." in line for line in lines) and time.monotonic() < deadline:
            time.sleep(0.5)
        output = "".join(lines)
        assert "web, worker and beat stopped." in output, output[-3000:]
        if start == "second":
            assert "collectstatic: skipped" in output, output[-3000:]
            assert "leaving it as it is" in output  # seed_demo --if-empty kept the data
