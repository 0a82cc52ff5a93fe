"""Warn before saving on pages (DESIGN §6): a form view whose change the risk engine judges first
runs the change as a preview (rolled back); if it would open, reopen or escalate flags, the form is
shown again with the warnings and a "save anyway" button. Only a confirmed post saves. Plumbing: the
risk evaluation is whatever `outstaff.previews` has registered (the risks app), so the page's app
never imports risks."""

import hashlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import FormView

from . import previews

CONFIRM_FIELD = "confirm_risks"


def confirmation_for(form) -> str:
    """What "save anyway" confirms: a digest of the form's cleaned values as they were previewed."""
    values = sorted((name, str(value)) for name, value in form.cleaned_data.items())
    return hashlib.sha256(repr(values).encode()).hexdigest()[:32]


class WarnBeforeSavingMixin:
    """For a FormView with `call_service(cleaned_data)`; its template includes `_risk_preview.html`
    inside the form."""

    def risk_preview_of(self, form) -> list[dict]:
        """What saving the form would open; nothing once the user confirmed these very values (a
        confirmation of other values — the form changed after the warning — is previewed again)."""
        if self.request.POST.get(CONFIRM_FIELD) == confirmation_for(form):
            return []
        try:
            _, preview = previews.run(lambda: self.call_service(form.cleaned_data), commit=False)
        except ValidationError:
            preview = []  # the real write reports the errors on the form
        return preview

    def form_valid(self, form):
        preview = self.risk_preview_of(form)
        if preview:
            return self.render_to_response(
                self.get_context_data(form=form, risk_preview=preview, risk_confirmation=confirmation_for(form))
            )
        return super().form_valid(form)


def add_service_errors(form, error: ValidationError) -> None:
    """A service's ValidationError on the form: per field where the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


class ServiceFormView(FormView):
    """A page form that calls `call_service(cleaned_data)`: a ValidationError from the service lands
    on the form and nothing is saved; success says `success_message` and goes to
    `success_url_for(obj)`."""

    success_message = "Saved."

    def call_service(self, data):
        raise NotImplementedError

    def success_url_for(self, obj):
        """Where to go after saving: a URL, or (view name, *args) as `redirect` takes them."""
        raise NotImplementedError

    def form_valid(self, form):
        try:
            obj = self.call_service(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        target = self.success_url_for(obj)
        return redirect(*target) if isinstance(target, tuple) else redirect(target)


class PreviewedServiceFormView(WarnBeforeSavingMixin, ServiceFormView):
    """A ServiceFormView whose change the risk engine judges first (WarnBeforeSavingMixin); its
    template includes `_previewed_form.html`."""
