from django import forms


class AuditFilterForm(forms.Form):
    resource = forms.ChoiceField(required=False, label="Resource")
    who = forms.ChoiceField(required=False, label="Who")
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, resources, users, api_keys, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [("", "Everything"), *resources]
        self.fields["who"].choices = [
            ("", "Anyone"),
            *[(f"user:{user.pk}", user.get_full_name() or user.email) for user in users],
            *[(f"key:{key.pk}", f"API key {key.name}") for key in api_keys],
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            raise forms.ValidationError("“From” must be on or before “To”.")
        return cleaned
