"""Page forms: they collect input and show errors; the services decide and write."""

from django import forms
from django.core.exceptions import ValidationError

from accounts.actors import Actor

from .choices import DirectedBy
from .selectors import assignment_form_worker_choices, client_member_list, team_list


class DateInput(forms.DateInput):
    input_type = "date"


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: field errors next to their fields, the rest
    (and errors about fields the form does not show) at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class TeamForm(forms.Form):
    name = forms.CharField(max_length=120)
    external_id = forms.CharField(max_length=128, required=False, label="External id")
    managers = forms.ModelMultipleChoiceField(queryset=None, required=False, help_text="Members who manage the team.")

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["managers"].queryset = client_member_list(actor=actor)


class WorkerChoiceField(forms.ModelChoiceField):
    """Each worker by name, marked when already placed on a team (offboarded ones are not offered)."""

    def label_from_instance(self, obj):
        team = getattr(obj, "placed_team", None)
        return f"{obj.full_name} — already placed on {team}" if team else obj.full_name


class AssignmentForm(forms.Form):
    worker = WorkerChoiceField(
        queryset=None,
        help_text="A worker dedicated to your organization. Offboarded workers are not listed; one already placed "
        "is marked with their team — a dedicated worker has one assignment at a time, so a new one must start "
        "after the current one ends.",
    )
    team = forms.ModelChoiceField(queryset=None)
    manager = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Directing manager",
        help_text="Who directs the work day to day. In outstaffing that is the client's manager; a new worker "
        "without one is a leading sign of early leaving.",
    )
    role = forms.CharField(max_length=120)
    starts_on = forms.DateField(widget=DateInput, label="Starts on")
    ends_on = forms.DateField(widget=DateInput, required=False, label="Ends on", help_text="Leave empty if open-ended.")
    weekly_hours = forms.DecimalField(
        min_value=0,
        max_value=80,
        max_digits=4,
        decimal_places=1,
        label="Weekly hours",
        help_text="Hours a week the client directs. Full-time hours under the client's direction on a contractor "
        "contract point to employment (misclassification).",
    )
    directed_by = forms.ChoiceField(
        choices=DirectedBy.choices,
        initial=DirectedBy.CLIENT,
        label="Directed by",
        help_text="Who tells the worker what to do and how. This decides the arrangement: the client directing the "
        "individual is outstaffing — fine on an employment contract with the provider, misclassification on a "
        "contractor or outsourcing contract.",
    )
    schedule_set_by_client = forms.BooleanField(
        required=False,
        label="Schedule set by the client",
        help_text="Tick if the client sets the working hours. Control over when someone works is a test of "
        "employment (behavioural control): on a contractor contract it is a misclassification sign.",
    )
    equipment_provided_by_client = forms.BooleanField(
        required=False,
        label="Equipment provided by the client",
        help_text="Tick if the client supplies the laptop, accounts or tools. A contractor normally brings their "
        "own; the client's equipment adds to the signs of employment.",
    )
    external_id = forms.CharField(max_length=128, required=False, label="External id")

    def __init__(self, *args, actor: Actor, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = assignment_form_worker_choices(actor=actor)
        self.fields["team"].queryset = team_list(actor=actor)
        self.fields["manager"].queryset = client_member_list(actor=actor)
        if editing:
            # An assignment keeps its worker; end it and create another to change who does the work.
            del self.fields["worker"]


class AssignmentEndForm(forms.Form):
    ends_on = forms.DateField(widget=DateInput, label="Last day", help_text="The last day worked (inclusive).")
