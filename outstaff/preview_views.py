"""Warn before saving on pages (DESIGN §6): a form view whose change the risk engine judges first
runs the change as a preview (rolled back); if it would open, reopen or escalate flags, the form is
shown again with the warnings and a "save anyway" button. Only a confirmed post saves. Plumbing: the
risk evaluation is whatever `outstaff.previews` has registered (the risks app), so the page's app
never imports risks."""

from django.core.exceptions import ValidationError

from . import previews

CONFIRM_FIELD = "confirm_risks"


class WarnBeforeSavingMixin:
    """For a FormView with `call_service(cleaned_data)`; its template includes `_risk_preview.html`
    inside the form."""

    def form_valid(self, form):
        if self.request.POST.get(CONFIRM_FIELD) != "1":
            try:
                _, preview = previews.run(lambda: self.call_service(form.cleaned_data), commit=False)
            except ValidationError:
                preview = []  # the real write below reports the errors on the form
            if preview:
                return self.render_to_response(self.get_context_data(form=form, risk_preview=preview))
        return super().form_valid(form)
