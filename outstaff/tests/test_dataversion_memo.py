"""A request reads a tenant's data version once (outstaff/dataversion.py ``request_memo``, opened per
request by ``DataVersionMemoMiddleware``), and long cache keys are digests. If this broke, a user
would see a page one write behind their own change (the memo kept a version past a write of this
request), a value computed from uncommitted data served to others (a pending read memoised), or
every cached page read its version twice again; a provider with many clients would get Django's
key warning on every request, or a cached page that never changes after a write."""

import threading
import warnings

import pghistory
import pytest
from django.core.cache import CacheKeyWarning, cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import ClientFactory, make_actor
from assignments.models import Team
from outstaff import dataversion
from outstaff.dataversion import (
    _VERSIONS,
    MAX_KEY_LENGTH,
    PENDING_TABLE,
    _reads_only,
    cached,
    data_versions,
    flush_pending,
    request_memo,
)
from workers.tests.factories import WorkerFactory


def _version_reads(captured) -> list[str]:
    """The statements of `captured` that read the versions (prepared, preparing or plain)."""
    return [q["sql"] for q in captured.captured_queries if _VERSIONS.name in q["sql"] or PENDING_TABLE in q["sql"]]


def _counted(tenant_ids) -> tuple[str | None, int]:
    with CaptureQueriesContext(connection) as captured:
        versions = data_versions(tenant_ids)
    return versions, len(_version_reads(captured))


def _commit_elsewhere(org, name: str) -> None:
    """A write committed by another connection (another request), which this one's memo cannot see."""
    errors = []

    def write():
        try:
            Team.objects.create(client=org, name=name)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(10)
    assert not errors, errors


@pytest.mark.django_db
def test_inside_a_memo_a_tenants_version_is_read_once_and_outside_every_call_reads_it():
    org = ClientFactory()
    flush_pending()  # what COMMIT does to the versions
    with request_memo():
        first, first_reads = _counted([org.id])
        second, second_reads = _counted([org.id])
    assert (first_reads, second_reads) == (1, 0)
    assert second == first
    outside = [_counted([org.id]) for _ in range(2)]
    assert [reads for _, reads in outside] == [1, 1]
    assert outside[0][0] == first


@pytest.mark.django_db(transaction=True)
def test_a_write_committed_by_this_connection_inside_the_memo_is_read_at_once():
    org = ClientFactory()
    with request_memo():
        before = data_versions([org.id])
        # Another request's commit is not seen (as if this one had run a moment earlier): the memo
        # really serves the first read...
        _commit_elsewhere(org, "Elsewhere")
        assert _counted([org.id]) == (before, 0)
        # ...and only this connection's own write drops it: read your writes.
        Team.objects.create(client=org, name="Mine")
        after, reads = _counted([org.id])
        assert reads == 1
        assert after is not None and after != before
        assert _counted([org.id]) == (after, 0)  # memoised again
    assert data_versions([org.id]) == after


@pytest.mark.django_db(transaction=True)
def test_a_write_carrying_pghistorys_context_drops_the_memo():
    """With pghistory's context entered first (its wrapper outside the memo's), the memo sees the
    write with pghistory's set_config prefix, which starts with SELECT: still a write."""
    org = ClientFactory()
    with pghistory.context(channel="test"), request_memo(), CaptureQueriesContext(connection) as captured:
        before = data_versions([org.id])
        Team.objects.create(client=org, name="Audited")
        after = data_versions([org.id])
    assert any(q["sql"].startswith("SELECT set_config('pghistory.") for q in captured.captured_queries)
    assert after not in (None, before)


@pytest.mark.django_db(transaction=True)
def test_a_write_in_an_open_transaction_inside_the_memo_is_none_and_never_memoised():
    org, other = ClientFactory(), ClientFactory()
    with request_memo():
        before = data_versions([org.id])
        with transaction.atomic():
            Team.objects.create(client=org, name="Pending")
            assert _counted([org.id]) == (None, 1)
            assert _counted([org.id]) == (None, 1)  # None is not memoised: read again
            assert _counted([other.id, org.id]) == (None, 1)
            # A tenant this transaction did not write is memoised as usual.
            other_version, _ = _counted([other.id])
            assert other_version is not None
            assert _counted([other.id]) == (other_version, 0)
            assert _counted([org.id]) == (None, 1)
        committed, reads = _counted([org.id])
    assert reads == 1
    assert committed not in (None, before)


@pytest.mark.django_db
def test_a_subset_is_served_from_the_memo_in_the_order_asked():
    a, b = ClientFactory(), ClientFactory()
    flush_pending()
    expected_b, expected_ba = data_versions([b.id]), data_versions([b.id, a.id])
    with request_memo():
        assert _counted([a.id, b.id])[1] == 1
        assert _counted([b.id]) == (expected_b, 0)
        assert _counted([b.id, a.id]) == (expected_ba, 0)
        assert [part.split("=")[0] for part in expected_ba.split(":")[1].split(",")] == [str(b.id), str(a.id)]
        # A tenant not read yet is read (with the others asked for).
        c = ClientFactory()  # a write: the memo is dropped
        flush_pending()
        assert _counted([a.id])[1] == 1
        assert _counted([a.id, c.id])[1] == 1
        assert _counted([c.id, a.id])[1] == 0


