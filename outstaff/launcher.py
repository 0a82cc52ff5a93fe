"""The developer entry point behind `make run` and `make test` (DESIGN §4).

    python -m outstaff.launcher run            web + Celery worker + beat on a migrated, seeded database
    python -m outstaff.launcher test [ARGS]    pytest (whole suite unless ARGS name a subset)
    python -m outstaff.launcher fuzz           .ci/fuzz: schemathesis against a live server (CI)
    python -m outstaff.launcher manage ARGS    a manage.py command on `make run`'s database (make manage)

With no DATABASE_URL both start an embedded PostgreSQL under var/ (var/pgdata for `run`, kept between
runs; var/pgdata-test for `test`, disposable) and stop it on exit. With no REDIS_URL or
CELERY_BROKER_URL the settings fall back to kombu's filesystem broker under var/, so a real worker and
beat still run. Everything else comes from the environment, exactly as in production.

Deliberately outside the layering contract's plumbing set: it prints the demo logins that `demo`
exports, and that is its only domain import.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess  # nosec B404 - the dev launcher starts this project's own commands
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
STOP_GRACE_SECONDS = 15
WEB_READY_TIMEOUT_SECONDS = 90


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        return run()
    if command == "test":
        return test(rest)
    if command == "fuzz":
        return fuzz()
    if command == "manage":
        return manage(rest)
    print(f"unknown command {command!r}; expected 'run', 'test', 'fuzz' or 'manage'", file=sys.stderr)
    return 2


# --- run ------------------------------------------------------------------------------------------


def run() -> int:
    """Prepares the database and serves the app until SIGINT/SIGTERM; returns the exit code."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outstaff.settings.local")
    os.environ["PYTHONUNBUFFERED"] = "1"
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    VAR_DIR.mkdir(exist_ok=True)

    stop = StopRequest()
    database = None
    children = ChildProcesses()
    try:
        database = _database_for("pgdata", throwaway=False)
        _say(f"broker: {_broker_description()}")
        fingerprint = static_fingerprint()
        for step in preparation_steps(fingerprint):
            if stop.requested:
                return 0
            _say("manage.py " + " ".join(step))
            code = subprocess.call([sys.executable, "manage.py", *step], cwd=BASE_DIR)  # nosec B603 - fixed argv
            if code != 0:
                if stop.requested:
                    return 0
                _say(f"manage.py {step[0]} failed with exit code {code}; stopping.")
                return code
            if step[0] == "collectstatic":
                COLLECTSTATIC_STAMP.write_text(fingerprint)

        schedule = str(VAR_DIR / "celerybeat-schedule")
        celery = [sys.executable, "-m", "celery", "-A", "outstaff"]
        children.start("web", [sys.executable, "manage.py", "runserver", f"{host}:{port}"])
        # Celery's main process stops its own pool (warm shutdown): signal it alone, not its group.
        children.start("worker", [*celery, "worker", "-l", "info", "--concurrency", "2"], stop_group=False)
        children.start("beat", [*celery, "beat", "-l", "info", "-s", schedule], stop_group=False)

        url = f"http://{'127.0.0.1' if host in {'0.0.0.0', '::'} else host}:{port}"  # nosec B104 - a comparison, not a bind
        if _wait_until_serving(f"{url}/healthz", children, stop):
            _print_banner(url, embedded_database=database is not None)
        return children.wait(stop)
    finally:
        children.stop()
        if database is not None:
            database.stop()
            _say("embedded PostgreSQL stopped.")


def _print_banner(url: str, *, embedded_database: bool) -> None:
    lines = [
        "",
        f"Outstaff is running at {url}/",
        f"  log in:    {url}/login/",
        f"  API docs:  {url}/api/docs/   (schema: {url}/api/schema/)",
        f"  admin:     {url}/admin/",
    ]
    logins = _demo_logins()
    if logins:
        lines.append("  demo logins:")
        width = max(len(email) for email, _, _ in logins)
        lines += [f"    {email:<{width}}  {password}   {description}" for email, password, description in logins]
    stopped = "web, worker, beat and the embedded PostgreSQL" if embedded_database else "web, worker and beat"
    lines += [f"Press Ctrl-C to stop {stopped}.", ""]
    _say("\n".join(lines))


def _demo_logins() -> list[tuple[str, str, str]]:
    """`demo.DEMO_LOGINS`: (email, password, description) of the accounts seed_demo creates."""
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    try:
        from demo import DEMO_LOGINS
    except ImportError:
        return []
    return [tuple(login) for login in DEMO_LOGINS]


