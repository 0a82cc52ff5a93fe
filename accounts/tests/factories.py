import factory
from factory.django import DjangoModelFactory

from accounts.actors import Actor, actor_for_api_key, actor_for_membership
from accounts.choices import OrganizationKind, Role
from accounts.models import ApiKey, Membership, Organization, User


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Client {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    kind = OrganizationKind.CLIENT


class ClientFactory(OrganizationFactory):
    kind = OrganizationKind.CLIENT
    name = factory.Sequence(lambda n: f"Client Co {n}")
    slug = factory.Sequence(lambda n: f"client-{n}")


class ProviderOrgFactory(OrganizationFactory):
    kind = OrganizationKind.PROVIDER
    name = factory.Sequence(lambda n: f"Provider {n}")
    slug = factory.Sequence(lambda n: f"provider-{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    username = factory.SelfAttribute("email")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("pw-test-123")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(ClientFactory)
    role = Role.CLIENT_ADMIN


class ApiKeyFactory(DjangoModelFactory):
    """Prefer accounts.services.api_key_create in tests that need the raw key."""

    class Meta:
        model = ApiKey

    organization = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"key {n}")
    prefix = factory.Sequence(lambda n: f"p{n:010d}")
    key_hash = factory.Sequence(lambda n: f"{n:064d}")
    scopes = factory.LazyFunction(lambda: ["workers:read"])


def make_actor(organization: Organization, role: str | None = None, user: User | None = None) -> Actor:
    """A member actor of `organization` with `role` (default: the org's admin role)."""
    if role is None:
        role = Role.CLIENT_ADMIN if organization.kind == OrganizationKind.CLIENT else Role.PROVIDER_ADMIN
    membership = MembershipFactory(organization=organization, role=role, **({"user": user} if user else {}))
    return actor_for_membership(membership)


def make_api_key_actor(api_key: ApiKey) -> Actor:
    return actor_for_api_key(api_key)


def totp_token(device, drift: int = 0) -> str:
    """The code an authenticator app shows for `device` now (`drift` steps later)."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def login_with_second_factor(client, user: User):
    """Log `client` in as `user` with a confirmed TOTP device and a session that passed a code, as
    staff need for /admin/ (accounts.middleware.TwoFactorRequiredMiddleware)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
