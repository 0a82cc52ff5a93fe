import pytest

from jurisdictions import (
    PACK_DIR,
    JurisdictionPackError,
    all_jurisdictions,
    jurisdiction_for,
    load_pack,
)


def test_every_required_pack_ships_and_loads():
    packs = all_jurisdictions()
    twenty = {"DE", "PL", "GB", "US", "US-CA", "FR", "IT", "ES", "NL", "PT", "CZ", "RO", "HU", "BR", "MX", "CO"}
    assert twenty | {"AR", "IN", "PH", "ZA", "DEFAULT"} == set(packs)
    for pack in packs.values():
        assert pack.version and pack.sources
        # Every fact names its source; a verified fact names what it was checked against.
        for fact in pack.facts.values():
            assert fact.source, (pack.code, fact.name)
            assert not fact.verified or fact.checked_against, (pack.code, fact.name)


def test_caps_and_counting_rules_are_data():
    de, pl = jurisdiction_for("DE"), jurisdiction_for("pl")
    assert (de.tenure_cap.method, de.tenure_cap.max_months, de.tenure_cap.reset_after_gap_months) == (
        "consecutive_with_gap_reset",
        18,
        3,
    )
    assert not de.tenure_cap.provider_change_resets and de.licence_required
    assert (pl.tenure_cap.method, pl.tenure_cap.max_months, pl.tenure_cap.window_months) == ("rolling_window", 18, 36)
    assert jurisdiction_for("GB").tenure_cap is None


def test_lookup_variant_country_and_default():
    assert jurisdiction_for("US", "US-CA").code == "US-CA"
    assert jurisdiction_for("US", "CA").code == "US-CA"
    assert jurisdiction_for("US", "TX").code == "US"
    assert jurisdiction_for("FR").code == "FR"
    assert jurisdiction_for("JP").code == "DEFAULT"


BROKEN_PACKS = {
    "no sources": ('code = "XX"\nname = "X"\nversion = "1"\ncontractor_control_summary = "x"\n', "sources"),
    "a fact without a source": (
        'code = "XX"\nname = "X"\nversion = "1"\ncontractor_control_summary = "x"\n'
        'sources = [{ title = "t", url = "https://example.test" }]\n'
        '[facts.standard_full_time_hours]\nvalue = 40\nsource = ""\nverified = false\n',
        "empty source",
    ),
    "verified without checked_against": (
        'code = "XX"\nname = "X"\nversion = "1"\ncontractor_control_summary = "x"\n'
        'sources = [{ title = "t", url = "https://example.test" }]\n'
        '[facts.standard_full_time_hours]\nvalue = 40\nsource = "Act 1"\nverified = true\n',
        "checked_against",
    ),
    "a cap without its counting basis": (
        'code = "XX"\nname = "X"\nversion = "1"\ncontractor_control_summary = "x"\n'
        'sources = [{ title = "t", url = "https://example.test" }]\n'
        '[facts.tenure_cap]\nmethod = "per_contract"\nmax_months = 18\ncounting_rule = "r"\n'
        'source = "Act 1"\nverified = false\n',
        "counting_basis",
    ),
}


@pytest.mark.parametrize("case", BROKEN_PACKS)
def test_a_pack_without_sources_or_with_a_broken_fact_does_not_load(tmp_path, case):
    text, message = BROKEN_PACKS[case]
    path = tmp_path / "xx.toml"
    path.write_text(text)
    with pytest.raises(JurisdictionPackError, match=message):
        load_pack(path, all_jurisdictions()["DEFAULT"])
    assert PACK_DIR.exists()


def test_unverified_facts_are_cited_as_unverified():
    cz = jurisdiction_for("CZ")
    assert not cz.facts["tenure_cap"].verified
    assert cz.tenure_cap.source.endswith("[unverified]")
    fr = jurisdiction_for("FR")
    assert fr.facts["tenure_cap"].verified and "[unverified]" not in fr.tenure_cap.source


def test_providers_read_the_same_facts():
    from providers.compliance_requirements import required_kinds, staffing_licence_required  # noqa: PLC0415

    for code, pack in all_jurisdictions().items():
        if code == "DEFAULT" or "-" in code:
            continue
        assert staffing_licence_required(code) == pack.licence_required, code
        assert required_kinds(code) == pack.compliance_kinds, code


def test_the_risk_engine_doc_lists_every_rule_and_every_pack():
    from pathlib import Path  # noqa: PLC0415

    from risks.rules import RULES  # noqa: PLC0415

    doc = (Path(__file__).resolve().parents[2] / "docs" / "risk-engine.md").read_text()
    for code in RULES:
        assert f"`{code}`" in doc, code
    for code, pack in all_jurisdictions().items():
        assert f"(`{code}`, version {pack.version})" in doc, code
