"""`manage.py bench_scan --packs DE PL GB US US-CA` measures the scan with only those jurisdiction
packs loaded (issue #12: twenty packs must not cost more than 20 % over five)."""

import pytest
from django.core.management import CommandError, call_command

from jurisdictions import DEFAULT_CODE, all_jurisdictions, jurisdiction_for, limit_packs


@pytest.fixture
def every_pack_afterwards():
    yield
    limit_packs(None)


def test_limit_packs_leaves_the_others_to_the_default_pack(every_pack_afterwards):
    assert jurisdiction_for("FR").code == "FR"
    limit_packs(["de", "PL", "GB", "US", "US-CA"])
    assert sorted(code for code in all_jurisdictions() if code != DEFAULT_CODE) == ["DE", "GB", "PL", "US", "US-CA"]
    assert jurisdiction_for("FR").code == DEFAULT_CODE
    assert jurisdiction_for("US", "CA").code == "US-CA"
    limit_packs(None)
    assert len(all_jurisdictions()) == 21  # twenty countries and the default


def test_bench_scan_refuses_a_pack_that_does_not_exist(every_pack_afterwards):
    with pytest.raises(CommandError, match="No such pack: XX"):
        call_command("bench_scan", packs=["DE", "XX"])
