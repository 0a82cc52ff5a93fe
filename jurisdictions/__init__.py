"""Jurisdiction facts (DESIGN §3, §6): the legal facts of each country the product works in — full-time
hours, the staffing-licence duty, tenure caps and how they are counted, restrictions on supplying
personnel, deemed employment, the compliance items an employer of record keeps, the classification
tests — as one data file per country (`packs/*.toml`) read by this one loader.

Every fact carries its legal source (statute and article, or the decision) and whether it was
verified against a public text (`verified`, `checked_against`). A pack with a fact without a source,
or without its list of sources, does not load. `providers` (compliance requirements) and `risks`
(the rules) both read these facts, so a fact lives once; this package sits below both and imports no
app.

A sub-national variant (e.g. ``us-ca.toml``) is chosen when the worker's subdivision is known
(ISO 3166-2, e.g. ``US-CA``); otherwise the country pack applies, and a country without a pack gets
``default.toml``. A pack inherits from ``default.toml`` (or from the pack it is a ``variant_of``) the
facts it does not state, with their sources."""

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

PACK_DIR = Path(__file__).resolve().parent / "packs"
DEFAULT_CODE = "DEFAULT"

# Every pack has these facts (its own or inherited); each is a table with `source` and `verified`.
REQUIRED_FACTS = (
    "standard_full_time_hours",
    "full_time_threshold_hours",
    "staffing_licence",
    "tenure_cap",
    "contractor_control_tests",
    "contractor_permanence_months",
    "contractor_continuity_gap_days",
    "outsourcing_direction",
    "engagement_model",
    "written_contract",
    "employer_registration",
    "compliance_kinds",
)
OPTIONAL_FACTS = ("personnel_supply", "deemed_employment")
TENURE_METHODS = (
    "none",
    "consecutive_with_gap_reset",  # DE, HU: a chain of placements, reset by a long enough break
    "rolling_window",  # PL: at most N months within any M months
    "per_contract",  # FR, PT, RO: each assignment contract, renewals included
    "summed_with_required_gap",  # IT, BR, CO: all placements with the client added up; optional reset gap
)
UNVERIFIED = " [unverified]"


class JurisdictionPackError(ValueError):
    """A pack file is missing a fact or a source, or states a fact in a shape the rules cannot use."""


@dataclass(frozen=True)
class Fact:
    """One legal fact: its value (a number, a list, or a table of details), where it comes from, and
    whether it was checked against a public text."""

    name: str
    value: Any
    source: str
    verified: bool
    checked_against: str = ""
    inherited_from: str = ""

    @property
    def cited(self) -> str:
        """The source as a finding cites it: an unverified fact says so."""
        return self.source if self.verified else self.source + UNVERIFIED

    def get(self, key: str, default=None):
        return self.value.get(key, default) if isinstance(self.value, dict) else default


