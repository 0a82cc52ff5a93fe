from django import forms
from django.contrib.auth import user_login_failed
from django.contrib.auth.forms import AuthenticationForm

from .choices import ALL_SCOPE_STRINGS, Scope
from .services import totp_device_for_user, totp_verify


class LoginForm(AuthenticationForm):
    """Django's login form (throttled by django-axes through the authentication backend), plus the
    TOTP code of a user who enrolled a second factor."""

    username = forms.CharField(
        label="Email", widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    otp_token = forms.CharField(
        label="Authentication code",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="Only if you set up an authenticator app.",
    )

    otp_device = None

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and totp_device_for_user(user=user) is not None:
            device = totp_verify(user=user, token=cleaned.get("otp_token") or "")
            if device is None:
                # A wrong code counts as a failed login, so codes cannot be guessed without limit.
                user_login_failed.send(
                    sender=__name__, credentials={"username": cleaned.get("username")}, request=self.request
                )
                raise forms.ValidationError(
                    "Enter the current 6-digit code from your authenticator app.", code="otp_required"
                )
            self.otp_device = device
        return cleaned


class TotpTokenForm(forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app",
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def _scope_label(scope: str) -> str:
    family, mode = scope.split(":")
    return f"{Scope(family).label}: {'read and write' if mode == 'write' else 'read'}"


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="Who uses it, e.g. “Workday sync”.")
    scopes = forms.MultipleChoiceField(
        choices=[(scope, _scope_label(scope)) for scope in ALL_SCOPE_STRINGS],
        widget=forms.CheckboxSelectMultiple,
        help_text="Give the key only what the system needs. A write scope includes read.",
        error_messages={"required": "Choose at least one scope."},
    )