def _wait_until_serving(url: str, children: ChildProcesses, stop: StopRequest) -> bool:
    deadline = time.monotonic() + WEB_READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline and not stop.requested and children.all_running():
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # nosec B310 - our own http:// healthz URL
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    if not stop.requested and children.all_running():
        _say(f"{url} did not answer within {WEB_READY_TIMEOUT_SECONDS}s; still waiting for it.")
    return False


# collectstatic compresses every file again on each run (whitenoise), seconds of every start: it is
# skipped while the static sources and the installed packages (their admin and API-docs assets) are
# as they were when it last ran, and the collected folder is still there.
COLLECTSTATIC_STAMP = VAR_DIR / ".collectstatic-fingerprint"
STATIC_ROOT = VAR_DIR / "staticfiles"


def static_fingerprint(base_dir: Path = BASE_DIR) -> str:
    """A digest of every static source file's path, size and modification time, and of the
    installed packages (the requirements stamp), plus the settings module."""
    import hashlib

    digest = hashlib.sha256(os.environ.get("DJANGO_SETTINGS_MODULE", "").encode())
    roots = [base_dir / "static", *sorted(base_dir.glob("*/static"))]
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            stat = path.stat()
            digest.update(f"{path.relative_to(base_dir)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    for marker in (base_dir / "var" / ".requirements-installed", base_dir / "requirements.txt"):
        if marker.exists():
            digest.update(f"{marker.name}\0{marker.stat().st_mtime_ns}\n".encode())
    return digest.hexdigest()


def preparation_steps(fingerprint: str) -> list[list[str]]:
    """The manage.py commands `make run` runs before serving; collectstatic only when needed."""
    steps = [["migrate", "--noinput"], ["collectstatic", "--noinput", "-v", "0"], ["seed_demo", "--if-empty"]]
    if collected_static_is_current(fingerprint):
        _say("manage.py collectstatic: skipped, no static file changed since the last run")
        steps.pop(1)
    return steps


def collected_static_is_current(
    fingerprint: str, *, stamp: Path | None = None, static_root: Path | None = None
) -> bool:
    stamp, static_root = stamp or COLLECTSTATIC_STAMP, static_root or STATIC_ROOT
    return stamp.exists() and stamp.read_text() == fingerprint and (static_root / "staticfiles.json").exists()


# --- manage ---------------------------------------------------------------------------------------


def manage(args: list[str]) -> int:
    """`make manage ARGS="seed_demo --print-logins"`: a manage.py command on the database `make run`
    uses — DATABASE_URL when set; otherwise the embedded PostgreSQL in var/pgdata, reused while
    `make run` serves it, or started for the command (migrated first) and stopped after it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outstaff.settings.local")
    VAR_DIR.mkdir(exist_ok=True)
    if not args:
        print('Usage: make manage ARGS="<command> [options]"  (e.g. ARGS="risk_scan")', file=sys.stderr)
        return 2
    database = None
    try:
        from outstaff.embedded import postgres_running

        serving = not os.environ.get("DATABASE_URL") and postgres_running(VAR_DIR / "pgdata")
        database = _database_for("pgdata", throwaway=False, quiet=True)
        if database is not None and not serving:
            # A first `make manage` before any `make run`: the database exists but has no tables yet.
            code = subprocess.call([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR)  # nosec B603 - fixed argv
            if code != 0:
                return code
        return subprocess.call([sys.executable, "manage.py", *args], cwd=BASE_DIR)  # nosec B603 - manage.py with the caller's arguments, no shell
    finally:
        # Stops the server only if no other process (a `make run`) still holds it.
        if database is not None:
            database.stop()


# --- test -----------------------------------------------------------------------------------------


def test(pytest_args: list[str]) -> int:
    """Runs pytest under the test settings and returns pytest's exit code."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "outstaff.settings.test"
    VAR_DIR.mkdir(exist_ok=True)
    database = None
    process = None

    def forward_sigterm(signum, frame):
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward_sigterm)
    try:
        database = _database_for("pgdata-test", throwaway=True)
        # A fresh test database every run unless the caller asks to reuse it (faster local loops).
        args = list(pytest_args) if "--reuse-db" in pytest_args else ["--create-db", *pytest_args]
        _say("pytest " + " ".join(args))
        process = subprocess.Popen([sys.executable, "-m", "pytest", *args], cwd=BASE_DIR)  # nosec B603 - our pytest
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:
                # Ctrl-C reached pytest too (same process group); let it report and exit.
                continue
    finally:
        if database is not None:
            database.stop()