@pytest.mark.parametrize(
    ("sql", "reads"),
    [
        ('SELECT "accounts_organization"."id" FROM "accounts_organization"', True),
        ("select 1", True),
        ("  \n\tSELECT 1", True),
        ("EXECUTE data_versions_0123 ('{}')", True),
        ("execute session_0123 ('x', 'y')", True),
        ("PREPARE data_versions_0123 AS SELECT 1; EXECUTE data_versions_0123", True),
        ('INSERT INTO "assignments_team" ("name") VALUES (%s)', False),
        ('UPDATE "accounts_organization" SET "name" = %s', False),
        ('DELETE FROM "assignments_team"', False),
        ("  delete from assignments_team", False),
        ("WITH x AS (UPDATE accounts_organization SET name = name RETURNING id) SELECT * FROM x", False),
        ('SAVEPOINT "s1"', False),
        ('RELEASE SAVEPOINT "s1"', False),
        ("DEALLOCATE data_versions_0123", False),
        ("TRUNCATE assignments_team", False),
        (
            "SELECT set_config('pghistory.context_id', %s, true), "
            "set_config('pghistory.context_metadata', %s, true); "
            'INSERT INTO "assignments_team" ("name") VALUES (%s)',
            False,
        ),
        (b"SELECT 1", False),
        (None, False),
        (object(), False),
    ],
)
def test_only_reads_keep_the_memo(sql, reads):
    assert _reads_only(sql) is reads


@pytest.mark.django_db(transaction=True)
def test_a_warm_team_list_reads_its_version_once():
    """The team list's body and the navigation's open-flag count are both cached under the client's
    version: the warm page reads it once, and a committed write is on the next page."""
    cache.clear()
    org = ClientFactory()
    WorkerFactory(client=org, last_name="Abernathy")
    client = Client()
    client.force_login(make_actor(org).user)
    for _ in range(2):  # the body, then the count, cached by now
        assert client.get("/workers/").status_code == 200
    with CaptureQueriesContext(connection) as warm:
        response = client.get("/workers/")
    assert response.status_code == 200
    assert "Abernathy" in response.content.decode()
    assert len(_version_reads(warm)) == 1, "\n".join(q["sql"][:120] for q in warm.captured_queries)
    assert not any('FROM "workers_worker"' in q["sql"] for q in warm.captured_queries)

    WorkerFactory(client=org, last_name="Zabriskie")
    with CaptureQueriesContext(connection) as after_write:
        response = client.get("/workers/")
    assert "Zabriskie" in response.content.decode()
    assert len(_version_reads(after_write)) == 1


class _RecordingCache:
    """The default cache, recording the keys asked for."""

    def __init__(self):
        self.keys = []

    def get(self, key, default=None):
        self.keys.append(key)
        return cache.get(key, default)

    def set(self, key, value, timeout):
        self.keys.append(key)
        cache.set(key, value, timeout)


@pytest.mark.django_db(transaction=True)
def test_a_key_of_many_tenants_is_a_digest_that_still_follows_their_versions(monkeypatch):
    cache.clear()
    tenants = [ClientFactory() for _ in range(30)]
    ids = [tenant.id for tenant in tenants]
    recording = _RecordingCache()
    monkeypatch.setattr(dataversion, "cache", recording)
    calls = []

    def compute():
        calls.append(len(calls))
        return f"value {len(calls)}"

    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        assert cached("test.many", tenant_ids=ids, scope=("scope",), compute=compute) == "value 1"
        assert cached("test.many", tenant_ids=ids, scope=("scope",), compute=compute) == "value 1"
        assert len(calls) == 1
        # One of the thirty tenants changes: a new key, a fresh value.
        Team.objects.create(client=tenants[17], name="Platform")
        assert cached("test.many", tenant_ids=ids, scope=("scope",), compute=compute) == "value 2"
        assert cached("test.many", tenant_ids=ids, scope=("scope",), compute=compute) == "value 2"
        # Another scope is another digest.
        assert cached("test.many", tenant_ids=ids, scope=("other",), compute=compute) == "value 3"
    assert len(calls) == 3
    assert all(len(key) <= MAX_KEY_LENGTH for key in recording.keys), [len(key) for key in recording.keys]
    assert all(key.startswith("dv:test.many:") for key in recording.keys)
    assert len(set(recording.keys)) == 3
    # A short key is left as it is (readable in the cache).
    short = cached("test.few", tenant_ids=ids[:1], scope=("scope",), compute=compute)
    assert short == "value 4"
    assert str(ids[0]) in recording.keys[-1]


@pytest.mark.django_db
def test_an_empty_tenant_list_is_never_cacheable_inside_a_memo_either():
    """Outside a memo ``data_versions([])`` is None (compute, do not cache); inside a memo that has
    read any version it was the bare epoch, so ``cached(tenant_ids=[])`` would have cached a value
    that no write ever invalidates."""
    org = ClientFactory()
    flush_pending()
    assert data_versions([]) is None
    with request_memo():
        data_versions([org.id])
        assert data_versions([]) is None


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", [str.upper, lambda text: text.replace("-", "")])
def test_a_tenant_id_spelt_otherwise_reads_the_same_version(spelling):
    """The versions are keyed by PostgreSQL's text of the uuid; an id given as another spelling of it
    (upper case, no hyphens), which the query itself accepts, raised KeyError."""
    org = ClientFactory()
    flush_pending()
    expected = data_versions([org.id])
    assert data_versions([spelling(str(org.id))]) == expected
