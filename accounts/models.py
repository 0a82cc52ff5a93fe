import uuid

import pghistory
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.fields import ArrayField
from django.db import models

from outstaff.dataversion import data_version_triggers
from outstaff.models import BaseModel

from .choices import OrganizationKind, Role


@pghistory.track()
class Organization(BaseModel):
    """A tenant: a client company that directs the work, or a provider that legally employs."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=16, choices=OrganizationKind.choices, db_index=True)
    country = models.CharField(max_length=2, blank=True, default="")
    is_active = models.BooleanField(default=True)
    # Set by the organization's admin: every member must pass a TOTP code (django-otp) to use it.
    require_two_factor = models.BooleanField(default=False)

    class Meta:
        # Its name is on cached pages (outstaff/dataversion.py).
        triggers = [*data_version_triggers(tenants_sql="SELECT id FROM {rows}")]
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    @property
    def is_client(self) -> bool:
        return self.kind == OrganizationKind.CLIENT

    @property
    def is_provider(self) -> bool:
        return self.kind == OrganizationKind.PROVIDER


# Staff, superuser and active flags are access (the Django admin sees every tenant): every change is
# audited, with who made it. Only these and the e-mail are kept in the versions; never the password.
# Enrolling and removing a second factor are access changes too: recorded by the two-factor services
# as labelled versions of the user (django-otp's device rows, with their secret, are not copied).
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    pghistory.ManualEvent("two_factor.enrolled"),
    pghistory.ManualEvent("two_factor.removed"),
    fields=["email", "is_active", "is_staff", "is_superuser"],
    model_name="UserEvent",
)
class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)

    objects = UserManager()

    def __str__(self) -> str:
        return self.get_full_name() or self.email or self.username


# Granting, changing and withdrawing access are all audited (DESIGN §9).
@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Membership(BaseModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)

    class Meta:
        ordering = ("organization__name",)
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="%(app_label)s_%(class)s_unique_user_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


# last_used_at moves every minute of use: not an access change, not audited.
@pghistory.track(exclude=["last_used_at"])
class ApiKey(BaseModel):
    """A key for an HR system. Only a SHA-256 hash is stored; the key is shown once at creation."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=120)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
