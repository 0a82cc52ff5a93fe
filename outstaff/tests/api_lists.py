"""What the API list tests share: every list endpoint, a logged-in client per session role, and the
DRF-only read path to compare with."""

from django.urls import NoReverseMatch, get_resolver, reverse
from rest_framework.test import APIClient

from accounts.models import Membership
from accounts.selectors import ACTIVE_ORG_SESSION_KEY
from outstaff.api import lean, viewsets


def list_urls() -> list[str]:
    """Every list endpoint of the API (a nested list needs a parent id: its parent's test covers it)."""
    api = get_resolver().namespace_dict["api"][1]
    urls = []
    for name in sorted(n for n in api.reverse_dict if isinstance(n, str) and n.endswith("-list")):
        try:
            urls.append(reverse(f"api:{name}"))
        except NoReverseMatch:
            continue
    return urls


def session_clients():
    """(role, client) logged in as the first member of each role, in that member's organization."""
    for role in ("client_admin", "hiring_manager", "provider_admin"):
        membership = Membership.objects.filter(role=role).select_related("user", "organization").first()
        client = APIClient()
        client.force_login(membership.user)
        session = client.session
        session[ACTIVE_ORG_SESSION_KEY] = str(membership.organization.id)
        session.save()
        yield role, client


def drf_only(patch) -> None:
    """The list read as DRF reads it (`serializer.data` over instances), for a comparison: no
    prebuilt template (prepared.py), no lean plan (lean.py), no fast instance path (fast.py)."""
    patch.setattr(viewsets.BaseServiceViewSet, "_templated_page", lambda self: None)
    patch.setattr(lean, "plan_for", lambda *args, **kwargs: None)
    patch.setattr(viewsets, "fast_many_representation", lambda serializer: serializer.data)
