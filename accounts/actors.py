"""Who is acting: a user through a membership, or an API key. Every selector takes an Actor, so
tenant scoping is decided in one place per app and a list can never leak (DESIGN §9)."""

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q

from .choices import ROLE_WRITE_FAMILIES, Role
from .models import ApiKey, Membership, Organization, User


@dataclass(frozen=True)
class Actor:
    organization: Organization
    user: User | None = None
    role: str | None = None
    api_key: ApiKey | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_client(self) -> bool:
        return self.organization.is_client

    @property
    def is_provider(self) -> bool:
        return self.organization.is_provider

    @property
    def is_client_admin(self) -> bool:
        return self.role == Role.CLIENT_ADMIN

    @property
    def sees_whole_client(self) -> bool:
        """Client admins, viewers and API keys see all of their client's teams; a hiring manager
        sees the teams they manage (DESIGN §9)."""
        return self.is_client and self.role != Role.HIRING_MANAGER

    @property
    def channel(self) -> str:
        return "api" if self.api_key else "web"

    def can_read(self, family: str) -> bool:
        if self.api_key is not None:
            return f"{family}:read" in self.scopes or f"{family}:write" in self.scopes
        return True

    def can_write(self, family: str) -> bool:
        if self.api_key is not None:
            return f"{family}:write" in self.scopes
        return family in ROLE_WRITE_FAMILIES.get(self.role or "", set())

    def worker_scope(self, prefix: str = "") -> Q:
        """The Q limiting rows reached through `prefix` (e.g. "worker__") to the workers this actor
        may see (DESIGN §9): a provider, the workers it employs; a client admin, viewer or client
        API key, the workers dedicated to the client; a hiring manager, the workers on teams they
        manage or whose work they direct. Built from lookups only, so every app scopes worker-owned
        rows the same way without importing the workers app."""
        org_id = self.organization.id
        if self.is_provider:
            return Q(**{f"{prefix}provider_id": org_id})
        if self.sees_whole_client:
            return Q(**{f"{prefix}client_id": org_id})
        return Q(**{f"{prefix}client_id": org_id}) & Q(
            **{f"{prefix}id__in": self.directed_assignments().values("worker_id")}
        )

    def directed_assignments(self):
        """A hiring manager's assignments: on the teams they manage, or whose work they direct. Both
        conditions on the assignment's own indexed columns (an OR across the team join would read
        every assignment)."""
        assignment_model = apps.get_model("assignments", "Assignment")
        managed_teams = assignment_model.team.field.related_model.managers.through.objects.filter(
            user_id=self.user.pk, team__client_id=self.organization.id
        ).values("team_id")
        return assignment_model.objects.filter(client_id=self.organization.id).filter(
            Q(team_id__in=managed_teams) | Q(manager_id=self.user.pk)
        )

    def __str__(self) -> str:
        who = self.user or self.api_key
        return f"{who} @ {self.organization}"


def actor_for_membership(membership: Membership) -> Actor:
    return Actor(organization=membership.organization, user=membership.user, role=membership.role)


def actor_for_api_key(api_key: ApiKey) -> Actor:
    return Actor(organization=api_key.organization, api_key=api_key, scopes=frozenset(api_key.scopes))
