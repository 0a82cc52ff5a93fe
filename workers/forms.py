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


class CheckInChoiceForm(CheckInRecordForm):
    """Recording a check-in from the worker page: which of the open check-ins, then the ratings."""

    check_in = forms.ChoiceField(label="Check-in", choices=())

    field_order = ["check_in", "done_on", "engagement", "role_clarity", "manager_relationship", "notes"]

    def __init__(self, *args, check_ins=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["check_in"].choices = [
            (str(c.id), f"{c.get_kind_display()} (due {c.due_on.isoformat()})") for c in check_ins
        ]


class WorkerOffboardForm(forms.Form):
    exit_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Last day",
        help_text="A day still to come schedules the exit: the worker stays until then and is offboarded that day.",
    )
    exit_reason = forms.ChoiceField(choices=[("", "—")] + list(ExitReason.choices), label="Reason")
    exit_notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Notes")
    confirm = forms.BooleanField(
        label="Yes, offboard this worker on that day",
        error_messages={"required": "Tick the box to confirm: offboarding cannot be undone once the day has come."},
    )


class GateOverrideForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why may this worker skip a passed screening?",
        help_text="Recorded with your name and shown to everyone at your organization; the risk engine flags it.",
    )


class WorkerDatesForm(forms.Form):
    """The worker's start date (the exit date goes through offboarding, which schedules it)."""

    start_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The first day of work: the 30/60/90-day check-ins and the first-90-days signals count from it.",
    )
