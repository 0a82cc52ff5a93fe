"""Jurisdiction packs: the legal facts the rules use (full-time hours, staffing-licence duty, tenure
caps and how they are counted, sources), one JSON file per country, versioned with the code and
shown on the jurisdictions page (DESIGN §6). Rules read these facts; they hold no country constants.

A sub-national variant (e.g. ``us-ca.json``) is chosen when the worker's subdivision is known
(ISO 3166-2, e.g. ``US-CA``); otherwise the country pack applies, and a country without a pack gets
``default.json``."""

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

PACK_DIR = Path(__file__).resolve().parent
DEFAULT_CODE = "DEFAULT"

REQUIRED_KEYS = (
    "code",
    "name",
    "version",
    "standard_full_time_hours",
    "full_time_threshold_hours",
    "staffing_licence",
    "tenure_cap",
    "contractor_control_tests",
    "contractor_control_summary",
    "contractor_permanence_months",
    "outsourcing_direction_source",
    "engagement_model_source",
    "written_contract_source",
    "employer_registration_source",
    "contractor_permanence_source",
    "contractor_continuity_gap_days",
    "contractor_continuity_gap_source",
    "sources",
)
TENURE_METHODS = ("consecutive_with_gap_reset", "rolling_window")


class JurisdictionPackError(ValueError):
    """A pack file is missing a fact or states it in a shape the rules cannot use."""


@dataclass(frozen=True)
class TenureCap:
    method: str
    max_months: int
    warn_days_before: int
    counting_rule: str
    source: str
    reset_after_gap_months: int | None = None
    window_months: int | None = None
    provider_change_resets: bool = False


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name: str
    version: str
    standard_full_time_hours: float
    full_time_threshold_hours: float
    licence_required: bool
    licence_name: str
    licence_source: str
    tenure_cap: TenureCap | None
    contractor_control_tests: tuple[str, ...]
    contractor_control_summary: str
    contractor_any_control_fires: bool
    contractor_permanence_months: int
    outsourcing_direction_source: str
    engagement_model_source: str
    written_contract_source: str
    employer_registration_source: str
    contractor_permanence_source: str
    sources: tuple[dict, ...]
    contractor_continuity_gap_days: int = 31
    contractor_continuity_gap_source: str = ""
    notes: tuple[str, ...] = ()
    reviewed_on: str = ""
    variant_of: str = ""
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def reference(self) -> dict:
        """What a finding's evidence records about the pack it was judged by."""
        return {"code": self.code, "name": self.name, "version": self.version}


def _parse(data: dict[str, Any], path: Path) -> Jurisdiction:
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise JurisdictionPackError(f"{path.name}: missing {', '.join(missing)}")
    cap_data = data["tenure_cap"]
    cap = None
    if cap_data is not None:
        if cap_data.get("method") not in TENURE_METHODS:
            raise JurisdictionPackError(f"{path.name}: tenure_cap.method must be one of {TENURE_METHODS}")
        if cap_data["method"] == "consecutive_with_gap_reset" and cap_data.get("reset_after_gap_months") is None:
            raise JurisdictionPackError(f"{path.name}: a consecutive cap needs reset_after_gap_months")
        if cap_data["method"] == "rolling_window" and not cap_data.get("window_months"):
            raise JurisdictionPackError(f"{path.name}: a rolling-window cap needs window_months")
        cap = TenureCap(
            method=cap_data["method"],
            max_months=int(cap_data["max_months"]),
            warn_days_before=int(cap_data.get("warn_days_before", 90)),
            counting_rule=cap_data["counting_rule"],
            source=cap_data["source"],
            reset_after_gap_months=cap_data.get("reset_after_gap_months"),
            window_months=cap_data.get("window_months"),
            provider_change_resets=bool(cap_data.get("provider_change_resets", False)),
        )
    licence = data["staffing_licence"]
    return Jurisdiction(
        code=data["code"].upper(),
        name=data["name"],
        version=str(data["version"]),
        standard_full_time_hours=float(data["standard_full_time_hours"]),
        full_time_threshold_hours=float(data["full_time_threshold_hours"]),
        licence_required=bool(licence["required"]),
        licence_name=licence.get("name", ""),
        licence_source=licence.get("source", ""),
        tenure_cap=cap,
        contractor_control_tests=tuple(data["contractor_control_tests"]),
        contractor_control_summary=data["contractor_control_summary"],
        contractor_any_control_fires=bool(data.get("contractor_any_control_fires", False)),
        contractor_permanence_months=int(data["contractor_permanence_months"]),
        outsourcing_direction_source=data["outsourcing_direction_source"],
        engagement_model_source=data["engagement_model_source"],
        written_contract_source=data["written_contract_source"],
        employer_registration_source=data["employer_registration_source"],
        contractor_permanence_source=data["contractor_permanence_source"],
        sources=tuple(data["sources"]),
        contractor_continuity_gap_days=int(data["contractor_continuity_gap_days"]),
        contractor_continuity_gap_source=data["contractor_continuity_gap_source"],
        notes=tuple(data.get("notes", ())),
        reviewed_on=data.get("reviewed_on", ""),
        variant_of=data.get("variant_of", ""),
        raw=data,
    )


def load_pack(path: Path) -> Jurisdiction:
    with path.open(encoding="utf-8") as handle:
        return _parse(json.load(handle), path)


@cache
def all_jurisdictions() -> dict[str, Jurisdiction]:
    """Every pack shipped, keyed by code ("DE", "US-CA", "DEFAULT"). Read once per process."""
    packs = {}
    for path in sorted(PACK_DIR.glob("*.json")):
        pack = load_pack(path)
        packs[pack.code] = pack
    if DEFAULT_CODE not in packs:
        raise JurisdictionPackError("default.json is required")
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
