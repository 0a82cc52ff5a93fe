"""The dependency audit's own matcher (.ci/audit_dependencies.py), on crafted OSV advisories: which
versions an advisory affects at its edges, aliases in the ignore list, and the step's exit code."""

import importlib.util
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / ".ci" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


audit = _load("audit_dependencies")
refresh = _load("refresh_advisories")


def advisory(*events, versions=(), name="Demo-Pkg", ecosystem="PyPI", **extra) -> dict:
    affected = {"package": {"name": name, "ecosystem": ecosystem}, "versions": list(versions)}
    if events:
        affected["ranges"] = [{"type": "ECOSYSTEM", "events": [dict([event]) for event in events]}]
    return {"id": extra.pop("id", "PYSEC-0000-1"), "affected": [affected], **extra}


@pytest.mark.parametrize(
    ("version", "expected"),
    [("0.1", True), ("1.9.9", True), ("2.0rc1", True), ("2.0", False), ("2.0.1", False), ("3", False)],
)
def test_introduced_zero_fixed(version, expected):
    assert audit.affects(advisory(("introduced", "0"), ("fixed", "2.0")), "demo-pkg", version) is expected


@pytest.mark.parametrize(("version", "expected"), [("1.4.9", False), ("1.5", True), ("1.7", True), ("2.0", False)])
def test_introduced_later_than_zero(version, expected):
    assert audit.affects(advisory(("introduced", "1.5"), ("fixed", "2.0")), "demo-pkg", version) is expected


@pytest.mark.parametrize(("version", "expected"), [("1.3", True), ("1.3.0", True), ("1.3.1", False), ("1.2", True)])
def test_last_affected_is_inclusive(version, expected):
    assert audit.affects(advisory(("introduced", "0"), ("last_affected", "1.3")), "demo-pkg", version) is expected


@pytest.mark.parametrize(
    ("version", "expected"), [("1.0", True), ("1.2", False), ("1.5", False), ("2.0.5", True), ("2.1", False)]
)
def test_two_spans_in_one_range_listed_out_of_order(version, expected):
    item = advisory(("introduced", "2.0"), ("fixed", "2.1"), ("introduced", "1.0"), ("fixed", "1.2"))
    assert audit.affects(item, "demo-pkg", version) is expected


def test_open_ended_introduction_affects_every_later_version():
    assert audit.affects(advisory(("introduced", "4.0")), "demo-pkg", "99.0")
    assert not audit.affects(advisory(("introduced", "4.0")), "demo-pkg", "3.9")


def test_explicit_versions_list_without_ranges():
    item = advisory(versions=["1.0.1", "1.2"])
    assert audit.affects(item, "demo-pkg", "1.0.1")
    assert audit.affects(item, "demo-pkg", "1.2.0")  # the same version, written otherwise
    assert not audit.affects(item, "demo-pkg", "1.0.2")


def test_names_are_compared_normalised_and_other_packages_or_ecosystems_ignored():
    item = advisory(("introduced", "0"), ("fixed", "2"), name="Demo_Pkg")
    assert audit.affects(item, "demo.pkg", "1")
    assert not audit.affects(item, "demo-pkgx", "1")
    assert not audit.affects(advisory(("introduced", "0"), ("fixed", "2"), ecosystem="npm"), "demo-pkg", "1")


def test_withdrawn_advisories_do_not_count():
    item = advisory(("introduced", "0"), ("fixed", "2"), withdrawn="2024-01-01T00:00:00Z")
    assert not audit.affects(item, "demo-pkg", "1")


def test_git_ranges_do_not_decide_and_fixed_versions_are_the_ecosystem_ones():
    item = advisory(("introduced", "0"), ("fixed", "2.0"))
    item["affected"][0]["ranges"].append({"type": "GIT", "events": [{"introduced": "0"}, {"fixed": "abc123"}]})
    assert audit.fixed_versions(item, "demo-pkg") == ("2.0",)


