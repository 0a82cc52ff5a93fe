"""The provider workspace keeps its own copy of the staffing-licence duty (providers sits below risks
and cannot read the packs); both must say the same for every country with a pack."""

from providers.compliance_requirements import required_kinds, staffing_licence_required
from risks.jurisdictions import DEFAULT_CODE, all_jurisdictions


def test_staffing_licence_duty_agrees_with_the_jurisdiction_packs():
    for code, pack in all_jurisdictions().items():
        if code == DEFAULT_CODE or "-" in code:
            continue
        assert staffing_licence_required(code) == pack.licence_required, code
        assert ("staffing_licence_check" in required_kinds(code)) == pack.licence_required, code
