"""pip-audit against the pinned requirements, honestly (issue 10, point 7).

pip-audit asks PyPI's JSON API for the known vulnerabilities of each installed release
(`/pypi/<name>/<version>/json`), or OSV. Where neither answers — a machine whose registry access
serves the package index but not that API — the audit cannot happen, and this script says so and
exits 75 (".ci/run" reports the step as NOT RUN, never as passed). Where it answers, every known
vulnerability fails the step unless `.ci/pip-audit-ignore.txt` lists its id with a written reason.

The environment audited is `.venv`, which `make install` built from requirements-dev.txt (and so
requirements.txt) exactly: the pins and everything they pulled in."""

import json
import subprocess  # nosec B404 - runs pip-audit with our interpreter and fixed arguments
import sys
import urllib.error
import urllib.request
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / ".ci" / "pip-audit-ignore.txt"
NOT_RUN = 75
PROBE_PACKAGE = "django"


def ignored() -> list[str]:
    ids = []
    for number, line in enumerate(IGNORE_FILE.read_text().splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        vuln_id, _, reason = text.partition("#")
        if not reason.strip():
            sys.exit(f"{IGNORE_FILE.name}:{number}: {vuln_id.strip()} has no written reason after '#'.")
        ids.append(vuln_id.strip())
    return ids


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
    ids = ignored()
    reachable, detail = vulnerability_api_answers()
    if not reachable:
        print(
            "pip-audit NOT RUN: PyPI's vulnerability API is not reachable from this machine "
            f"({detail}), so known vulnerabilities of the pinned requirements were NOT checked in this run."
        )
        return NOT_RUN
    command = [sys.executable, "-m", "pip_audit", "--strict", "--progress-spinner", "off", "--skip-editable"]
    for vuln_id in ids:
        command += ["--ignore-vuln", vuln_id]
    print("$ " + " ".join(command), flush=True)
    return subprocess.call(command, cwd=ROOT)  # nosec B603 - our own interpreter and fixed arguments


if __name__ == "__main__":
    sys.exit(main())
