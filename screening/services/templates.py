"""Screening templates per role: methods and weights, pass rule, minimum CEFR levels, interview kit."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Organization

from ..choices import (
    CEFR_SKILLS,
    CefrLevel,
)
from ..defaults import DEFAULT_TEMPLATES
from ..models import ScreeningTemplate
from ..validity import METHOD_VALIDITY


def screening_template_validate(*, methods, min_cefr, interview_kit, pass_threshold=None) -> None:
    """The template rules, also applied by the admin form: a ValidationError with per-field messages."""
    errors: dict[str, list[str]] = {}
    if pass_threshold is not None:
        try:
            threshold = Decimal(str(pass_threshold))
        except InvalidOperation:
            threshold = Decimal(-1)
        if not threshold.is_finite() or not Decimal(0) <= threshold <= Decimal(100):
            errors["pass_threshold"] = ["The pass mark is a composite score between 0 and 100."]
    if not isinstance(methods, list) or not methods:
        errors["methods"] = ["List the methods used, e.g. [{'method': 'structured_interview', 'weight': 0.5}]."]
    else:
        seen = set()
        for row in methods:
            code = row.get("method") if isinstance(row, dict) else None
            if code not in METHOD_VALIDITY:
                errors.setdefault("methods", []).append(
                    f"Unknown method {code!r}; use one of {', '.join(METHOD_VALIDITY)}."
                )
                continue
            if code in seen:
                errors.setdefault("methods", []).append(f"{code} is listed twice.")
            seen.add(code)
            try:
                weight = Decimal(str(row.get("weight")))
            except InvalidOperation:
                weight = Decimal(-1)
            if not weight.is_finite() or weight <= 0:
                errors.setdefault("methods", []).append(f"The weight of {code} must be a positive number.")
    if not isinstance(min_cefr, dict):
        errors["min_cefr"] = ["Give the minimum CEFR level for each skill (for example speaking B2)."]
    else:
        for skill, level in min_cefr.items():
            if skill not in CEFR_SKILLS or level not in CefrLevel.values or level == CefrLevel.A0:
                errors.setdefault("min_cefr", []).append(
                    f"{skill}: {level!r} — skills are {', '.join(CEFR_SKILLS)}; levels A1–C2."
                )
    uses_interview = isinstance(methods, list) and any(
        isinstance(r, dict) and r.get("method") == "structured_interview" for r in methods
    )
    if uses_interview and not interview_kit:
        errors["interview_kit"] = ["A structured interview needs its kit: competencies, questions and anchors."]
    for index, item in enumerate(interview_kit or []):
        anchors = item.get("anchors", {}) if isinstance(item, dict) else {}
        if (
            not isinstance(item, dict)
            or not item.get("competency")
            or not isinstance(item.get("questions"), list)
            or not item["questions"]
        ):
            errors.setdefault("interview_kit", []).append(f"Competency {index + 1} needs a name and questions.")
        elif (
            not isinstance(anchors, dict)
            or sorted(anchors) != ["1", "2", "3", "4", "5"]
            or not all(isinstance(text, str) and text.strip() for text in anchors.values())
        ):
            errors.setdefault("interview_kit", []).append(
                f"{item['competency']}: describe what an answer sounds like at each of 1, 2, 3, 4 and 5."
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def screening_template_create(
    *,
    client: Organization,
    name: str,
    role_title: str,
    methods: list,
    pass_threshold=Decimal("60"),
    min_cefr: dict | None = None,
    interview_kit: list | None = None,
) -> ScreeningTemplate:
    screening_template_validate(
        methods=methods, min_cefr=min_cefr or {}, interview_kit=interview_kit or [], pass_threshold=pass_threshold
    )
    template = ScreeningTemplate(
        client=client,
        name=name,
        role_title=role_title,
        methods=methods,
        pass_threshold=pass_threshold,
        min_cefr=min_cefr or {},
        interview_kit=interview_kit or [],
    )
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def screening_templates_install_defaults(*, client: Organization) -> list[ScreeningTemplate]:
    """Install the shipped templates (backend engineer; English-speaking support specialist) for a
    client. Idempotent: a template the client already has by that name is left as it is."""
    installed = []
    for spec in DEFAULT_TEMPLATES:
        existing = ScreeningTemplate.objects.filter(client=client, name=spec["name"]).first()
        installed.append(existing or screening_template_create(client=client, **spec))
    return installed
