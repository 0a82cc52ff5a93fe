"""Page forms. They check types and required fields; the services decide everything else and their
ValidationErrors are shown on the same form."""

from django import forms

from providers.choices import ContractType, EngagementModel
from providers.models import LegalEntity

from .choices import CEFR_SKILLS, AssessmentKind, AssessmentScale, CefrLevel, ChecklistCode, Recommendation

DATE = forms.DateInput(attrs={"type": "date"})


class ScreeningStartForm(forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    email = forms.EmailField()
    country = forms.CharField(max_length=2, required=False, help_text="Two letters, e.g. PL")
    template = forms.ModelChoiceField(queryset=None, label="Role (screening template)")
    provider = forms.ModelChoiceField(
        queryset=None, required=False, label="Provider (employer of record)", help_text="Can be named later."
    )

    def __init__(self, *args, templates, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates
        self.fields["provider"].queryset = providers


class StageForm(forms.Form):
    stage = forms.ChoiceField(choices=[])

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = choices


class ScorecardForm(forms.Form):
    """One 1–5 choice per competency of the kit; each choice is labelled with its behavioural anchor."""

    recommendation = forms.ChoiceField(
        choices=[("", "—")] + list(Recommendation.choices), required=False, label="Overall recommendation"
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Evidence and notes")

    def __init__(self, *args, kit, initial_ratings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kit = kit
        initial_ratings = initial_ratings or {}
        rating_fields = {}
        for index, item in enumerate(kit):
            anchors = item.get("anchors", {})
            rating_fields[f"rating_{index}"] = forms.ChoiceField(
                label=item["competency"],
                choices=[(str(n), f"{n} — {anchors.get(str(n), '')}") for n in range(1, 6)],
                widget=forms.RadioSelect,
                required=False,
                initial=str(initial_ratings.get(item["competency"], "")),
            )
        self.fields = {**rating_fields, **self.fields}

    def rating_rows(self):
        return [(item, self[f"rating_{index}"]) for index, item in enumerate(self.kit)]

    def ratings(self) -> dict:
        return {
            item["competency"]: self.cleaned_data.get(f"rating_{index}")
            for index, item in enumerate(self.kit)
            if self.cleaned_data.get(f"rating_{index}")
        }


class ReviewOnlyForm(forms.Form):
    notes = forms.CharField(max_length=500, required=False, label="Why (optional)")


class AssessmentForm(forms.Form):
    kind = forms.ChoiceField(choices=AssessmentKind.choices)
    instrument = forms.CharField(
        max_length=120, help_text="The test's name, e.g. EF SET, Linguaskill, a take-home task"
    )
    scale = forms.ChoiceField(choices=AssessmentScale.choices, initial=AssessmentScale.PERCENT)
    raw_score = forms.DecimalField(required=False, max_digits=7, decimal_places=2, label="Score")
    scale_min = forms.DecimalField(required=False, max_digits=7, decimal_places=2, help_text="Custom scale only")
    scale_max = forms.DecimalField(required=False, max_digits=7, decimal_places=2, help_text="Custom scale only")
    taken_on = forms.DateField(required=False, widget=DATE)
    external_id = forms.CharField(max_length=128, required=False, help_text="The vendor's result id, if any")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for skill in CEFR_SKILLS:
            # Shown in a table without <label>s: the accessible name comes from aria-label.
            score_label, level_label = f"{skill.capitalize()} score", f"{skill.capitalize()} CEFR level"
            self.fields[f"{skill}_score"] = forms.DecimalField(
                required=False,
                max_digits=7,
                decimal_places=2,
                label=score_label,
                widget=forms.NumberInput(attrs={"aria-label": score_label}),
            )
            self.fields[f"cefr_{skill}"] = forms.ChoiceField(
                choices=[("", "—")] + list(CefrLevel.choices),
                required=False,
                label=level_label,
                widget=forms.Select(attrs={"aria-label": level_label}),
            )

    def language_rows(self):
        return [(skill, self[f"{skill}_score"], self[f"cefr_{skill}"]) for skill in CEFR_SKILLS]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        skill_scores = {s: data[f"{s}_score"] for s in CEFR_SKILLS if data.get(f"{s}_score") is not None}
        return {
            "kind": data["kind"],
            "instrument": data["instrument"],
            "scale": data["scale"],
            "raw_score": data.get("raw_score"),
            "scale_min": data.get("scale_min"),
            "scale_max": data.get("scale_max"),
            "skill_scores": skill_scores,
            "taken_on": data.get("taken_on"),
            "external_id": data.get("external_id") or "",
            **{f"cefr_{s}": data.get(f"cefr_{s}") or "" for s in CEFR_SKILLS},
        }


class ChecklistItemForm(forms.Form):
    code = forms.ChoiceField(choices=ChecklistCode.choices, widget=forms.HiddenInput)
    checked = forms.BooleanField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(max_length=500, required=False)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("passed", "Pass"), ("failed", "Fail"), ("withdrawn", "Withdrawn (candidate left the process)")],
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Decision notes")
    override_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Override reason (client admins only)",
        help_text="Only needed to pass a candidate who misses the pass rule. It is recorded and flagged.",
    )


class HireForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=None, label="Provider (legal employer)")
    legal_entity = forms.ModelChoiceField(
        queryset=None, required=False, help_text="Leave empty to use the provider's entity in the worker's country."
    )
    work_email = forms.EmailField(required=False, help_text="Defaults to the candidate's email.")
    start_date = forms.DateField(required=False, widget=DATE)
    contract_type = forms.ChoiceField(choices=ContractType.choices, initial=ContractType.EMPLOYMENT)
    engagement_model = forms.ChoiceField(choices=EngagementModel.choices, initial=EngagementModel.OUTSTAFFING)
    weekly_hours = forms.DecimalField(max_digits=4, decimal_places=1, min_value=0, max_value=80, initial=40)
    override_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Override reason (client admins only)",
        help_text="Only needed to hire with unchecked checklist items. The worker is marked for review.",
    )

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["legal_entity"].queryset = LegalEntity.objects.filter(
            provider__in=providers, is_active=True
        ).select_related("provider")


class ActivateForm(forms.Form):
    override_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Override reason (client admins only)",
    )
