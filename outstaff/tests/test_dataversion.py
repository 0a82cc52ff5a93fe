"""Per-tenant data versions (outstaff/dataversion.py) with real commits: a committed write changes its
tenants' versions and no other's, a rolled-back one changes nothing, two open transactions writing
to one tenant do not wait for each other, a TRUNCATE starts a new epoch, and a cache that cannot be
reached is a miss."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction
from django.test import override_settings

from accounts.models import Organization
from accounts.tests.factories import ClientFactory
from assignments.models import Team
from outstaff.dataversion import cached, data_versions, flush_pending
from workers.models import CheckIn, Worker
from workers.tests.factories import WorkerFactory


def _version(org) -> str:
    return data_versions([org.id])


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_changes_its_tenants_version_and_no_other():
    acme, globex = ClientFactory(), ClientFactory()
    before_acme, before_globex = _version(acme), _version(globex)
    Team.objects.create(client=acme, name="Platform")
    assert _version(acme) != before_acme
    assert _version(globex) == before_globex
    # Two tenants in one transaction: both change at its commit, not before.
    middle_acme = _version(acme)
    with transaction.atomic():
        Organization.objects.filter(pk__in=[acme.pk, globex.pk]).update(country="DE")
        assert _version(acme) is None  # this transaction's own write: not cacheable
    assert _version(acme) not in (None, middle_acme)
    assert _version(globex) not in (None, before_globex)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_changes_nothing():
    acme = ClientFactory()
    before = _version(acme)
    with pytest.raises(RuntimeError), transaction.atomic():
        Team.objects.create(client=acme, name="Platform")
        raise RuntimeError("roll back")
    assert _version(acme) == before


@pytest.mark.django_db(transaction=True)
def test_two_open_transactions_writing_one_tenant_do_not_wait_for_each_other():
    acme = ClientFactory()
    before = _version(acme)
    written, release, errors = threading.Event(), threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                Team.objects.create(client=acme, name="First")
                written.set()
                release.wait(10)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert written.wait(10)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            # Would fail with a lock timeout if the first transaction held a lock on a shared row.
            Team.objects.create(client=acme, name="Second")
        middle = _version(acme)
        assert middle != before
    finally:
        release.set()
        thread.join(10)
    assert not errors, errors
    assert _version(acme) not in (before, middle)
    assert set(Team.objects.filter(client=acme).values_list("name", flat=True)) == {"First", "Second"}


@pytest.mark.django_db
def test_a_truncate_starts_a_new_epoch():
    acme = ClientFactory()
    flush_pending()
    before = _version(acme)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE assignments_team_managers")
    after = _version(acme)
    assert after is not None and after != before


@pytest.mark.django_db
def test_cached_values_are_kept_per_scope_and_version():
    acme = ClientFactory()
    flush_pending()
    calls = []

    def compute(value):
        def inner():
            calls.append(value)
            return value

        return inner

    assert cached("test.scope", tenant_ids=[acme.id], scope=("a",), compute=compute("A")) == "A"
    assert cached("test.scope", tenant_ids=[acme.id], scope=("a",), compute=compute("A2")) == "A"
    assert cached("test.scope", tenant_ids=[acme.id], scope=("b",), compute=compute("B")) == "B"
    Team.objects.create(client=acme, name="Platform")
    # Uncommitted own write: computed, not cached.
    assert cached("test.scope", tenant_ids=[acme.id], scope=("a",), compute=compute("A3")) == "A3"
    flush_pending()
    assert cached("test.scope", tenant_ids=[acme.id], scope=("a",), compute=compute("A4")) == "A4"
    assert calls == ["A", "B", "A3", "A4"]


@pytest.mark.django_db
def test_a_cache_that_cannot_be_reached_is_a_miss():
    acme = ClientFactory()
    flush_pending()
    unreachable = {
        "default": {
            "BACKEND": "outstaff.cache.FailSoftRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=unreachable):
        values = [cached("test.down", tenant_ids=[acme.id], scope=(), compute=lambda n=n: n) for n in range(3)]
    assert values == [0, 1, 2]


@pytest.mark.django_db(transaction=True)
def test_a_commit_waiting_on_a_foreign_key_holds_no_version_row():
    """T1 wrote to the tenant, then inserted a row referencing a worker that T2 holds FOR UPDATE:
    T1's COMMIT waits (its foreign-key check) for T2. The bump runs after that check, so T1 holds
    no version row while it waits and T2's COMMIT, which bumps the same tenant, goes through:
    no deadlock (bumping at T1's first write's event did deadlock here)."""
    worker = WorkerFactory()
    client = worker.client
    before = _version(client)
    t1_ready, t1_go, errors = threading.Event(), threading.Event(), []

    def t1():
        try:
            with transaction.atomic():
                Team.objects.create(client=client, name="First")
                CheckIn.objects.create(worker_id=worker.pk, kind="ad_hoc", due_on=dt.date(2026, 12, 1))
                t1_ready.set()
                t1_go.wait(10)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=t1)
    thread.start()
    assert t1_ready.wait(10)
    try:
        with transaction.atomic():
            Worker.objects.select_for_update().get(pk=worker.pk)
            Worker.objects.filter(pk=worker.pk).update(first_name="Locked")
            t1_go.set()
            time.sleep(0.5)  # T1 is now in its COMMIT, waiting for this lock
    finally:
        t1_go.set()
        thread.join(15)
    assert not errors, errors
    assert CheckIn.objects.filter(worker_id=worker.pk).count() == 1
    assert _version(client) != before
