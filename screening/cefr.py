"""Language test scores → CEFR levels, from the tests' published scales (DESIGN §7).

- EF SET (0–100): A1 21–30, A2 31–40, B1 41–50, B2 51–60, C1 61–70, C2 71–100; 0–20 is below A1.
  https://www.efset.org/cefr/
- Linguaskill (reports 82–180 on the Cambridge English Scale): below A1 82–99, A1 100–119, A2 120–139,
  B1 140–159, B2 160–179, "C1 or above" 180 (the top of its range; it does not separate C2).
  https://www.cambridgeenglish.org/exams-and-tests/linguaskill/results/
- Cambridge English Scale (80–230, the scale of the Cambridge English Qualifications): below A1 80–99,
  A1 100–119, A2 120–139, B1 140–159, B2 160–179, C1 180–199, C2 200–230.
  https://www.cambridgeenglish.org/exams-and-tests/cambridge-english-scale/
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from .choices import CEFR_ORDER, AssessmentScale, CefrLevel


@dataclass(frozen=True)
class LanguageScale:
    code: str
    name: str
    minimum: Decimal
    maximum: Decimal
    # (lowest score of the band, level), highest band first.
    bands: tuple[tuple[Decimal, str], ...]

    @property
    def range_text(self) -> str:
        return f"{self.minimum:g}–{self.maximum:g}"


LANGUAGE_SCALES: dict[str, LanguageScale] = {
    AssessmentScale.EFSET: LanguageScale(
        AssessmentScale.EFSET,
        "EF SET",
        Decimal(0),
        Decimal(100),
        (
            (Decimal(71), CefrLevel.C2),
            (Decimal(61), CefrLevel.C1),
            (Decimal(51), CefrLevel.B2),
            (Decimal(41), CefrLevel.B1),
            (Decimal(31), CefrLevel.A2),
            (Decimal(21), CefrLevel.A1),
            (Decimal(0), CefrLevel.A0),
        ),
    ),
    AssessmentScale.LINGUASKILL: LanguageScale(
        AssessmentScale.LINGUASKILL,
        "Linguaskill",
        Decimal(82),
        Decimal(180),
        (
            (Decimal(180), CefrLevel.C1),  # "C1 or above"
            (Decimal(160), CefrLevel.B2),
            (Decimal(140), CefrLevel.B1),
            (Decimal(120), CefrLevel.A2),
            (Decimal(100), CefrLevel.A1),
            (Decimal(82), CefrLevel.A0),
        ),
    ),
    AssessmentScale.CAMBRIDGE: LanguageScale(
        AssessmentScale.CAMBRIDGE,
        "Cambridge English Scale",
        Decimal(80),
        Decimal(230),
        (
            (Decimal(200), CefrLevel.C2),
            (Decimal(180), CefrLevel.C1),
            (Decimal(160), CefrLevel.B2),
            (Decimal(140), CefrLevel.B1),
            (Decimal(120), CefrLevel.A2),
            (Decimal(100), CefrLevel.A1),
            (Decimal(80), CefrLevel.A0),
        ),
    ),
}


def cefr_from_score(*, scale: str, score, field: str = "raw_score") -> str:
    """The CEFR level of `score` on a published language scale; a ValidationError naming the scale's
    range when the score is outside it."""
    language_scale = LANGUAGE_SCALES.get(scale)
    if language_scale is None:
        raise ValidationError({"scale": f"{scale!r} is not a language scale with a CEFR mapping."})
    try:
        value = Decimal(str(score))
    except ArithmeticError as error:
        raise ValidationError({field: f"{score!r} is not a number."}) from error
    if not value.is_finite() or not language_scale.minimum <= value <= language_scale.maximum:
        raise ValidationError(
            {field: f"{score} is outside the {language_scale.name} range {language_scale.range_text}."}
        )
    for lowest, level in language_scale.bands:
        if value >= lowest:
            return level
    raise AssertionError("unreachable: the lowest band starts at the scale minimum")


def cefr_at_least(level: str, minimum: str) -> bool:
    return bool(level) and CEFR_ORDER[level] >= CEFR_ORDER[minimum]
