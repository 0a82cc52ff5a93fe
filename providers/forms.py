"""Page forms. They validate input shape only; the services apply the rules."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

from outstaff.preview_views import add_service_errors  # noqa: F401  (the pages' one helper)

from .choices import ComplianceKind, ComplianceStatus, ContractType, CsvImportKind, EngagementModel, PayrollEntryStatus

MAX_CSV_BYTES = 10 * 1024 * 1024


class VersionedForm(forms.Form):
    """Carries the row's updated_at from when the page was rendered: a stale submit is refused.
    Kept as ISO 8601 text because a DateTimeField would render without microseconds."""

    updated_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_updated_at(self):
        value = self.cleaned_data["updated_at"].strip()
        if not value:
            return None
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError as error:
            raise ValidationError("The page was damaged; reload it and try again.") from error


class PayrollRunForm(forms.Form):
    country = forms.CharField(max_length=2, min_length=2, help_text="Two-letter country code, e.g. DE.")
    period_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    pay_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    external_id = forms.CharField(max_length=128, required=False, label="External id")


class PayrollEntryForm(VersionedForm):
    status = forms.ChoiceField(choices=PayrollEntryStatus.choices)
    failure_reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for the change",
        help_text="Required when moving an entry back (e.g. paid → processing).",
    )
    gross_amount = forms.DecimalField(required=False, max_digits=12, decimal_places=2, min_value=0)
    currency = forms.CharField(required=False, max_length=3)


class PayrollBulkStatusForm(forms.Form):
    entries = forms.MultipleChoiceField(choices=(), error_messages={"required": "Select at least one entry."})
    status = forms.ChoiceField(choices=PayrollEntryStatus.choices)
    failure_reason = forms.CharField(required=False, label="Failure reason (for failed)")
    reason = forms.CharField(required=False, label="Reason (for a backwards move)")

    def __init__(self, *args, entry_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].choices = [(str(i), str(i)) for i in entry_ids]

    def clean(self):
        """Each row carries its entry's updated_at as rendered (`version_<id>`): the service refuses
        the whole change when a selected entry was changed by someone else since the page loaded."""
        cleaned = super().clean()
        versions = {}
        for entry_id in cleaned.get("entries") or ():
            value = (self.data.get(f"version_{entry_id}") or "").strip()
            if not value:
                continue
            try:
                versions[entry_id] = dt.datetime.fromisoformat(value)
            except ValueError:
                raise ValidationError("The page was damaged; reload it and try again.") from None
        cleaned["versions"] = versions
        return cleaned


class ComplianceItemForm(VersionedForm):
    status = forms.ChoiceField(choices=ComplianceStatus.choices)
    expires_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    evidence_reference = forms.CharField(required=False, max_length=255)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ComplianceItemCreateForm(ComplianceItemForm):
    kind = forms.ChoiceField(choices=ComplianceKind.choices)


class CsvUploadForm(forms.Form):
    kind = forms.ChoiceField(choices=CsvImportKind.choices, label="What the file contains")
    file = forms.FileField(help_text="UTF-8 CSV with a header row, at most 10 MB.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise ValidationError("The file is larger than 10 MB; split it.")
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError("The file is not UTF-8 text; export it as UTF-8 CSV.") from error
        self.cleaned_data["content"] = text
        return upload


class ContractForm(forms.Form):
    """Change an employment contract from the provider workspace (the same fields as the API)."""

    legal_entity = forms.ModelChoiceField(queryset=None, label="Employing entity")
    contract_type = forms.ChoiceField(choices=ContractType.choices)
    engagement_model = forms.ChoiceField(
        choices=EngagementModel.choices,
        help_text="Outstaffing: the client directs the worker. Outsourcing: you direct and deliver an outcome.",
    )
    signed_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    weekly_hours = forms.DecimalField(max_digits=4, decimal_places=1, min_value=0)

    def __init__(self, *args, legal_entities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_entity"].queryset = legal_entities
