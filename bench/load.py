"""The load run (DESIGN §11): serve the app as in production (gunicorn gthread, 2 workers × 4 threads,
production settings) and drive it from a second process with wrk at 16 connections. Reports
throughput, p50/p95/p99 and errors for the four API lists at 50 and 500 rows, the main pages, and
each API list's throughput relative to the raw-SQL + orjson baseline (bench/baseline.py) served by
the same server in the same run."""

import json
import os
import secrets
import shutil
import signal
import subprocess  # nosec B404 - the bench starts gunicorn, wrk and apt-get with fixed argv
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from accounts.models import ApiKey, Membership, Organization, User
from accounts.selectors import ACTIVE_ORG_SESSION_KEY
from accounts.services import api_key_create

API_LISTS = (
    # (resource, which organization's key reads it)
    ("workers", "client"),
    ("assignments", "client"),
    ("payroll-entries", "provider"),
    ("risk-flags", "client"),
)
KEY_NAME = "bench load run"
# Every request on a new connection, as a proxy in front of gunicorn sends them (nginx's default
# upstream HTTP/1.0): gunicorn's two worker processes share the listening socket, and wrk's 16
# keep-alive connections landed unevenly between them, at random (16/0, 14/2, 1/15 measured with
# `ss`), so that one process ran on one core while the other idled: the same target measured 2,087
# and 3,905 requests in 6 s, and a list's ratio to its baseline spread by ±0.25 between runs.
WRK_SCRIPT = """
wrk.headers["Connection"] = "close"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50":%d,"p95":%d,"p99":%d,"status_errors":%d,"socket_errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Target:
    name: str
    path: str
    headers: dict
    group: str  # "api", "baseline" or "page"
    baseline_of: str = ""


def ensure_wrk() -> str:
    """wrk from Debian, installed with apt-get when missing (the bench runs as root on CI machines)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, env=env, stdout=subprocess.DEVNULL)  # nosec B603 B607 - fixed argv: installs Debian's wrk for the bench
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)  # nosec B603 B607 - fixed argv: apt-get update before installing wrk
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env, stdout=subprocess.DEVNULL)  # nosec B603 B607 - fixed argv: installs Debian's wrk for the bench
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("The load run needs wrk: sudo apt-get install wrk")
    return found


