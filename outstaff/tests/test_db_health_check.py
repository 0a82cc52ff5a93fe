"""outstaff.postgresql: the per-request health check costs no round trip on a healthy connection and
still catches one that PostgreSQL closed (a restart, an administrator's terminate), so Django
reconnects before the request's first query instead of failing it."""

import time

import psycopg2
import pytest
from django.db import connection
from django.db.backends.postgresql import base as stock

pytestmark = pytest.mark.django_db(transaction=True)


def _terminate(pid: int) -> None:
    params = connection.get_connection_params()
    other = psycopg2.connect(**{k: v for k, v in params.items() if k in ("host", "port", "user", "password", "dbname")})
    other.autocommit = True
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()


def test_healthy_connection_is_usable_without_a_query(monkeypatch):
    connection.ensure_connection()
    round_trips = []
    monkeypatch.setattr(stock.DatabaseWrapper, "is_usable", lambda self: round_trips.append(1) or True)
    assert connection.is_usable() is True
    assert round_trips == []


def test_connection_closed_by_postgres_is_unusable_and_replaced():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    _terminate(pid)
    for _ in range(50):  # the termination notice arrives asynchronously
        if not connection.is_usable():
            break
        time.sleep(0.05)
    assert connection.is_usable() is False
    # What Django does before a request's first query with CONN_HEALTH_CHECKS on.
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
