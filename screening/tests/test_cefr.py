"""CEFR mappings at every band edge of both published scales (DESIGN §7)."""

import pytest
from django.core.exceptions import ValidationError

from screening.cefr import cefr_from_score

EFSET_EDGES = [
    (0, "A0"),
    (20, "A0"),
    (20.5, "A0"),
    (21, "A1"),
    (30, "A1"),
    (31, "A2"),
    (40, "A2"),
    (41, "B1"),
    (50, "B1"),
    (51, "B2"),
    (60, "B2"),
    (61, "C1"),
    (70, "C1"),
    (71, "C2"),
    (100, "C2"),
]
CAMBRIDGE_EDGES = [
    (80, "A0"),
    (99, "A0"),
    (100, "A1"),
    (119, "A1"),
    (120, "A2"),
    (139, "A2"),
    (140, "B1"),
    (159, "B1"),
    (160, "B2"),
    (179, "B2"),
    (180, "C1"),
    (199, "C1"),
    (200, "C2"),
    (230, "C2"),
]
# Linguaskill's own reporting range (82–180): 180 is "C1 or above", the top of the range.
LINGUASKILL_EDGES = [
    (82, "A0"),
    (99, "A0"),
    (100, "A1"),
    (119, "A1"),
    (120, "A2"),
    (139, "A2"),
    (140, "B1"),
    (159, "B1"),
    (160, "B2"),
    (179, "B2"),
    (180, "C1"),
]


@pytest.mark.parametrize("score, level", EFSET_EDGES)
def test_efset_band_edges(score, level):
    assert cefr_from_score(scale="efset", score=score) == level


@pytest.mark.parametrize("score, level", CAMBRIDGE_EDGES)
def test_cambridge_english_scale_band_edges(score, level):
    assert cefr_from_score(scale="cambridge", score=score) == level


@pytest.mark.parametrize("score, level", LINGUASKILL_EDGES)
def test_linguaskill_band_edges(score, level):
    assert cefr_from_score(scale="linguaskill", score=score) == level


@pytest.mark.parametrize(
    "scale, score, range_text",
    [
        ("efset", -1, "0–100"),
        ("efset", 101, "0–100"),
        ("cambridge", 79, "80–230"),
        ("cambridge", 231, "80–230"),
        ("linguaskill", 81, "82–180"),
        ("linguaskill", 181, "82–180"),
    ],
)
def test_out_of_range_names_the_range(scale, score, range_text):
    with pytest.raises(ValidationError) as error:
        cefr_from_score(scale=scale, score=score)
    assert range_text in str(error.value.message_dict["raw_score"])


def test_not_a_number_is_a_validation_error():
    with pytest.raises(ValidationError):
        cefr_from_score(scale="efset", score="lots")
