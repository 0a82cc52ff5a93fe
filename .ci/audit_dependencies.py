"""The known vulnerabilities of the pinned requirements, audited for real (issue 10, point 7).

Two sources, the first that can answer:

1. pip-audit, where PyPI's JSON vulnerability API answers (`/pypi/<name>/<version>/json`): run as
   `pip-audit --strict` with the ignores below.
2. Otherwise a snapshot of the PyPA advisory database (OSV-format YAML, one folder per distribution,
   filtered to the distributions installed here by `.ci/refresh_advisories.py`). Every installed
   distribution's version is matched against every advisory of its name: OSV `ECOSYSTEM` ranges
   (`introduced` / `fixed` / `last_affected` events) and explicit `versions` lists. The script prints
   what it checked and how old the snapshot is.

Either way every hit fails the step unless `.ci/pip-audit-ignore.txt` lists its id (or one of its
aliases) with a written reason. With neither source here the audit cannot happen: the script says
so and exits 75 (".ci/run" reports the step as NOT RUN, never as passed).

The snapshot is looked for at `$OUTSTAFF_ADVISORY_DB`, then `shared/advisories/pypa` beside the
checkout (where CI lays the shared folder), then beside the local repository this checkout was
cloned from, then `var/advisories/pypa` (where the refresh script
writes by default). The environment audited is `.venv`, which `make install` built from
requirements-dev.txt (and so requirements.txt) exactly: the pins and everything they pulled in."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess  # nosec B404 - runs pip-audit with our interpreter and fixed arguments
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / ".ci" / "pip-audit-ignore.txt"
NOT_RUN = 75
PROBE_PACKAGE = "django"
SNAPSHOT_README = "README.md"
# A snapshot older than this still audits, and the step says loudly that it should be refreshed.
STALE_AFTER_DAYS = 90


def snapshot_candidates() -> list[Path]:
    paths = []
    if os.environ.get("OUTSTAFF_ADVISORY_DB"):
        paths.append(Path(os.environ["OUTSTAFF_ADVISORY_DB"]))
    paths.append(ROOT.parent / "shared" / "advisories" / "pypa")
    origin = origin_checkout()
    if origin is not None:
        paths.append(origin.parent / "shared" / "advisories" / "pypa")
    paths.append(ROOT / "var" / "advisories" / "pypa")
    return paths


def origin_checkout() -> Path | None:
    """The local repository this checkout was cloned from, if any: a CI clone made elsewhere
    (`git clone /work/main /tmp/ci`) finds the shared folder beside the repository it came from."""
    try:
        url = subprocess.run(  # nosec B603 B607 - fixed argv: git reads this checkout's own config
            ["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if not url or "://" in url or url.startswith("git@"):
        return None
    path = Path(url.removeprefix("file:")).expanduser()
    return path.resolve() if path.is_dir() else None


# --- ignores --------------------------------------------------------------------------------------
def ignored(path: Path = IGNORE_FILE) -> dict[str, str]:
    """id -> reason. An entry without a reason stops the audit (exit 2) naming its line."""
    ids = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        vuln_id, _, reason = text.partition("#")
        if not reason.strip():
            raise SystemExit(f"{path.name}:{number}: {vuln_id.strip()} has no written reason after '#'.")
        ids[vuln_id.strip()] = reason.strip()
    return ids


# --- the matcher ----------------------------------------------------------------------------------
def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Hit:
    name: str
    version: str
    id: str
    aliases: tuple[str, ...]
    fixed: tuple[str, ...]
    summary: str

    def ids(self) -> set[str]:
        return {self.id, *self.aliases}


def _parse(version: str):
    from packaging.version import InvalidVersion, Version

    try:
        return Version(str(version))
    except InvalidVersion:
        return None


def _in_range(version, events: list[dict]) -> bool | None:
    """OSV's evaluation of one ECOSYSTEM range; None if an event's version cannot be parsed."""
    parsed = []
    for event in events:
        kind, value = next(iter(event.items()))
        if kind == "introduced" and str(value) == "0":
            parsed.append((None, kind))
            continue
        bound = _parse(value)
        if bound is None:
            return None
        parsed.append((bound, kind))
    # "0" sorts first; at equal versions an introduction comes before a fix.
    order = {"introduced": 0, "last_affected": 1, "fixed": 2, "limit": 3}
    parsed.sort(key=lambda item: (item[0] is not None, item[0] or 0, order.get(item[1], 9)))
    affected = False
    for bound, kind in parsed:
        if kind == "introduced" and (bound is None or version >= bound):
            affected = True
        elif (kind == "fixed" and version >= bound) or (kind == "last_affected" and version > bound):
            affected = False
    return affected


def affects(advisory: dict, name: str, version: str) -> bool:
    """Whether this OSV advisory affects `name` at `version` (a PyPI distribution)."""
    if advisory.get("withdrawn"):
        return False
    wanted = _canonical(name)
    installed = _parse(version)
    for affected in advisory.get("affected") or []:
        package = affected.get("package") or {}
        if package.get("ecosystem", "PyPI") != "PyPI" or _canonical(package.get("name", "")) != wanted:
            continue
        listed = [str(v) for v in affected.get("versions") or []]
        if version in listed or (installed is not None and any(_parse(v) == installed for v in listed)):
            return True
        if installed is None:
            continue
        for span in affected.get("ranges") or []:
            if span.get("type") == "ECOSYSTEM" and _in_range(installed, span.get("events") or []):
                return True
    return False


def fixed_versions(advisory: dict, name: str) -> tuple[str, ...]:
    found = []
    for affected in advisory.get("affected") or []:
        if _canonical((affected.get("package") or {}).get("name", "")) != _canonical(name):
            continue
        for span in affected.get("ranges") or []:
            if span.get("type") == "ECOSYSTEM":
                found += [str(e["fixed"]) for e in span.get("events") or [] if "fixed" in e]
    return tuple(found)


def load_advisories(folder: Path) -> dict[str, list[dict]]:
    """canonical distribution name -> its advisories, from vulns/<name>/*.yaml under the snapshot."""
    import yaml

    advisories: dict[str, list[dict]] = {}
    for path in sorted((folder / "vulns").glob("*/*.yaml")):
        advisories.setdefault(_canonical(path.parent.name), []).append(yaml.safe_load(path.read_text()))
    return advisories


