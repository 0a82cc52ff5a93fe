from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .services import login_failure_record, login_failures_clear, login_is_throttled


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing further attempts after too many failures for one account."""

    username = forms.CharField(
        label="Email", widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )

    def clean(self):
        username = (self.data.get("username") or "").strip()
        ip_address = self.request.META.get("REMOTE_ADDR") if self.request else None
        if username and login_is_throttled(username=username, ip_address=ip_address):
            raise forms.ValidationError(
                "Too many failed attempts for this account. Wait 15 minutes and try again.", code="throttled"
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                login_failure_record(username=username, ip_address=ip_address)
            raise
        login_failures_clear(username=username)
        return cleaned
