"""Published predictive validities of selection methods — cited data, in one place (DESIGN §7).

Values are operational validities (correlations with rated job performance) from meta-analyses:

- Sackett, P. R., Zhang, C., Berry, C. M., & Lievens, F. (2022). Revisiting meta-analytic estimates
  of validity in personnel selection: Addressing systematic overcorrection for restriction of range.
  Journal of Applied Psychology, 107(11), 2040–2068. https://doi.org/10.1037/apl0000994
- Schmidt, F. L., & Hunter, J. E. (1998). The validity and utility of selection methods in personnel
  psychology: Practical and theoretical implications of 85 years of research findings.
  Psychological Bulletin, 124(2), 262–274. https://doi.org/10.1037/0033-2909.124.2.262

The composite weights each method by the template's weight times its published validity, so a
method that predicts performance better counts for more. The expected validity of a *mix* is taken
from Schmidt & Hunter (1998) where they report that combination (GMA + structured interview, GMA +
work sample: .63); otherwise it is the best single method in the mix (Sackett et al. 2022) — a
conservative floor, since we do not have the method intercorrelations needed to compute a multiple R.
"""

import math
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Source:
    key: str
    short: str
    citation: str
    url: str


SACKETT_2022 = Source(
    key="sackett2022",
    short="Sackett et al. 2022",
    citation=(
        "Sackett, P. R., Zhang, C., Berry, C. M., & Lievens, F. (2022). Revisiting meta-analytic estimates of "
        "validity in personnel selection: Addressing systematic overcorrection for restriction of range. "
        "Journal of Applied Psychology, 107(11), 2040–2068."
    ),
    url="https://doi.org/10.1037/apl0000994",
)
SCHMIDT_HUNTER_1998 = Source(
    key="schmidt_hunter1998",
    short="Schmidt & Hunter 1998",
    citation=(
        "Schmidt, F. L., & Hunter, J. E. (1998). The validity and utility of selection methods in personnel "
        "psychology: Practical and theoretical implications of 85 years of research findings. "
        "Psychological Bulletin, 124(2), 262–274."
    ),
    url="https://doi.org/10.1037/0033-2909.124.2.262",
)
SOURCES = (SACKETT_2022, SCHMIDT_HUNTER_1998)


@dataclass(frozen=True)
class MethodValidity:
    method: str
    label: str
    validity: Decimal
    source: Source


# Sackett et al. (2022): operational validities, corrected for criterion unreliability and only
# conservatively for range restriction. A résumé review is scored as what it mostly measures, years of
# job experience (.07).
METHOD_VALIDITY: dict[str, MethodValidity] = {
    m.method: m
    for m in (
        MethodValidity("structured_interview", "Structured interview", Decimal("0.42"), SACKETT_2022),
        MethodValidity("job_knowledge", "Job knowledge test", Decimal("0.40"), SACKETT_2022),
        MethodValidity("work_sample", "Work sample / skills test", Decimal("0.33"), SACKETT_2022),
        MethodValidity("cognitive", "Cognitive ability (GMA) test", Decimal("0.31"), SACKETT_2022),
        MethodValidity("unstructured_interview", "Unstructured interview", Decimal("0.19"), SACKETT_2022),
        MethodValidity("resume_review", "Résumé review (years of experience)", Decimal("0.07"), SACKETT_2022),
    )
}
METHOD_CHOICES = [(m.method, m.label) for m in METHOD_VALIDITY.values()]


@dataclass(frozen=True)
class CombinationValidity:
    methods: frozenset[str]
    label: str
    validity: Decimal
    source: Source


# Schmidt & Hunter (1998), Table 1: multiple R of GMA plus a second predictor.
COMBINATION_VALIDITY: tuple[CombinationValidity, ...] = (
    CombinationValidity(
        frozenset({"cognitive", "structured_interview"}),
        "GMA test + structured interview",
        Decimal("0.63"),
        SCHMIDT_HUNTER_1998,
    ),
    CombinationValidity(
        frozenset({"cognitive", "work_sample"}), "GMA test + work sample", Decimal("0.63"), SCHMIDT_HUNTER_1998
    ),
)

# Below this a mix is shown as weak: résumé review (.07) and unstructured interview (.19) fall under it.
WEAK_VALIDITY = Decimal("0.25")


@dataclass(frozen=True)
class MixValidity:
    value: Decimal | None
    basis: str
    source: Source | None
    is_weak: bool
    methods: tuple[MethodValidity, ...]

    @property
    def better_of_two_per_100(self) -> int | None:
        """Of two candidates who differ on the screening, how many times in 100 the higher scorer
        turns out the better performer (50 = a coin toss). For bivariate normal scores the
        probability of concordance is 1/2 + arcsin(r)/π (Greiner's relation, Kendall's tau = 2/π·arcsin r)."""
        if self.value is None:
            return None
        return round(100 * (0.5 + math.asin(float(self.value)) / math.pi))

    @property
    def explanation(self) -> str:
        if self.value is None:
            return "This template uses no method with a published validity, so we cannot say how well it predicts."
        odds = self.better_of_two_per_100
        sentence = (
            f"Expected validity {self.value:.2f}: of two candidates who score differently on this screening, "
            f"the higher scorer turns out the better performer about {odds} times in 100 (50 would be a coin toss)."
        )
        if self.is_weak:
            sentence += " That is weak — add a structured interview and a work sample or job-knowledge test."
        return sentence


def mix_validity(methods) -> MixValidity:
    """The expected predictive validity of a set of method codes (unknown codes are ignored)."""
    known = tuple(METHOD_VALIDITY[m] for m in dict.fromkeys(methods) if m in METHOD_VALIDITY)
    if not known:
        return MixValidity(None, "No method with a published validity.", None, True, ())
    codes = {m.method for m in known}
    combos = [c for c in COMBINATION_VALIDITY if c.methods <= codes]
    best = max(known, key=lambda m: m.validity)
    if combos:
        combo = max(combos, key=lambda c: c.validity)
        if combo.validity > best.validity:
            return MixValidity(
                combo.validity,
                f"{combo.label} ({combo.source.short})",
                combo.source,
                combo.validity < WEAK_VALIDITY,
                known,
            )
    basis = f"{best.label}, the strongest method in the mix ({best.source.short})"
    return MixValidity(best.validity, basis, best.source, best.validity < WEAK_VALIDITY, known)
