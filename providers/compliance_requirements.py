"""Which compliance items a provider must keep for a worker employed in a given country.

This is data, not logic: one entry per country, with the legal source a compliance officer can
check. The risks app keeps the fuller jurisdiction packs (tenure caps, gap rules); providers sits
below risks in the layering, so the few facts the provider workspace needs are kept here.
"""

from dataclasses import dataclass

from .choices import ComplianceKind as K

_BASELINE = (
    K.EMPLOYMENT_CONTRACT_SIGNED,
    K.RIGHT_TO_WORK,
    K.TAX_REGISTRATION,
    K.SOCIAL_SECURITY_REGISTRATION,
    K.IP_ASSIGNMENT,
)


@dataclass(frozen=True)
class CountryRequirements:
    country: str
    kinds: tuple[str, ...]
    staffing_licence_required: bool = False
    source: str = ""


COUNTRY_REQUIREMENTS: dict[str, CountryRequirements] = {
    "DE": CountryRequirements(
        "DE",
        (*_BASELINE, K.BENEFITS_ENROLMENT, K.STAFFING_LICENCE_CHECK),
        staffing_licence_required=True,
        source="AÜG §1(1) (Arbeitnehmerüberlassungserlaubnis); SGB IV §28a (social security notification)",
    ),
    "PL": CountryRequirements(
        "PL",
        (*_BASELINE, K.STAFFING_LICENCE_CHECK),
        staffing_licence_required=True,
        source="Ustawa o zatrudnianiu pracowników tymczasowych art. 2; KRAZ register of employment agencies",
    ),
    "GB": CountryRequirements(
        "GB",
        (*_BASELINE, K.BENEFITS_ENROLMENT),
        source="Immigration, Asylum and Nationality Act 2006 s.15 (right to work); Pensions Act 2008 (auto-enrolment)",
    ),
    "US": CountryRequirements(
        "US",
        (K.EMPLOYMENT_CONTRACT_SIGNED, K.RIGHT_TO_WORK, K.TAX_REGISTRATION, K.IP_ASSIGNMENT, K.BACKGROUND_CHECK),
        source="8 U.S.C. §1324a (Form I-9); IRS Form W-4",
    ),
}

DEFAULT_REQUIREMENTS = CountryRequirements("", _BASELINE, source="Baseline for an employer of record")


def requirements_for(country: str) -> CountryRequirements:
    return COUNTRY_REQUIREMENTS.get((country or "").upper(), DEFAULT_REQUIREMENTS)


def required_kinds(country: str) -> tuple[str, ...]:
    return tuple(str(kind) for kind in requirements_for(country).kinds)


def staffing_licence_required(country: str) -> bool:
    return requirements_for(country).staffing_licence_required
