"""Renew the advisory snapshot that `.ci/audit_dependencies.py` audits against when PyPI's
vulnerability API does not answer.

    .venv/bin/python .ci/refresh_advisories.py PATH-TO-ADVISORY-DATABASE [DESTINATION]

PATH is a checkout of the PyPA advisory database (a work tree, or a bare/mirror git directory: then
its HEAD is read with git). Only the advisories of the distributions installed in this interpreter's
environment (`.venv`, built from requirements-dev.txt) are copied, under DESTINATION/vulns/<name>/,
with a README naming the source commit, its date, the day of the copy and the licence (the database
is CC-BY-4.0; its LICENSE is copied alongside). DESTINATION defaults to var/advisories/pypa (not
committed: the data belongs in the shared folder CI lays beside the checkout, shared/advisories/pypa).
The destination is replaced whole, so an advisory withdrawn upstream disappears here too."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess  # nosec B404 - runs git with fixed arguments on a path the operator gives
import sys
import tempfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DESTINATION = ROOT / "var" / "advisories" / "pypa"
UPSTREAM = "https://github.com/pypa/advisory-database"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def git(source: Path, *args: str) -> str:
    return subprocess.run(  # nosec B603 B607 - git from PATH, fixed subcommands, no shell
        ["git", f"--git-dir={source}", *args], check=True, capture_output=True, text=True
    ).stdout


def git_dir(source: Path) -> Path | None:
    for candidate in (source / ".git", source):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def read_tree(source: Path, wanted: set[str]) -> tuple[dict[str, str], str, str, str]:
    """{relative path: text} of the wanted distributions' advisories, the LICENSE, commit and date."""
    repository = git_dir(source)
    files: dict[str, str] = {}
    if repository is not None:
        commit = git(repository, "rev-parse", "HEAD").strip()
        date = git(repository, "log", "-1", "--format=%cI", "HEAD").strip()
        folders = git(repository, "ls-tree", "--name-only", "HEAD", "vulns/").splitlines()
        for folder in folders:
            if canonical(folder.split("/", 1)[1]) not in wanted:
                continue
            for path in git(repository, "ls-tree", "-r", "--name-only", "HEAD", folder + "/").splitlines():
                if path.endswith(".yaml"):
                    files[path] = git(repository, "show", f"HEAD:{path}")
        licence = git(repository, "show", "HEAD:LICENSE")
        return files, licence, commit, date
    vulns = source / "vulns"
    if not vulns.is_dir():
        raise SystemExit(f"{source} has no vulns/ folder and is not a git directory of the advisory database.")
    for folder in sorted(vulns.iterdir()):
        if folder.is_dir() and canonical(folder.name) in wanted:
            for path in sorted(folder.glob("*.yaml")):
                files[f"vulns/{folder.name}/{path.name}"] = path.read_text()
    return files, (source / "LICENSE").read_text(), "unknown (not a git checkout)", dt.datetime.now(dt.UTC).isoformat()


README = """# PyPA advisory database — filtered snapshot

The known vulnerabilities (OSV format) of the distributions installed in Outstaff's `.venv`
(requirements-dev.txt and what it pulls in), read by `.ci/audit_dependencies.py` when PyPI's
vulnerability API does not answer. Renew with `.ci/refresh_advisories.py PATH-TO-CHECKOUT`.

- Source: `{upstream}`
- Source commit: `{commit}`
- Commit date: `{date}`
- Copied on: `{copied}`
- Licence: `CC-BY-4.0`
- Distributions checked: `{checked}`
- Distributions with advisories: `{with_advisories}`
- Advisories: `{count}`

Attribution: the advisories are the work of the Python Packaging Advisory Database contributors
({upstream}), licensed under the Creative Commons Attribution 4.0 International licence (LICENSE
beside this file). They were copied unchanged, except that only the folders of the distributions
named above were kept.
"""


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__)
        return 2
    source = Path(argv[1])
    destination = Path(argv[2]) if len(argv) == 3 else DEFAULT_DESTINATION
    installed = {canonical(d.metadata["Name"]) for d in metadata.distributions() if d.metadata["Name"]}
    files, licence, commit, date = read_tree(source, installed)
    with tempfile.TemporaryDirectory(dir=destination.parent if destination.parent.exists() else None) as tmp:
        staging = Path(tmp) / "snapshot"
        for relative, text in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        (staging / "vulns").mkdir(parents=True, exist_ok=True)
        (staging / "LICENSE").write_text(licence)
        with_advisories = sorted({canonical(path.split("/")[1]) for path in files})
        (staging / "README.md").write_text(
            README.format(
                upstream=UPSTREAM,
                commit=commit,
                date=date,
                copied=dt.date.today().isoformat(),
                checked=len(installed),
                with_advisories=", ".join(with_advisories) or "none",
                count=len(files),
            )
        )
        destination.parent.mkdir(parents=True, exist_ok=True)
        if destination.exists():
            shutil.rmtree(destination)
        shutil.move(str(staging), destination)
    kept = f"{len(files)} advisories of {len(with_advisories)} of {len(installed)} installed distributions"
    print(f"{kept} -> {destination}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