def fuzz() -> int:
    """Runs `.ci/fuzz` (it makes its own `<database>_fuzz` database) on DATABASE_URL's server, or on
    a throwaway embedded PostgreSQL."""
    VAR_DIR.mkdir(exist_ok=True)
    database = None
    try:
        database = _database_for("pgdata-fuzz", throwaway=True)
        return subprocess.call(["bash", str(BASE_DIR / ".ci" / "fuzz")], cwd=BASE_DIR)  # nosec B603 B607 - fixed argv: this project's own fuzz script
    finally:
        if database is not None:
            database.stop()


# --- shared ---------------------------------------------------------------------------------------


def _database_for(data_dir_name: str, *, throwaway: bool, quiet: bool = False):
    """Uses DATABASE_URL when set; otherwise starts the embedded server and exports its URL.
    `quiet` keeps stdout for the command's own output (`create_api_key` prints the key there)."""
    say = (lambda message: print(f"launcher | {message}", file=sys.stderr)) if quiet else _say
    if os.environ.get("DATABASE_URL"):
        say(f"database: {_without_password(os.environ['DATABASE_URL'])} (from DATABASE_URL)")
        return None
    from outstaff.embedded import start_postgres

    started = time.monotonic()
    database = start_postgres(VAR_DIR / data_dir_name, "outstaff", throwaway=throwaway)
    os.environ["DATABASE_URL"] = database.url
    say(f"database: embedded PostgreSQL in {database.data_dir}, started in {time.monotonic() - started:.1f}s")
    say(f"database: DATABASE_URL={database.url}")
    return database


def _broker_description() -> str:
    url = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL")
    return _without_password(url) if url else f"filesystem (kombu) under {VAR_DIR / 'celery-broker'}"


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


# Re-entrant: the signal handler prints from the main thread, possibly while it already holds the lock.
_print_lock = threading.RLock()


def _say(message: str, name: str = "launcher") -> None:
    with _print_lock:
        for line in message.splitlines() or [""]:
            sys.stdout.write(f"{name:>8} | {line}\n")
        sys.stdout.flush()


class StopRequest:
    """Turns SIGINT and SIGTERM into a flag the main loop polls, so shutdown runs in order."""

    def __init__(self) -> None:
        self.requested = False
        # Installed explicitly: a shell that starts us in the background may have set SIGINT to
        # "ignore", and we still want `kill -INT` to stop everything.
        signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum, frame) -> None:
        if not self.requested:
            _say(f"{signal.Signals(signum).name} received; stopping.")
        self.requested = True


class ChildProcesses:
    """Long-running children, each in its own session so that stopping one kills its whole tree
    (runserver's autoreloader, the Celery pool) and a terminal's Ctrl-C reaches only the launcher."""

    def __init__(self) -> None:
        self.processes: dict[str, subprocess.Popen] = {}
        self._stop_group: dict[str, bool] = {}
        self._threads: list[threading.Thread] = []

    def start(self, name: str, command: list[str], *, stop_group: bool = True) -> None:
        """Starts `command`; `stop_group` sends the stop signal to its whole process group (needed for
        runserver, whose autoreloader parent does not pass SIGTERM on to the serving child)."""
        process = subprocess.Popen(  # nosec B603 - the launcher's own web/worker/beat commands
            command,
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes[name] = process
        self._stop_group[name] = stop_group
        thread = threading.Thread(target=self._relay, args=(name, process), daemon=True)
        thread.start()
        self._threads.append(thread)

    @staticmethod
    def _relay(name: str, process: subprocess.Popen) -> None:
        for raw in iter(process.stdout.readline, b""):
            _say(raw.decode(errors="replace").rstrip("\n"), name=name)

    def all_running(self) -> bool:
        return all(process.poll() is None for process in self.processes.values())

    def wait(self, stop: StopRequest) -> int:
        """Blocks until a stop is requested (exit 0) or a child dies on its own (exit 1)."""
        while not stop.requested:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    _say(f"{name} exited with code {process.returncode}; stopping the rest.")
                    return 1
            time.sleep(0.5)
        return 0

    def stop(self) -> None:
        """SIGTERM to every child's process group, SIGKILL to whatever is left after the grace time."""
        if not self.processes:
            return
        for name, process in self.processes.items():
            if self._stop_group[name]:
                _signal_group(process.pid, signal.SIGTERM)
            elif process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for name, process in self.processes.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _say(f"{name} did not stop within {STOP_GRACE_SECONDS}s; killing it.")
        # Leaders are gone; make sure no grandchild (a pool process, the reloaded server) outlives them.
        for process in self.processes.values():
            _signal_group(process.pid, signal.SIGKILL)
            if process.poll() is None:
                process.wait()
        for thread in self._threads:
            thread.join(timeout=2)
        self.processes.clear()
        _say("web, worker and beat stopped.")


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


if __name__ == "__main__":
    sys.exit(main())
