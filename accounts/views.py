from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_otp import login as otp_login

from outstaff.views import ActorRequiredMixin, FilteredListView

from .api.filters import ApiKeyFilterSet
from .choices import Scope
from .forms import ApiKeyCreateForm, LoginForm, TotpTokenForm
from .models import ApiKey
from .qr import qr_svg
from .selectors import ACTIVE_ORG_SESSION_KEY, api_key_list, membership_list_for_user
from .services import (
    TWO_FACTOR_ADMIN_ROLES,
    api_key_create,
    api_key_revoke,
    organization_two_factor_set,
    totp_device_confirm,
    totp_device_for_user,
    totp_device_start,
    totp_devices_remove,
    totp_verify,
    two_factor_required,
)


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.otp_device is not None:
            otp_login(self.request, form.otp_device)
        return response


def locked_out(request, original_response=None, credentials=None):
    """What every login form answers while django-axes refuses the username+IP (or the IP): the
    login page with a plain message and when to try again, as 429 with Retry-After."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "admin": request.path.startswith("/admin/")},
        status=429,
    )
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


def _safe_next(request, default: str = "home") -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return wanted
    from django.urls import reverse

    return reverse(default)


class TwoFactorView(LoginRequiredMixin, View):
    """Enrol an authenticator app (QR code drawn here, no third party), pass a code for this session,
    turn it off where allowed; an organization's admin also sets whether members must use it."""

    template_name = "registration/two_factor.html"

    def _context(self, request, form=None):
        user = request.user
        actor = getattr(request, "actor", None)
        organization = actor.organization if actor else None
        device = totp_device_for_user(user=user)
        context = {
            "device": device,
            "verified": user.is_verified(),
            "required": two_factor_required(user=user, organization=organization),
            "form": form or TotpTokenForm(),
            "next": request.POST.get("next") or request.GET.get("next") or "",
            "organization": organization,
            "can_set_requirement": bool(actor and actor.role in TWO_FACTOR_ADMIN_ROLES),
        }
        if device is None or request.GET.get("enrol") == "new":
            pending = totp_device_start(user=user)
            context["pending"] = pending
            context["qr_svg"] = qr_svg(pending.config_url)
            context["secret"] = _base32(pending.bin_key)
        return context

    def get(self, request):
        return render(request, self.template_name, self._context(request))

    def post(self, request):
        action = request.POST.get("action", "")
        actor = getattr(request, "actor", None)
        organization = actor.organization if actor else None
        try:
            if action == "confirm":
                form = TotpTokenForm(request.POST)
                if not form.is_valid():
                    return render(request, self.template_name, self._context(request, form), status=400)
                device = totp_device_confirm(user=request.user, token=form.cleaned_data["token"])
                otp_login(request, device)
                messages.success(request, "Two-factor authentication is on for your account.")
                return redirect(_safe_next(request))
            if action == "verify":
                form = TotpTokenForm(request.POST)
                device = totp_verify(user=request.user, token=request.POST.get("token", ""))
                if device is None:
                    form.is_valid()
                    form.add_error("token", "That code is not valid. Enter the 6 digits your app shows now.")
                    return render(request, self.template_name, self._context(request, form), status=400)
                otp_login(request, device)
                return redirect(_safe_next(request))
            if action == "disable":
                totp_devices_remove(user=request.user, organization=organization)
                messages.success(request, "Two-factor authentication is off for your account.")
                return redirect("two-factor")
            if action in ("require", "unrequire"):
                if actor is None:
                    raise ValidationError("You are not a member of any organization.")
                organization_two_factor_set(actor=actor, required=action == "require")
                messages.success(
                    request,
                    f"{actor.organization.name} now {'requires' if action == 'require' else 'does not require'} "
                    "two-factor authentication for every member.",
                )
                return redirect("two-factor")
        except ValidationError as error:
            form = TotpTokenForm(request.POST)
            form.is_valid()
            for message in error.messages:
                form.add_error(None, message)
            return render(request, self.template_name, self._context(request, form), status=400)
        return render(request, self.template_name, self._context(request), status=400)


def _base32(raw: bytes) -> str:
    from base64 import b32encode

    return b32encode(raw).decode().rstrip("=")


class SwitchOrganizationView(ActorRequiredMixin, View):
    def post(self, request):
        wanted = request.POST.get("organization", "")
        if any(str(m.organization_id) == wanted for m in membership_list_for_user(user=request.user)):
            request.session[ACTIVE_ORG_SESSION_KEY] = wanted
        else:
            messages.error(request, "You are not a member of that organization.")
        return redirect("home")


class ApiKeysView(FilteredListView):
    """Create (scopes from a list, the key shown once), list (with last use; filtered by the API's
    FilterSet, sorted, paged, exported as CSV) and revoke the organization's API keys — no need for
    Swagger to get a key."""

    template_name = "accounts/api_keys.html"
    filterset_class = ApiKeyFilterSet
    context_object_name = "api_keys"
    sort_options = {
        "name": ("name",),
        "created": ("created_at",),
        "last_used": ("last_used_at",),
        "status": ("revoked_at",),
    }
    csv_filename = "api-keys"
    csv_columns = [
        ("Name", "name"),
        ("Starts with", "prefix"),
        ("Scopes", lambda k: " ".join(k.scopes)),
        ("Created", lambda k: k.created_at.date().isoformat()),
        ("Created by", lambda k: (k.created_by.get_full_name() or k.created_by.email) if k.created_by else ""),
        ("Last used", lambda k: k.last_used_at.isoformat(timespec="minutes") if k.last_used_at else "never"),
        ("Revoked", lambda k: k.revoked_at.date().isoformat() if k.revoked_at else ""),
    ]

    def get_queryset(self):
        return api_key_list(actor=self.actor).order_by("revoked_at", "-created_at")

    def dispatch(self, request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if request.user.is_authenticated and actor and not actor.can_write(Scope.API_KEYS):
            raise PermissionDenied(
                "Only an admin of your organization manages API keys. Ask a client admin or provider admin for one."
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ApiKeyCreateForm())
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "revoke":
            return self._revoke(request)
        form = ApiKeyCreateForm(request.POST)
        if form.is_valid():
            try:
                api_key, raw_key = api_key_create(
                    organization=self.actor.organization,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    created_by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # Rendered, not redirected: the raw key exists only in this response.
                context = self.get_context_data(new_key=api_key, raw_key=raw_key)
                response = self.render_to_response(context)
                response["Cache-Control"] = "no-store"
                return response
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def _revoke(self, request):
        try:
            api_key = api_key_list(actor=self.actor).get(id=request.POST.get("api_key"))
        except (ApiKey.DoesNotExist, ValidationError):
            messages.error(request, "No such key in your organization.")
            return redirect("api-keys")
        api_key_revoke(actor=self.actor, api_key=api_key)
        messages.success(request, f"The key “{api_key.name}” is revoked: requests with it are now refused.")
        return redirect("api-keys")
