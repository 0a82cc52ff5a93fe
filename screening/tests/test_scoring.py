"""The composite and the expected validity against hand-computed values."""

from decimal import Decimal

import pytest

from screening.scoring import composite_compute, interview_score, normalize, pass_rule_failures, rating_to_score
from screening.validity import METHOD_VALIDITY, mix_validity


def test_published_validities_are_the_cited_values():
    assert {code: str(m.validity) for code, m in METHOD_VALIDITY.items()} == {
        "structured_interview": "0.42",
        "job_knowledge": "0.40",
        "work_sample": "0.33",
        "cognitive": "0.31",
        "unstructured_interview": "0.19",
        "resume_review": "0.07",
    }


def test_rating_and_scale_normalization():
    assert [rating_to_score(r) for r in (1, 2, 3, 4, 5)] == [0, 25, 50, 75, 100]
    assert normalize(30, 0, 40) == Decimal("75.00")
    assert normalize(140, 80, 230) == Decimal("40.00")


def test_interview_score_is_mean_of_interviewers_means():
    # A: (4+5+3)/3 = 4 → 75; B: 3 → 50; mean 62.5
    assert interview_score([{"a": 4, "b": 5, "c": 3}, {"a": 3, "b": 3, "c": 3}]) == Decimal("62.5")
    assert interview_score([]) is None


def test_two_method_composite_by_hand():
    # weights × validity: SI .5×.42 = .21, WS .5×.33 = .165
    # (.21×75 + .165×60) / .375 = 25.65 / .375 = 68.40
    composite = composite_compute(
        weights={"structured_interview": 0.5, "work_sample": 0.5},
        scores={"structured_interview": Decimal(75), "work_sample": Decimal(60)},
    )
    assert composite.score == Decimal("68.40")
    assert composite.complete


def test_four_method_composite_by_hand():
    # SI .35×.42=.147, WS .35×.33=.1155, GMA .15×.31=.0465, JK .15×.40=.06 → Σ .369
    # .147×75 + .1155×80 + .0465×60 + .06×50 = 11.025 + 9.24 + 2.79 + 3.0 = 26.055 → 26.055/.369 = 70.609…
    composite = composite_compute(
        weights={"structured_interview": 0.35, "work_sample": 0.35, "cognitive": 0.15, "job_knowledge": 0.15},
        scores={
            "structured_interview": Decimal(75),
            "work_sample": Decimal(80),
            "cognitive": Decimal(60),
            "job_knowledge": Decimal(50),
        },
    )
    assert composite.score == Decimal("70.61")
    shares = {m.method: composite.share(m) for m in composite.methods}
    assert shares == {"structured_interview": 40, "work_sample": 31, "cognitive": 13, "job_knowledge": 16}


def test_missing_method_leaves_composite_incomplete_over_the_scored_ones():
    composite = composite_compute(
        weights={"structured_interview": 0.5, "work_sample": 0.5}, scores={"structured_interview": Decimal(50)}
    )
    assert composite.score == Decimal("50.00")
    assert not composite.complete
    assert composite.missing == ["Work sample / skills test"]


def test_mix_validity_uses_schmidt_hunter_combinations_and_sackett_singles():
    assert mix_validity(["cognitive", "structured_interview"]).value == Decimal("0.63")
    assert mix_validity(["cognitive", "work_sample"]).value == Decimal("0.63")
    assert "Schmidt & Hunter 1998" in mix_validity(["cognitive", "work_sample"]).basis
    only_si_ws = mix_validity(["structured_interview", "work_sample"])
    assert only_si_ws.value == Decimal("0.42") and "Sackett et al. 2022" in only_si_ws.basis
    assert not only_si_ws.is_weak


@pytest.mark.parametrize("method, value", [("resume_review", "0.07"), ("unstructured_interview", "0.19")])
def test_resume_or_unstructured_only_is_weak(method, value):
    validity = mix_validity([method])
    assert validity.value == Decimal(value)
    assert validity.is_weak
    assert "weak" in validity.explanation


def test_plain_language_odds():
    # 1/2 + asin(r)/π: .42 → 63.8, .07 → 52.2, .63 → 71.7
    assert mix_validity(["structured_interview"]).better_of_two_per_100 == 64
    assert mix_validity(["resume_review"]).better_of_two_per_100 == 52
    assert mix_validity(["cognitive", "structured_interview"]).better_of_two_per_100 == 72
    assert "64 times in 100" in mix_validity(["structured_interview"]).explanation
    assert mix_validity([]).value is None


def test_pass_rule_failures():
    composite = composite_compute(weights={"work_sample": 1}, scores={"work_sample": Decimal(59)})
    failures = pass_rule_failures(
        composite=composite, threshold=Decimal(60), min_cefr={"speaking": "B2"}, cefr_levels={"speaking": "B1"}
    )
    assert failures == [
        "Composite 59.00 is below the pass mark 60.",
        "Speaking is B1; the role needs at least B2.",
    ]
    passing = composite_compute(weights={"work_sample": 1}, scores={"work_sample": Decimal(60)})
    assert (
        pass_rule_failures(
            composite=passing, threshold=Decimal(60), min_cefr={"speaking": "B2"}, cefr_levels={"speaking": "C1"}
        )
        == []
    )


def test_scored_validity_is_that_of_the_methods_scored_so_far():
    weights = {"cognitive": 0.3, "structured_interview": 0.7}
    partial = composite_compute(weights=weights, scores={"structured_interview": Decimal(50)})
    assert partial.validity.value == Decimal("0.63")  # the template's mix (Schmidt & Hunter 1998)
    assert partial.scored_validity.value == Decimal("0.42")  # what the composite rests on today
    full = composite_compute(weights=weights, scores={"structured_interview": Decimal(50), "cognitive": Decimal(50)})
    assert full.scored_validity.value == Decimal("0.63")