@dataclass(frozen=True)
class TenureCap:
    method: str
    max_months: int | None
    warn_days_before: int
    counting_rule: str
    counting_basis: str
    source: str
    max_days: int | None = None
    reset_after_gap_months: int | None = None
    window_months: int | None = None
    required_gap_days: int | None = None
    days_per_month: int = 30
    provider_change_resets: bool = False


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name: str
    version: str
    facts: dict[str, Fact]
    sources: tuple[dict, ...]
    contractor_control_summary: str
    contractor_any_control_fires: bool = False
    notes: tuple[str, ...] = ()
    reviewed_on: str = ""
    variant_of: str = ""
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def reference(self) -> dict:
        """What a finding's evidence records about the pack it was judged by."""
        return {"code": self.code, "name": self.name, "version": self.version}

    def fact(self, name: str) -> Fact | None:
        return self.facts.get(name)

    # The facts as the rules read them.
    @property
    def standard_full_time_hours(self) -> float | None:
        value = self.facts["standard_full_time_hours"].value
        return None if value is None else float(value)

    @property
    def full_time_threshold_hours(self) -> float:
        return float(self.facts["full_time_threshold_hours"].value)

    @property
    def licence_required(self) -> bool:
        return bool(self.facts["staffing_licence"].get("required"))

    @property
    def licence_headcount_threshold(self) -> int | None:
        return self.facts["staffing_licence"].get("headcount_threshold")

    @property
    def licence_name(self) -> str:
        return self.facts["staffing_licence"].get("name", "")

    @property
    def licence_source(self) -> str:
        return self.facts["staffing_licence"].cited

    @property
    def tenure_cap(self) -> TenureCap | None:
        return _tenure_cap(self.facts["tenure_cap"])

    @property
    def contractor_control_tests(self) -> tuple[str, ...]:
        fact = self.facts["contractor_control_tests"]
        return tuple(test if fact.verified else test + UNVERIFIED for test in fact.value)

    @property
    def contractor_permanence_months(self) -> int:
        return int(self.facts["contractor_permanence_months"].value)

    @property
    def contractor_permanence_source(self) -> str:
        return self.facts["contractor_permanence_months"].cited

    @property
    def contractor_continuity_gap_days(self) -> int:
        return int(self.facts["contractor_continuity_gap_days"].value)

    @property
    def contractor_continuity_gap_source(self) -> str:
        return self.facts["contractor_continuity_gap_days"].cited

    @property
    def outsourcing_direction_source(self) -> str:
        return self.facts["outsourcing_direction"].cited

    @property
    def engagement_model_source(self) -> str:
        return self.facts["engagement_model"].cited

    @property
    def written_contract_source(self) -> str:
        return self.facts["written_contract"].cited

    @property
    def employer_registration_source(self) -> str:
        return self.facts["employer_registration"].cited

    @property
    def compliance_kinds(self) -> tuple[str, ...]:
        return tuple(self.facts["compliance_kinds"].value)

    @property
    def personnel_supply(self) -> Fact | None:
        fact = self.facts.get("personnel_supply")
        return fact if fact is not None and fact.get("restricted") else None

    @property
    def deemed_employment(self) -> Fact | None:
        return self.facts.get("deemed_employment")

    @property
    def unverified_facts(self) -> list[Fact]:
        return [fact for fact in self.facts.values() if not fact.verified]


@cache
def _tenure_cap_cached(fact: Fact) -> TenureCap | None:
    data = fact.value
    if data["method"] == "none":
        return None
    return TenureCap(
        method=data["method"],
        max_months=data.get("max_months"),
        max_days=data.get("max_days"),
        warn_days_before=int(data.get("warn_days_before", 90)),
        counting_rule=data["counting_rule"],
        counting_basis=data["counting_basis"],
        source=fact.cited,
        reset_after_gap_months=data.get("reset_after_gap_months"),
        window_months=data.get("window_months"),
        required_gap_days=data.get("required_gap_days"),
        days_per_month=int(data.get("days_per_month", 30)),
        provider_change_resets=bool(data.get("provider_change_resets", False)),
    )


def _tenure_cap(fact: Fact) -> TenureCap | None:
    return _tenure_cap_cached(fact)


def _hashable(value):
    if isinstance(value, dict):
        return _FrozenDict((k, _hashable(v)) for k, v in value.items())
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    return value


class _FrozenDict(dict):
    """A dict that can sit in a frozen dataclass used as a cache key."""

    def __hash__(self):  # type: ignore[override]
        return hash(tuple(sorted(self.items(), key=lambda item: item[0])))


def _parse_fact(name: str, data: Any, path: Path) -> Fact:
    if not isinstance(data, dict) or "source" not in data or "verified" not in data:
        raise JurisdictionPackError(f"{path.name}: fact {name} needs a table with value, source and verified")
    if not str(data["source"]).strip():
        raise JurisdictionPackError(f"{path.name}: fact {name} has an empty source")
    if data["verified"] and not data.get("checked_against"):
        raise JurisdictionPackError(f"{path.name}: fact {name} is marked verified but names no checked_against")
    details = {k: v for k, v in data.items() if k not in ("source", "verified", "checked_against", "value")}
    value = data.get("value", details)
    return Fact(
        name=name,
        value=_hashable(value),
        source=str(data["source"]).strip(),
        verified=bool(data["verified"]),
        checked_against=data.get("checked_against", ""),
    )


def _check_cap(fact: Fact, path: Path) -> None:
    data = fact.value
    method = data.get("method")
    if method not in TENURE_METHODS:
        raise JurisdictionPackError(f"{path.name}: tenure_cap.method must be one of {TENURE_METHODS}")
    if method == "none":
        return
    for key in ("counting_rule", "counting_basis"):
        if not data.get(key):
            raise JurisdictionPackError(f"{path.name}: tenure_cap needs {key} (how it is counted, and why)")
    if not (data.get("max_months") or data.get("max_days")):
        raise JurisdictionPackError(f"{path.name}: tenure_cap needs max_months or max_days")
    if method == "consecutive_with_gap_reset" and data.get("reset_after_gap_months") is None:
        raise JurisdictionPackError(f"{path.name}: a consecutive cap needs reset_after_gap_months")
    if method == "rolling_window" and not data.get("window_months"):
        raise JurisdictionPackError(f"{path.name}: a rolling-window cap needs window_months")


