import uuid

from django.db.models import QuerySet
from django.utils.functional import LazyObject

from outstaff.lookups import FixedQuery

from .actors import Actor, actor_for_membership
from .models import ApiKey, Membership, Organization, User

ACTIVE_ORG_SESSION_KEY = "active_organization_id"


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, organization__is_active=True).select_related("organization", "user")


# The signed-in user's memberships, read on every page request: compiled once, prepared
# (outstaff/lookups.py). The user is the request's own, so it is not joined again.
_REQUEST_MEMBERSHIPS = FixedQuery(
    Membership,
    lambda user_id: Membership.objects.filter(user_id=user_id, organization__is_active=True).select_related(
        "organization"
    ),
    sample=lambda: {"user_id": uuid.uuid4()},
    prefix="memberships",
)


def actor_for_user(*, user: User, organization_id: str | None = None, memberships=None) -> Actor | None:
    """The user's actor in the chosen organization (or their first one); None without a membership.
    `memberships`: the user's, when the caller already read them."""
    if not user.is_authenticated:
        return None
    if memberships is None:
        memberships = list(membership_list_for_user(user=user))
    if not memberships:
        return None
    chosen = next((m for m in memberships if str(m.organization_id) == str(organization_id)), memberships[0])
    return actor_for_membership(chosen)


def actor_for_request(request) -> Actor | None:
    """The actor behind a page request or an API request (API key or session)."""
    cached = getattr(request, "_outstaff_actor", None)
    if cached is not None:
        return cached
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiKey):
        from .actors import actor_for_api_key

        actor = actor_for_api_key(auth)
    else:
        session = getattr(request, "session", None)
        org_id = session.get(ACTIVE_ORG_SESSION_KEY) if session is not None else None
        actor = actor_for_user(user=request.user, organization_id=org_id, memberships=memberships_for_request(request))
    request._outstaff_actor = actor
    return actor


def memberships_for_request(request) -> list[Membership]:
    """The signed-in user's memberships, read once per request (the actor and the page's
    organization switcher both need them)."""
    memberships = getattr(request, "_outstaff_memberships", None)
    if memberships is None:
        user = request.user
        memberships = _REQUEST_MEMBERSHIPS(user_id=user.pk) if user.is_authenticated else []
        while isinstance(user, LazyObject):  # the request's (auth's, then django-otp's), evaluated above
            user = user._wrapped
        for membership in memberships:
            Membership.user.field.set_cached_value(membership, user)
        request._outstaff_memberships = memberships
    return memberships


def api_key_list(*, actor: Actor) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(organization=actor.organization).select_related("created_by")


def organization_list(*, kind: str | None = None) -> QuerySet[Organization]:
    qs = Organization.objects.filter(is_active=True)
    return qs.filter(kind=kind) if kind else qs


def user_list_for_organization(*, organization: Organization) -> QuerySet[User]:
    return User.objects.filter(memberships__organization=organization, is_active=True).distinct()
