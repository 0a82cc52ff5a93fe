"""The database session engine (``SESSION_ENGINE = "outstaff.sessions"``), with the one lookup every
signed-in request makes, the session by its key, run as a fixed query (``outstaff/lookups.py``):
compiled once per process and prepared once per database session instead of built, compiled and
planned on each request. Everything else (saving, rotating, clearing expired sessions) is Django's
database engine, on the same table: a deploy keeps every session."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from .lookups import FixedQuery

_SESSION = FixedQuery(
    Session,
    lambda session_key, now: Session.objects.filter(session_key=session_key, expire_date__gt=now),
    sample=lambda: {
        "session_key": secrets.token_hex(16),
        "now": dt.datetime(2000, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=secrets.randbelow(10**9)),
    },
    prefix="session",
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        session_key = self.session_key
        found = _SESSION(session_key=session_key, now=timezone.now()) if session_key else []
        if found:
            return found[0]
        self._session_key = None
        return None
