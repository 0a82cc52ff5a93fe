import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .actors import Actor
from .choices import ALL_SCOPE_STRINGS, CLIENT_ROLES, PROVIDER_ROLES, OrganizationKind
from .models import ApiKey, LoginFailure, Membership, Organization, User

API_KEY_PREFIX = "osk"


def api_key_hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def organization_create(*, name: str, slug: str, kind: str, country: str = "") -> Organization:
    organization = Organization(name=name, slug=slug, kind=kind, country=country)
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def user_create(*, email: str, password: str | None, first_name: str = "", last_name: str = "") -> User:
    user = User(username=email, email=email, first_name=first_name, last_name=last_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def membership_create(*, user: User, organization: Organization, role: str) -> Membership:
    allowed = CLIENT_ROLES if organization.kind == OrganizationKind.CLIENT else PROVIDER_ROLES
    if role not in allowed:
        raise ValidationError({"role": f"Role {role!r} does not exist for a {organization.kind} organization."})
    membership = Membership(user=user, organization=organization, role=role)
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def api_key_create(
    *, organization: Organization, name: str, scopes: list[str], created_by: User | None = None
) -> tuple[ApiKey, str]:
    """Create a key and return it with the raw secret, which is never stored and shown only once."""
    unknown = sorted(set(scopes) - set(ALL_SCOPE_STRINGS))
    if unknown:
        raise ValidationError(
            {"scopes": f"Unknown scopes: {', '.join(unknown)}. Known: {', '.join(ALL_SCOPE_STRINGS)}."}
        )
    if not scopes:
        raise ValidationError({"scopes": "Give the key at least one scope."})
    prefix = secrets.token_hex(6)
    raw_key = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey(
        organization=organization,
        name=name,
        prefix=prefix,
        key_hash=api_key_hash(raw_key),
        scopes=sorted(set(scopes)),
        created_by=created_by,
    )
    api_key.full_clean()
    api_key.save()
    return api_key, raw_key


@transaction.atomic
def api_key_revoke(*, actor: Actor, api_key: ApiKey) -> ApiKey:
    if api_key.organization_id != actor.organization.id:
        raise ValidationError("This key belongs to another organization.")
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at", "updated_at"])
    return api_key


def api_key_authenticate(*, raw_key: str) -> ApiKey | None:
    """The active key for a raw secret, recording its use (at most once a minute, to spare writes)."""
    try:
        api_key = ApiKey.objects.select_related("organization").get(
            key_hash=api_key_hash(raw_key), revoked_at__isnull=True, organization__is_active=True
        )
    except ApiKey.DoesNotExist:
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > timedelta(minutes=1):
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


def login_is_throttled(*, username: str, ip_address: str | None) -> bool:
    since = timezone.now() - settings.LOGIN_FAILURE_WINDOW
    failures = LoginFailure.objects.filter(username=username.lower(), attempted_at__gte=since)
    return failures.count() >= settings.LOGIN_FAILURE_LIMIT


def login_failure_record(*, username: str, ip_address: str | None) -> None:
    LoginFailure.objects.create(username=username.lower(), ip_address=ip_address)


def login_failures_clear(*, username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()
