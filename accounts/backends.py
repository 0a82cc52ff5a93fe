"""Django's model backend, with the lookup every signed-in request makes, the user by the id its
session holds, run as a fixed query (outstaff/lookups.py): compiled once per process and prepared
once per database session. Signing in (the password check), permissions and everything else are
Django's ``ModelBackend``'s."""

from __future__ import annotations

import uuid

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from outstaff.lookups import FixedQuery

from .models import User

# The path sessions signed in before this backend carry (accounts.middleware.SessionBackendMiddleware).
DJANGO_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
MODEL_BACKEND = "accounts.backends.ModelBackend"

_USER = FixedQuery(
    User,
    lambda pk: User._default_manager.filter(pk=pk),
    sample=lambda: {"pk": uuid.uuid4()},
    prefix="session_user",
)


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        try:
            pk = user_id if isinstance(user_id, uuid.UUID) else uuid.UUID(str(user_id))
        except ValueError:
            return None
        found = _USER(pk=pk)
        if not found:
            return None
        user = found[0]
        return user if self.user_can_authenticate(user) else None