def audit(distributions: dict[str, str], advisories: dict[str, list[dict]]) -> list[Hit]:
    hits = []
    for name, version in sorted(distributions.items()):
        for advisory in advisories.get(_canonical(name), []):
            if affects(advisory, name, version):
                hits.append(
                    Hit(
                        name=name,
                        version=version,
                        id=advisory["id"],
                        aliases=tuple(advisory.get("aliases") or ()),
                        fixed=fixed_versions(advisory, name),
                        summary=(advisory.get("summary") or advisory.get("details") or "").strip().split("\n")[0][:120],
                    )
                )
    return hits


def installed_distributions() -> dict[str, str]:
    return {dist.metadata["Name"]: dist.version for dist in metadata.distributions() if dist.metadata["Name"]}


def snapshot_source(folder: Path) -> dict[str, str]:
    """Source commit, its date and the licence, as the refresh script wrote them in the README."""
    text = (folder / SNAPSHOT_README).read_text()
    fields = dict(re.findall(r"^- ([A-Za-z ]+): `([^`]+)`", text, re.M))
    return {key.strip().lower(): value for key, value in fields.items()}


def snapshot_age_days(source: dict[str, str], now: dt.datetime | None = None) -> int:
    when = dt.datetime.fromisoformat(source["commit date"])
    return ((now or dt.datetime.now(dt.UTC)) - when).days


def audit_with_snapshot(folder: Path, ignores: dict[str, str]) -> int:
    source = snapshot_source(folder)
    age = snapshot_age_days(source)
    advisories = load_advisories(folder)
    distributions = installed_distributions()
    print(
        f"Advisory snapshot: {folder} — PyPA advisory database at commit {source['source commit']} "
        f"of {source['commit date']} ({age} days old; licence {source['licence']})."
    )
    if age > STALE_AFTER_DAYS:
        print(f"WARNING: the snapshot is older than {STALE_AFTER_DAYS} days: run .ci/refresh_advisories.py.")
    total = sum(len(items) for items in advisories.values())
    print(f"Checked {len(distributions)} installed distributions against {total} advisories:")
    for name, version in sorted(distributions.items(), key=lambda item: item[0].lower()):
        print(f"  {name}=={version}: {len(advisories.get(_canonical(name), []))} advisories")
    hits = audit(distributions, advisories)
    failing = [hit for hit in hits if not hit.ids() & ignores.keys()]
    for hit in hits:
        reason = next((ignores[i] for i in sorted(hit.ids()) if i in ignores), None)
        label = f"ignored ({reason})" if reason else "VULNERABLE"
        fixed = ", ".join(hit.fixed) or "none known"
        print(f"{label}: {hit.name}=={hit.version} {hit.id} {list(hit.aliases)} fixed in {fixed}: {hit.summary}")
    ignored_count = len(hits) - len(failing)
    print(f"{len(hits)} known vulnerabilities, {ignored_count} ignored with a reason, {len(failing)} failing.")
    return 1 if failing else 0


# --- pip-audit ------------------------------------------------------------------------------------
def vulnerability_api_answers() -> tuple[bool, str]:
    version = metadata.version(PROBE_PACKAGE)
    url = f"https://pypi.org/pypi/{PROBE_PACKAGE}/{version}/json"
    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # nosec B310 - a fixed https URL
            body = json.load(response)
    except urllib.error.HTTPError as error:
        return False, f"{url} answered HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return False, f"{url} did not answer ({error})"
    if "vulnerabilities" not in body:
        return False, f"{url} answered without a `vulnerabilities` field"
    return True, url


def main() -> int:
    ignores = ignored()
    reachable, detail = vulnerability_api_answers()
    if reachable:
        command = [sys.executable, "-m", "pip_audit", "--strict", "--progress-spinner", "off", "--skip-editable"]
        for vuln_id in ignores:
            command += ["--ignore-vuln", vuln_id]
        print("$ " + " ".join(command), flush=True)
        return subprocess.call(command, cwd=ROOT)  # nosec B603 - our own interpreter and fixed arguments
    print(f"PyPI's vulnerability API is not reachable ({detail}): auditing against the advisory snapshot.")
    for folder in snapshot_candidates():
        if (folder / SNAPSHOT_README).is_file() and (folder / "vulns").is_dir():
            return audit_with_snapshot(folder, ignores)
    looked = ", ".join(str(path) for path in snapshot_candidates())
    print(
        "pip-audit NOT RUN: no advisory snapshot either (looked in "
        f"{looked}; .ci/refresh_advisories.py makes one), so known vulnerabilities of the pinned "
        "requirements were NOT checked in this run."
    )
    return NOT_RUN


if __name__ == "__main__":
    sys.exit(main())