def _session_for(user: User, organization: Organization) -> str:
    """A logged-in session for `user` in `organization`, as the login view would leave it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    backends = settings.AUTHENTICATION_BACKENDS
    session[BACKEND_SESSION_KEY] = next((b for b in backends if b.endswith("ModelBackend")), backends[0])
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[ACTIVE_ORG_SESSION_KEY] = str(organization.id)
    session.create()
    return session.session_key


def _biggest(kind: str) -> Organization:
    relation = "client_workers" if kind == "client" else "provider_profile__workers"
    from django.db.models import Count

    return Organization.objects.filter(kind=kind).annotate(n=Count(relation)).order_by("-n", "slug").first()


def build_targets(*, sizes=(50, 500)) -> tuple[list[Target], dict]:
    """API keys and sessions for the biggest client, the biggest provider and the hiring manager of
    the ~5,000-worker client, and the URLs the run drives. Keys from an earlier run are replaced."""
    from django.db.models import Count

    ApiKey.objects.filter(name=KEY_NAME).delete()
    client, provider = _biggest("client"), _biggest("provider")
    clients = list(Organization.objects.filter(kind="client").annotate(n=Count("client_workers")).order_by("-n"))
    workers_total = sum(c.n for c in clients)
    # The client nearest 5% of all workers (5,000 at 100k): the hiring manager's dashboard.
    hm_client = min(clients[1:] or clients, key=lambda c: abs(c.n - workers_total * 0.05))
    keys = {}
    for kind, org in (("client", client), ("provider", provider)):
        scopes = ["workers:read", "assignments:read", "risks:read", "payroll:read"]
        _, keys[kind] = api_key_create(organization=org, name=KEY_NAME, scopes=scopes)
    orgs = {"client": client, "provider": provider}

    def member(org: Organization, role: str) -> User:
        return Membership.objects.filter(organization=org, role=role).order_by("user__email").first().user

    client_cookie = {"Cookie": f"sessionid={_session_for(member(client, 'client_admin'), client)}"}
    provider_cookie = {"Cookie": f"sessionid={_session_for(member(provider, 'provider_admin'), provider)}"}
    manager = User.objects.get(email=f"manager@{hm_client.slug.removeprefix('bench-')}.bench")
    manager_cookie = {"Cookie": f"sessionid={_session_for(manager, hm_client)}"}

    targets = []
    for size in sizes:
        for resource, kind in API_LISTS:
            name = f"/api/v1/{resource}/ ({kind}) ×{size}"
            auth = {"Authorization": f"Bearer {keys[kind]}"}
            targets.append(Target(name, f"/api/v1/{resource}/?page_size={size}", auth, "api"))
            targets.append(
                Target(
                    f"baseline {resource} ×{size}",
                    f"/bench/baseline/{resource}/?org={orgs[kind].id}&page_size={size}",
                    {},
                    "baseline",
                    baseline_of=name,
                )
            )
    targets += [
        Target(f"/ client dashboard ({client.n:,} workers)", "/", client_cookie, "page"),
        Target("/workers/", "/workers/", client_cookie, "page"),
        Target("/risks/", "/risks/", client_cookie, "page"),
        Target(f"/provider/ ({provider.n:,} workers)", "/provider/", provider_cookie, "page"),
        Target(f"/ hiring manager ({hm_client.n:,}-worker client)", "/", manager_cookie, "page"),
    ]
    info = {"client": client.name, "provider": provider.name, "hm_client": hm_client.name}
    return targets, info


def server_env(*, secret: str, port: int) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "outstaff.settings.production",
        "DJANGO_SECRET_KEY": secret,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "BENCH_BASELINE_VIEWS": "true",
        # One key at hundreds of requests a second is far past any per-key limit (3,600/hour and
        # 120/min by default): with the limits on, the run would measure 429 answers.
        "API_RATE_LIMIT": "",
        "API_BURST_RATE_LIMIT": "",
        "API_SESSION_RATE_LIMIT": "",
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
    }


def start_server(*, env: dict, port: int, log_dir: Path) -> subprocess.Popen:
    """gunicorn as docker-compose runs it (gthread, 2 workers × 4 threads, access log on)."""
    subprocess.run(  # nosec B603 - argv built from this project's own paths and settings
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        check=True,
        cwd=settings.BASE_DIR,
    )
    command = [
        sys.executable, "-m", "gunicorn", "outstaff.wsgi", "--bind", f"127.0.0.1:{port}",
        "--worker-class", "gthread", "--workers", "2", "--threads", "4", "--timeout", "60",
        "--access-logfile", str(log_dir / "access.log"), "--error-logfile", str(log_dir / "error.log"),
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR, start_new_session=True)  # nosec B603 - starts this project's own gunicorn with argv built here
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30).read()  # nosec B310 - a fixed http URL on loopback (the bench's own server)
            return server
        except OSError:  # refused while booting, or slow on a busy machine
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {log_dir / 'error.log'}") from None
            time.sleep(0.5)
    stop_server(server)
    raise RuntimeError("gunicorn did not answer /healthz within 120 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def check_target(base: str, target: Target) -> int:
    request = urllib.request.Request(base + target.path, headers=target.headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # nosec B310 - a fixed http URL on loopback (the bench's own server)
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def run_wrk(wrk: str, script: str, base: str, target: Target, *, connections: int, duration: int) -> dict:
    command = [wrk, "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s", "-s", script]
    for name, value in target.headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [base + target.path], capture_output=True, text=True, check=True).stdout  # nosec B603 - wrk with argv built here against the bench's own loopback server
    result = json.loads(output.strip().splitlines()[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def select_targets(targets: list[Target], only: list[str] | None) -> list[Target]:
    """The targets whose name contains one of `only` (all when none is given), each API list with
    its baseline: a ratio is only measured against the baseline of the same run."""
    if not only:
        return targets
    chosen = {t.name for t in targets if t.group != "baseline" and any(word in t.name for word in only)}
    return [t for t in targets if t.name in chosen or t.baseline_of in chosen]


def load_run(
    *, port: int, connections: int = 16, duration: int = 10, warmup: int = 2, sizes=(50, 500), only=None, stdout=None
) -> dict:
    say = (lambda text: stdout.write(text + "\n")) if stdout is not None else (lambda text: None)
    wrk = ensure_wrk()
    secret = "bench-" + secrets.token_urlsafe(50)
    # Sessions are signed with the server's key: make them under the key the server gets.
    settings.SECRET_KEY = secret
    targets, info = build_targets(sizes=sizes)
    targets = select_targets(targets, only)
    log_dir = Path(settings.BASE_DIR) / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    base = f"http://127.0.0.1:{port}"
    server = start_server(env=server_env(secret=secret, port=port), port=port, log_dir=log_dir)
    results: dict[str, dict] = {}
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
            handle.write(WRK_SCRIPT)
            script = handle.name
        for target in targets:
            status = check_target(base, target)  # warms both workers' caches too
            check_target(base, target)
            if status != 200:
                raise RuntimeError(f"{target.path} answered {status}, not 200: the run would measure an error page")
            if warmup:
                # Unmeasured: both server processes' connections, caches and heaps settle under this
                # target's load first (without it, two runs' first target measured 265 and 519 req/s).
                run_wrk(wrk, script, base, target, connections=connections, duration=warmup)
            result = run_wrk(wrk, script, base, target, connections=connections, duration=duration)
            result.update(name=target.name, group=target.group, baseline_of=target.baseline_of)
            results[target.name] = result
            say(f"  {target.name}: {result['rps']:.0f} req/s, p95 {result['p95'] / 1000:.0f} ms")
        os.unlink(script)
    finally:
        stop_server(server)
        ApiKey.objects.filter(name=KEY_NAME).delete()
    for result in results.values():
        if result["group"] == "baseline" and result["baseline_of"] in results:
            api = results[result["baseline_of"]]
            api["baseline_rps"] = result["rps"]
            api["baseline_p95"] = result["p95"]
            api["ratio"] = api["rps"] / result["rps"] if result["rps"] else 0.0
    return {
        "targets": info,
        "connections": connections,
        "duration": duration,
        "warmup": warmup,
        "results": list(results.values()),
    }


def load_table(report: dict) -> str:
    lines = [
        "| target | req/s | p50 ms | p95 ms | p99 ms | errors | baseline req/s | baseline p95 ms | ratio |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in report["results"]:
        if row["group"] == "baseline":
            continue
        errors = row["status_errors"] + row["socket_errors"]
        baseline = f"{row['baseline_rps']:.0f}" if "baseline_rps" in row else ""
        baseline_p95 = f"{row['baseline_p95'] / 1000:.0f}" if "baseline_p95" in row else ""
        ratio = f"{row['ratio']:.2f}×" if "ratio" in row else ""
        lines.append(
            f"| `{row['name']}` | {row['rps']:.0f} | {row['p50'] / 1000:.0f} | {row['p95'] / 1000:.0f} | "
            f"{row['p99'] / 1000:.0f} | {errors} | {baseline} | {baseline_p95} | {ratio} |"
        )
    return "\n".join(lines)
