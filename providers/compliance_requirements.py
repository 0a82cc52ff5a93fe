"""Which compliance items a provider must keep for a worker employed in a given country, and whether
the country requires a staffing licence. The facts live once, in the `jurisdictions` packs (each with
its legal source), which the risk rules read too; this module only presents them to the provider
workspace."""

from dataclasses import dataclass

from jurisdictions import DEFAULT_CODE, all_jurisdictions


@dataclass(frozen=True)
class CountryRequirements:
    country: str
    kinds: tuple[str, ...]
    staffing_licence_required: bool = False
    source: str = ""
    licence_source: str = ""
    licence_headcount_threshold: int | None = None


def _requirements(pack) -> CountryRequirements:
    return CountryRequirements(
        country="" if pack.code == DEFAULT_CODE else pack.code,
        kinds=pack.compliance_kinds,
        staffing_licence_required=pack.licence_required,
        source=pack.facts["compliance_kinds"].cited,
        licence_source=pack.licence_source,
        licence_headcount_threshold=pack.licence_headcount_threshold,
    )


# Country packs only (sub-national variants such as US-CA share their country's compliance items).
COUNTRY_REQUIREMENTS: dict[str, CountryRequirements] = {
    code: _requirements(pack)
    for code, pack in sorted(all_jurisdictions().items())
    if code != DEFAULT_CODE and "-" not in code
}
DEFAULT_REQUIREMENTS = _requirements(all_jurisdictions()[DEFAULT_CODE])


def requirements_for(country: str) -> CountryRequirements:
    return COUNTRY_REQUIREMENTS.get((country or "").upper(), DEFAULT_REQUIREMENTS)


def required_kinds(country: str) -> tuple[str, ...]:
    return tuple(str(kind) for kind in requirements_for(country).kinds)


def staffing_licence_required(country: str) -> bool:
    """Whether the country requires a staffing licence at all (in India only from a headcount, which
    the risk rule checks; a provider still records the licence it holds)."""
    return requirements_for(country).staffing_licence_required
