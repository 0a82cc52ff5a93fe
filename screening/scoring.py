"""The validity-weighted composite and the pass rule — pure arithmetic over already-fetched scores,
so the numbers can be checked by hand (tests/test_scoring.py)."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .cefr import cefr_at_least
from .choices import CEFR_SKILLS
from .validity import METHOD_VALIDITY, MixValidity, mix_validity

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")


def rating_to_score(rating) -> Decimal:
    """A 1–5 anchored rating on the common 0–100 scale: 1 → 0, 3 → 50, 5 → 100."""
    return (Decimal(rating) - 1) / 4 * HUNDRED


def normalize(raw, minimum, maximum) -> Decimal:
    """Percent of the scale's range (POMP): every method lands on the same 0–100 scale before weighting."""
    raw, minimum, maximum = Decimal(raw), Decimal(minimum), Decimal(maximum)
    return ((raw - minimum) / (maximum - minimum) * HUNDRED).quantize(TWO_PLACES, ROUND_HALF_UP)


def interview_score(scorecards_ratings: list[dict]) -> Decimal | None:
    """Mean over interviewers of each interviewer's mean competency rating, on 0–100."""
    per_interviewer = [
        sum(rating_to_score(r) for r in ratings.values()) / len(ratings) for ratings in scorecards_ratings if ratings
    ]
    if not per_interviewer:
        return None
    return sum(per_interviewer) / len(per_interviewer)


@dataclass(frozen=True)
class MethodScore:
    method: str
    label: str
    weight: Decimal
    validity: Decimal
    score: Decimal | None

    @property
    def effective_weight(self) -> Decimal:
        """Template weight × published validity: what the method counts for in the composite."""
        return self.weight * self.validity


@dataclass(frozen=True)
class Composite:
    methods: list[MethodScore]
    score: Decimal | None
    validity: MixValidity
    missing: list[str] = field(default_factory=list)

    @property
    def scored_validity(self) -> MixValidity:
        """The expected validity of the methods scored so far: what the composite rests on today."""
        return mix_validity([m.method for m in self.methods if m.score is not None])

    @property
    def complete(self) -> bool:
        return not self.missing and self.score is not None

    @property
    def rows(self) -> list[tuple[MethodScore, Decimal]]:
        return [(m, self.share(m)) for m in self.methods]

    def share(self, method_score: MethodScore) -> Decimal:
        """The method's share of the composite in percent."""
        total = sum(m.effective_weight for m in self.methods)
        return (method_score.effective_weight / total * HUNDRED).quantize(Decimal("1")) if total else Decimal(0)


def composite_compute(*, weights: dict[str, Decimal], scores: dict[str, Decimal | None]) -> Composite:
    """composite = Σ(weightᵢ · validityᵢ · scoreᵢ) / Σ(weightᵢ · validityᵢ) over the template's methods
    that have a score; methods without a published validity are not part of it."""
    methods = [
        MethodScore(
            method=code,
            label=METHOD_VALIDITY[code].label,
            weight=Decimal(str(weight)),
            validity=METHOD_VALIDITY[code].validity,
            score=scores.get(code),
        )
        for code, weight in weights.items()
        if code in METHOD_VALIDITY
    ]
    scored = [m for m in methods if m.score is not None and m.effective_weight > 0]
    denominator = sum(m.effective_weight for m in scored)
    score = None
    if denominator:
        score = (sum(m.effective_weight * Decimal(m.score) for m in scored) / denominator).quantize(
            TWO_PLACES, ROUND_HALF_UP
        )
    missing = [m.label for m in methods if m.score is None]
    return Composite(methods=methods, score=score, validity=mix_validity(weights.keys()), missing=missing)


def pass_rule_failures(
    *,
    composite: Composite,
    threshold: Decimal,
    min_cefr: dict[str, str],
    cefr_levels: dict[str, str],
    show_score: bool = True,
) -> list[str]:
    """Why the screening does not meet the template's pass rule (empty when it does): every method
    scored, the composite at or above the threshold, every minimum CEFR level reached. With
    `show_score` False (a viewer still blind to the interview ratings) the composite is not quoted."""
    failures = []
    pass_mark = format(Decimal(threshold).normalize(), "f")
    if composite.missing:
        failures.append("Not yet scored: " + ", ".join(composite.missing) + ".")
    if composite.score is None or composite.score < Decimal(threshold):
        if not show_score:
            failures.append(f"The composite is below the pass mark {pass_mark}.")
        else:
            shown = "no score" if composite.score is None else f"{composite.score}"
            failures.append(f"Composite {shown} is below the pass mark {pass_mark}.")
    for skill in CEFR_SKILLS:
        minimum = min_cefr.get(skill)
        if minimum and not cefr_at_least(cefr_levels.get(skill, ""), minimum):
            level = cefr_levels.get(skill) or "not tested"
            failures.append(f"{skill.capitalize()} is {level}; the role needs at least {minimum}.")
    return failures
