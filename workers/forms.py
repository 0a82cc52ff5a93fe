from django import forms

from .choices import ExitReason

RATING_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(1, 6)]


class CheckInRecordForm(forms.Form):
    done_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    engagement = forms.TypedChoiceField(choices=RATING_CHOICES, coerce=int, help_text="1 = disengaged, 5 = thriving")
    role_clarity = forms.TypedChoiceField(
        choices=RATING_CHOICES, coerce=int, help_text="1 = unsure what is expected, 5 = fully clear"
    )
    manager_relationship = forms.TypedChoiceField(
        choices=RATING_CHOICES, coerce=int, help_text="1 = strained, 5 = excellent"
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class WorkerOffboardForm(forms.Form):
    exit_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    exit_reason = forms.ChoiceField(choices=[("", "—")] + list(ExitReason.choices))
    exit_notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
