"""Clients, providers with their legal entities, users with their memberships, teams, templates."""

import datetime as dt

from accounts.models import Membership, Organization, User
from accounts.selectors import actor_for_user
from accounts.services import membership_create, organization_create, user_create
from assignments.models import Team
from assignments.services import team_create
from demo import data
from providers.models import LegalEntity, Provider
from screening.services import screening_templates_install_defaults

from .base import Upserter


class OrganizationSeeding(Upserter):
    def seed_organizations(self) -> None:
        for spec in [*data.CLIENTS, *data.PROVIDERS]:
            kind = data.ORGANIZATION_KINDS[spec["slug"]]
            self.orgs[spec["slug"]] = self.upsert(
                Organization,
                {"slug": spec["slug"]},
                {"name": spec["name"], "kind": kind, "country": spec["country"], "is_active": True},
                create=lambda spec=spec, kind=kind: organization_create(
                    name=spec["name"], slug=spec["slug"], kind=kind, country=spec["country"]
                ),
            )

    def seed_users(self) -> None:
        for spec in data.USERS:

            def create(spec=spec):
                user = user_create(
                    email=spec.email, password=None, first_name=spec.first_name, last_name=spec.last_name
                )
                user.password = self.password_hash
                user.save(update_fields=["password"])
                return user

            user = self.upsert(
                User,
                {"email": spec.email},
                {
                    "username": spec.email,
                    "first_name": spec.first_name,
                    "last_name": spec.last_name,
                    "is_active": True,
                    "is_staff": spec.superuser,
                    "is_superuser": spec.superuser,
                },
                create=create,
            )
            if not user.has_usable_password():
                user.password = self.password_hash
                user.save(update_fields=["password"])
                self.result.updated[User._meta.label] += 1
            self.users[spec.email] = user
            if spec.organization:
                organization = self.orgs[spec.organization]
                self.upsert(
                    Membership,
                    {"user": user, "organization": organization},
                    {"role": spec.role},
                    create=lambda user=user, organization=organization, spec=spec: membership_create(
                        user=user, organization=organization, role=spec.role
                    ),
                )

    def seed_providers(self) -> None:
        for spec in data.PROVIDERS:
            self.providers[spec["slug"]] = self.upsert(
                Provider,
                {"organization": self.orgs[spec["slug"]]},
                {"legal_name": spec["legal_name"], "website": spec["website"], "headquarters_country": spec["country"]},
            )
        for spec in data.LEGAL_ENTITIES:
            expires = (
                self.today + dt.timedelta(days=spec.licence_expires_in_days)
                if spec.licence_expires_in_days is not None
                else None
            )
            self.entities[(spec.provider, spec.country)] = self.upsert(
                LegalEntity,
                {
                    "provider": self.providers[spec.provider],
                    "country": spec.country,
                    "registration_number": spec.registration_number,
                },
                {
                    "name": spec.name,
                    "staffing_licence_number": spec.licence_number,
                    "staffing_licence_expires_on": expires,
                    "is_active": True,
                },
            )

    def seed_teams(self) -> None:
        for (client_slug, name), manager_emails in data.TEAMS.items():
            client = self.orgs[client_slug]
            managers = [self.users[email] for email in manager_emails]
            external_id = data.TEAM_EXTERNAL_IDS[(client_slug, name)]

            def create(client=client, name=name, external_id=external_id, managers=managers):
                actor = actor_for_user(user=self._client_admin(client.slug), organization_id=client.pk)
                return team_create(actor=actor, name=name, external_id=external_id, managers=managers)

            team = self.upsert(Team, {"client": client, "name": name}, {"external_id": external_id}, create=create)
            if {m.pk for m in team.managers.all()} != {m.pk for m in managers}:
                team.managers.set(managers)
                self.result.updated["assignments.Team.managers"] += 1
            self.teams[(client_slug, name)] = team

    def seed_screening_templates(self) -> None:
        for client in data.CLIENTS:
            for template in screening_templates_install_defaults(client=self.orgs[client["slug"]]):
                self.templates[(client["slug"], "support" in template.role_title.lower())] = template