def _snapshot(tmp_path: Path, advisories: dict[str, list[dict]]) -> Path:
    folder = tmp_path / "pypa"
    for name, items in advisories.items():
        for item in items:
            path = folder / "vulns" / name / f"{item['id']}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(yaml.safe_dump(item))
    (folder / "README.md").write_text(
        "- Source commit: `abc`\n- Commit date: `2026-11-01T00:00:00+00:00`\n- Licence: `CC-BY-4.0`\n"
    )
    return folder


def test_a_hit_fails_the_step_unless_its_id_or_an_alias_is_ignored_with_a_reason(tmp_path, monkeypatch, capsys):
    folder = _snapshot(
        tmp_path,
        {
            "demo-pkg": [advisory(("introduced", "0"), ("fixed", "2.0"), id="PYSEC-2026-7", aliases=["CVE-2026-1"])],
            "other": [advisory(("introduced", "0"), ("fixed", "1.0"), name="other", id="PYSEC-2026-8")],
        },
    )
    monkeypatch.setattr(audit, "installed_distributions", lambda: {"Demo_Pkg": "1.5", "other": "1.0"})
    assert audit.audit_with_snapshot(folder, {}) == 1
    out = capsys.readouterr().out
    assert "VULNERABLE: Demo_Pkg==1.5 PYSEC-2026-7" in out and "fixed in 2.0" in out
    assert "PYSEC-2026-8" not in out  # other 1.0 is the fixed version
    assert "Checked 2 installed distributions against 2 advisories" in out
    assert "abc of 2026-11-01" in out and "days old" in out
    assert audit.audit_with_snapshot(folder, {"CVE-2026-1": "not reachable in our use"}) == 0
    assert "ignored (not reachable in our use)" in capsys.readouterr().out
    monkeypatch.setattr(audit, "installed_distributions", lambda: {"Demo_Pkg": "2.0", "other": "1.0"})
    assert audit.audit_with_snapshot(folder, {}) == 0


def test_an_ignore_without_a_reason_stops_the_audit(tmp_path):
    path = tmp_path / "ignore.txt"
    path.write_text("# comment\nPYSEC-1  # reason given\nPYSEC-2\n")
    with pytest.raises(SystemExit, match="ignore.txt:3: PYSEC-2 has no written reason"):
        audit.ignored(path)
    path.write_text("PYSEC-1  # reason given\n")
    assert audit.ignored(path) == {"PYSEC-1": "reason given"}


def test_the_committed_ignore_list_gives_every_entry_a_reason():
    assert all(audit.ignored().values())


def test_refresh_keeps_only_installed_distributions_with_attribution(tmp_path):
    checkout = tmp_path / "checkout"
    for name in ("django", "not-installed-anywhere"):
        (checkout / "vulns" / name).mkdir(parents=True)
        (checkout / "vulns" / name / "PYSEC-1.yaml").write_text(yaml.safe_dump(advisory(name=name)))
    (checkout / "LICENSE").write_text("Attribution 4.0 International")
    destination = tmp_path / "out" / "pypa"
    assert refresh.main(["refresh", str(checkout), str(destination)]) == 0
    assert sorted(p.parent.name for p in destination.glob("vulns/*/*.yaml")) == ["django"]
    readme = (destination / "README.md").read_text()
    assert "CC-BY-4.0" in readme and "Distributions with advisories: `django`" in readme
    assert (destination / "LICENSE").read_text().startswith("Attribution 4.0")
    assert audit.snapshot_source(destination)["licence"] == "CC-BY-4.0"


def test_a_clone_made_elsewhere_finds_the_shared_folder_beside_the_repository_it_came_from(tmp_path):
    import subprocess

    origin = tmp_path / "work" / "main"
    subprocess.run(["git", "init", "-q", str(origin)], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(origin),
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "x",
        ],
        check=True,
    )
    clone = tmp_path / "elsewhere" / "ci"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    original_root = audit.ROOT
    audit.ROOT = clone
    try:
        candidates = audit.snapshot_candidates()
    finally:
        audit.ROOT = original_root
    assert tmp_path.joinpath("work", "shared", "advisories", "pypa").resolve() in candidates
    assert candidates.index(clone.parent / "shared" / "advisories" / "pypa") == 0
