from django import forms

from .choices import EventType


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(max_length=2000, label="URL", assume_scheme="https", help_text="Where events are POSTed.")
    description = forms.CharField(max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        choices=EventType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every event type.",
    )