def _read(path: Path) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _parse(data: dict, path: Path, parent: "Jurisdiction | None") -> Jurisdiction:
    for key in ("code", "name", "version", "sources"):
        if not data.get(key):
            raise JurisdictionPackError(f"{path.name}: missing {key}")
    if not all(isinstance(s, dict) and s.get("title") and s.get("url") for s in data["sources"]):
        raise JurisdictionPackError(f"{path.name}: every entry of sources needs a title and a url")
    facts: dict[str, Fact] = {}
    for name in (*REQUIRED_FACTS, *OPTIONAL_FACTS):
        if name in data.get("facts", {}):
            facts[name] = _parse_fact(name, data["facts"][name], path)
        elif parent is not None and name in parent.facts:
            inherited = parent.facts[name]
            facts[name] = Fact(**{**inherited.__dict__, "inherited_from": inherited.inherited_from or parent.code})
        elif name in REQUIRED_FACTS:
            raise JurisdictionPackError(f"{path.name}: missing fact {name}")
    unknown = set(data.get("facts", {})) - set(REQUIRED_FACTS) - set(OPTIONAL_FACTS)
    if unknown:
        raise JurisdictionPackError(f"{path.name}: unknown facts {', '.join(sorted(unknown))}")
    _check_cap(facts["tenure_cap"], path)
    summary = data.get("contractor_control_summary") or (parent.contractor_control_summary if parent else "")
    if not summary:
        raise JurisdictionPackError(f"{path.name}: missing contractor_control_summary")
    return Jurisdiction(
        code=data["code"].upper(),
        name=data["name"],
        version=str(data["version"]),
        facts=facts,
        sources=tuple(data["sources"]),
        contractor_control_summary=summary,
        contractor_any_control_fires=bool(data.get("contractor_any_control_fires", False)),
        notes=tuple(data.get("notes", ())),
        reviewed_on=str(data.get("reviewed_on", "")),
        variant_of=data.get("variant_of", ""),
        raw=data,
    )


def load_pack(path: Path, parent: Jurisdiction | None = None) -> Jurisdiction:
    return _parse(_read(path), path, parent)


_only: frozenset[str] | None = None


def limit_packs(codes) -> None:
    """Load only the packs in `codes` (and default.toml) from now on in this process; None loads
    every pack again. For measuring what the packs cost (`manage.py bench_scan --packs DE PL GB US
    US-CA`): a worker of a country left out is judged by the default pack, as one without a pack is."""
    global _only
    _only = None if codes is None else frozenset(code.upper() for code in codes)
    all_jurisdictions.cache_clear()


@cache
def all_jurisdictions() -> dict[str, Jurisdiction]:
    """Every pack shipped (or those `limit_packs` kept), keyed by code ("DE", "US-CA", "DEFAULT").
    Read once per process."""
    default_path = PACK_DIR / "default.toml"
    if not default_path.exists():
        raise JurisdictionPackError("default.toml is required")
    default = load_pack(default_path)
    packs = {DEFAULT_CODE: default}
    raw = {path: _read(path) for path in sorted(PACK_DIR.glob("*.toml")) if path != default_path}
    # Countries first, then their variants (which inherit from them).
    for path, data in sorted(raw.items(), key=lambda item: bool(item[1].get("variant_of"))):
        parent = packs.get(str(data.get("variant_of", "")).upper()) or default
        pack = _parse(data, path, parent)
        if _only is None or pack.code in _only:
            packs[pack.code] = pack
    return packs


def jurisdiction_for(country: str, subdivision: str = "") -> Jurisdiction:
    """The pack for a worker in `country` (ISO 3166-1) and, when known, `subdivision` (ISO 3166-2
    such as "US-CA", or just "CA" for the country's subdivision)."""
    packs = all_jurisdictions()
    country = (country or "").upper()
    subdivision = (subdivision or "").upper()
    if subdivision:
        code = subdivision if "-" in subdivision else f"{country}-{subdivision}"
        if code in packs:
            return packs[code]
    return packs.get(country) or packs[DEFAULT_CODE]
