import json

import pytest

from risks.jurisdictions import (
    PACK_DIR,
    JurisdictionPackError,
    all_jurisdictions,
    jurisdiction_for,
    load_pack,
)


def test_every_required_pack_ships_and_loads():
    packs = all_jurisdictions()
    assert {"DE", "PL", "GB", "US", "US-CA", "DEFAULT"} <= set(packs)
    for pack in packs.values():
        assert pack.version and pack.sources


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
    assert jurisdiction_for("FR").code == "DEFAULT"


def test_a_broken_pack_is_refused(tmp_path):
    data = json.loads((PACK_DIR / "de.json").read_text())
    del data["tenure_cap"]["reset_after_gap_months"]
    path = tmp_path / "xx.json"
    path.write_text(json.dumps(data))
    with pytest.raises(JurisdictionPackError):
        load_pack(path)
    del data["sources"]
    path.write_text(json.dumps(data))
    with pytest.raises(JurisdictionPackError, match="sources"):
        load_pack(path)
