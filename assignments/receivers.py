"""Keeps `Team.manager_ids` (the audited copy of who manages a team) in step with `Team.managers`."""

import contextvars
from contextlib import contextmanager

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from .models import Team

TeamManagers = Team.managers.through
# Teams whose managers are being replaced in one go (`managers.set` removes, then adds).
_replacing: contextvars.ContextVar[frozenset] = contextvars.ContextVar("team_managers_replacing", default=frozenset())


@contextmanager
def team_managers_replaced(team: Team):
    """Around a `team.managers.set(...)`: one audited version, old managers → new, not two."""
    token = _replacing.set(_replacing.get() | {team.pk})
    try:
        yield
    finally:
        _replacing.reset(token)
    team_manager_ids_refresh([team.pk])


def team_manager_ids_refresh(team_ids) -> None:
    """Write each team's sorted manager ids on its row (an audited UPDATE when they changed)."""
    for team_id in set(team_ids):
        ids = sorted(TeamManagers.objects.filter(team_id=team_id).values_list("user_id", flat=True))
        Team.objects.filter(pk=team_id).exclude(manager_ids=ids).update(manager_ids=ids)


@receiver(m2m_changed, sender=TeamManagers, dispatch_uid="assignments.team_managers_changed")
def _team_managers_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if reverse and action == "pre_clear":
        # user.managed_teams.clear(): the teams are known only before the rows go.
        instance._cleared_team_ids = list(
            TeamManagers.objects.filter(user_id=instance.pk).values_list("team_id", flat=True)
        )
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        if instance.pk not in _replacing.get():
            team_manager_ids_refresh([instance.pk])
    elif action == "post_clear":
        team_manager_ids_refresh(getattr(instance, "_cleared_team_ids", []))
    else:
        team_manager_ids_refresh(pk_set or [])
