"""Fixed queries (outstaff/lookups.py ``FixedQuery``): a queryset's SQL derived once per process and
run as a prepared statement, used by the session engine (outstaff/sessions.py) and the request's
memberships (accounts/selectors.py). If this broke, a user would be signed in with someone else's
session or memberships (a plan reused with the wrong values), signed in on an expired or unknown
session, shown the wrong organizations, or a query whose SQL depends on its values would silently
answer for another value instead of being evaluated as Django would."""

import datetime as dt
import itertools
import logging
import secrets
import uuid

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import Prefetch, Value
from django.db.models.functions import Concat
from django.shortcuts import resolve_url
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts import selectors
from accounts.models import Membership, Organization, User
from accounts.selectors import memberships_for_request
from accounts.tests.factories import ClientFactory, MembershipFactory, ProviderOrgFactory, UserFactory
from outstaff import sessions
from outstaff.lookups import FixedQuery, FixedQueryMismatch
from risks.models import RiskFlag
from risks.tests.factories import RiskFlagFactory
from workers.models import Worker
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db
LOGGER = "outstaff.lookups"


def _sent(captured) -> list[str]:
    # A statement the derivation blocked was never sent: Django's log has no SQL (None) for it.
    return [q["sql"] for q in captured.captured_queries if q["sql"] is not None]


def _fields(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def _workers_of(client_id):
    return Worker.objects.filter(client_id=client_id).select_related("client", "provider")


def _uuid_sample() -> dict:
    return {"client_id": uuid.uuid4()}


def _refusals(caplog, prefix) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == LOGGER and f"fixed query {prefix} is not" in r.getMessage()
    ]


@pytest.fixture
def two_clients():
    acme, globex = ClientFactory(name="Acme"), ClientFactory(name="Globex")
    workers = [
        WorkerFactory(client=acme, last_name="Young", first_name="Ada", exit_date=None),
        WorkerFactory(client=acme, last_name="Abbott", first_name="Bea", exit_date=dt.date(2026, 6, 30)),
        WorkerFactory(client=acme, last_name="Miller", first_name="Cal", exit_date=None),
        WorkerFactory(client=globex, last_name="Other", first_name="Dee", exit_date=None),
    ]
    return acme, globex, workers


def test_a_fixed_query_gives_the_querysets_instances_and_runs_prepared(two_clients):
    acme, globex, _ = two_clients
    fixed = FixedQuery(Worker, _workers_of, sample=_uuid_sample, prefix="t_workers")
    expected = list(_workers_of(acme.id))
    assert [w.last_name for w in expected] == ["Abbott", "Miller", "Young"]  # the model's ordering
    got = fixed(client_id=acme.id)
    assert [w.pk for w in got] == [w.pk for w in expected]
    assert [_fields(w) for w in got] == [_fields(w) for w in expected]
    with CaptureQueriesContext(connection) as related:
        assert [(_fields(w.client), _fields(w.provider)) for w in got] == [
            (_fields(w.client), _fields(w.provider)) for w in expected
        ]
    assert _sent(related) == []  # select_related: no query for the related objects
    assert all(type(w) is Worker and not w._state.adding and w._state.db == "default" for w in got)
    with CaptureQueriesContext(connection) as second:
        again = fixed(client_id=globex.id)
    assert [w.last_name for w in again] == ["Other"]
    assert len(_sent(second)) == 1 and _sent(second)[0].startswith("EXECUTE t_workers_")


def test_converters_annotations_and_an_empty_related_object_are_the_querysets(two_clients):
    acme, _, workers = two_clients
    flag = RiskFlagFactory(worker=workers[0], evidence={"summary": "Zoë", "facts": {"weekly_hours": 40}})
    RiskFlagFactory()  # another client's

    def flags_of(client_id):
        return (
            RiskFlag.objects.filter(client_id=client_id)
            .select_related("worker", "assignment")
            .annotate(label=Concat("worker__first_name", Value(" / "), "worker__last_name"))
        )

    fixed = FixedQuery(RiskFlag, flags_of, sample=_uuid_sample, prefix="t_flags")
    fixed(client_id=uuid.uuid4())  # derived
    with CaptureQueriesContext(connection) as captured:
        (got,) = fixed(client_id=acme.id)
    assert _sent(captured)[0].startswith("EXECUTE t_flags_")
    (expected,) = flags_of(acme.id)
    assert got.pk == flag.pk and _fields(got) == _fields(expected)
    assert got.evidence == {"summary": "Zoë", "facts": {"weekly_hours": 40}}  # JSON decoded
    assert got.label == expected.label == "Ada / Young"
    with CaptureQueriesContext(connection) as read:
        assert got.assignment is None and got.worker.first_name == "Ada"
    assert _sent(read) == []


def _plain(fixed, caplog, expected, **values):
    """`fixed(**values)` falls back to the queryset, gives `expected` and logs why once."""
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=LOGGER), CaptureQueriesContext(connection) as captured:
        got = fixed(**values)
        assert got == expected
        again = fixed(**values)
        assert again == expected
    assert not any(sql.startswith(("EXECUTE", "PREPARE")) for sql in _sent(captured)), _sent(captured)
    assert len(_refusals(caplog, fixed.prefix)) == 1, caplog.text
    return got


def test_a_build_whose_sql_depends_on_its_value_is_evaluated_as_usual(two_clients, caplog):
    acme = two_clients[0]
    first_n = FixedQuery(
        Worker,
        lambda n: Worker.objects.filter(client=acme)[:n],
        sample=lambda: {"n": secrets.randbelow(10**6) + 1},
        prefix="t_slice",
    )
    _plain(first_n, caplog, list(Worker.objects.filter(client=acme)[:2]), n=2)
    assert [w.last_name for w in first_n(n=1)] == ["Abbott"]

    branches = itertools.cycle(["A", "B"])  # the two samples take both branches

    def by_name(name):
        if name.startswith("A"):
            return Worker.objects.filter(first_name=name)
        return Worker.objects.filter(last_name=name)

    branching = FixedQuery(
        Worker, by_name, sample=lambda: {"name": next(branches) + secrets.token_hex(4)}, prefix="t_branch"
    )
    _plain(branching, caplog, list(Worker.objects.filter(first_name="Ada")), name="Ada")
    assert [w.first_name for w in branching(name="Miller")] == ["Cal"]


def test_a_value_that_does_not_reach_the_sql_as_given_is_evaluated_as_usual(two_clients, caplog):
    acme = two_clients[0]
    unused = FixedQuery(
        Worker,
        lambda client_id, limit: Worker.objects.filter(client_id=client_id),
        sample=lambda: {"client_id": uuid.uuid4(), "limit": secrets.randbelow(10**6)},
        prefix="t_unused",
    )
    _plain(unused, caplog, list(Worker.objects.filter(client_id=acme.id)), client_id=acme.id, limit=1)
    transformed = FixedQuery(
        Worker,
        lambda name: Worker.objects.filter(last_name__icontains=name),
        sample=lambda: {"name": secrets.token_hex(8)},
        prefix="t_contains",
    )
    _plain(transformed, caplog, list(Worker.objects.filter(last_name__icontains="ill")), name="ill")


def test_a_build_that_queries_is_evaluated_as_usual(two_clients, caplog):
    acme = two_clients[0]

    def counting(client_id):
        size = Worker.objects.filter(client_id=client_id).count()
        return Worker.objects.filter(client_id=client_id)[: max(size, 1)]

    def listing(client_id):
        ids = list(Worker.objects.filter(client_id=client_id).values_list("pk", flat=True))
        return Worker.objects.filter(pk__in=ids)

    expected = list(Worker.objects.filter(client_id=acme.id))
    for prefix, build in (("t_count", counting), ("t_list", listing)):
        fixed = FixedQuery(Worker, build, sample=_uuid_sample, prefix=prefix)
        _plain(fixed, caplog, expected, client_id=acme.id)
        assert "queries" in _refusals(caplog, prefix)[0]


def test_a_values_queryset_is_evaluated_as_usual(two_clients, caplog):
    acme = two_clients[0]
    values = FixedQuery(
        Worker,
        lambda client_id: Worker.objects.filter(client_id=client_id).values("last_name"),
        sample=_uuid_sample,
        prefix="t_values",
    )
    rows = _plain(
        values, caplog, [{"last_name": "Abbott"}, {"last_name": "Miller"}, {"last_name": "Young"}], client_id=acme.id
    )
    assert all(type(row) is dict for row in rows)


def test_a_prefetch_is_evaluated_as_usual(two_clients, caplog):
    acme = two_clients[0]

    def with_members(client_id):
        members = Prefetch("memberships", queryset=Membership.objects.order_by("role"))
        return Organization.objects.filter(pk=client_id).prefetch_related(members)

    MembershipFactory(organization=acme)
    prefetching = FixedQuery(Organization, with_members, sample=_uuid_sample, prefix="t_prefetch")
    orgs = _plain(prefetching, caplog, [acme], client_id=acme.id)
    with CaptureQueriesContext(connection) as read:
        assert len(orgs[0].memberships.all()) == 1
    assert _sent(read) == []  # prefetched by the plain evaluation


def test_related_objects_known_from_a_manager_are_evaluated_as_usual(two_clients, caplog):
    acme = two_clients[0]
    known = FixedQuery(
        Worker,
        lambda exit_date: acme.client_workers.filter(exit_date=exit_date),
        sample=lambda: {"exit_date": dt.date(1900, 1, 1) + dt.timedelta(days=secrets.randbelow(10**5))},
        prefix="t_known",
    )
    exited = _plain(
        known,
        caplog,
        list(Worker.objects.filter(client=acme, exit_date=dt.date(2026, 6, 30))),
        exit_date=dt.date(2026, 6, 30),
    )
    assert [w.last_name for w in exited] == ["Abbott"]
    with CaptureQueriesContext(connection) as read:
        assert exited[0].client is acme  # the manager's instance, as Django gives it
    assert _sent(read) == []


@pytest.mark.parametrize("verify", [True, False])
def test_none_is_evaluated_as_is_null(two_clients, verify):
    acme = two_clients[0]
    fixed = FixedQuery(
        Worker,
        lambda client_id, exit_date: Worker.objects.filter(client_id=client_id, exit_date=exit_date),
        sample=lambda: {
            "client_id": uuid.uuid4(),
            "exit_date": dt.date(1900, 1, 1) + dt.timedelta(days=secrets.randbelow(10**5)),
        },
        prefix="t_none",
    )
    with override_settings(FIXED_QUERIES_VERIFY=verify):
        assert [w.last_name for w in fixed(client_id=acme.id, exit_date=dt.date(2026, 6, 30))] == ["Abbott"]
        with CaptureQueriesContext(connection) as captured:
            still = fixed(client_id=acme.id, exit_date=None)
    assert [w.last_name for w in still] == ["Miller", "Young"]
    assert "IS NULL" in _sent(captured)[0] and not _sent(captured)[0].startswith("EXECUTE")


FLAGS = {"only_germany": False}


def _changing(client_id):
    workers = Worker.objects.filter(client_id=client_id)
    return workers.filter(country="DE") if FLAGS["only_germany"] else workers


def test_a_build_that_changes_after_its_derivation_fails_verification(two_clients, monkeypatch):
    acme = two_clients[0]
    assert settings.FIXED_QUERIES_VERIFY
    fixed = FixedQuery(Worker, _changing, sample=_uuid_sample, prefix="t_changing")
    assert len(fixed(client_id=acme.id)) == 3
    monkeypatch.setitem(FLAGS, "only_germany", True)
    with pytest.raises(FixedQueryMismatch, match="t_changing"):
        fixed(client_id=acme.id)


# The session engine.


def _signed_in(user=None) -> Client:
    client = Client()
    client.force_login(user or MembershipFactory().user)
    return client


def _anonymous(response) -> bool:
    return response.status_code == 302 and response.url.startswith(resolve_url(settings.LOGIN_URL))


def test_a_signed_in_session_loads_through_the_fixed_lookup():
    client = _signed_in()
    assert client.get("/workers/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/workers/").status_code == 200
    assert _sent(captured)[0].startswith("EXECUTE session_")


def test_an_expired_session_is_anonymous():
    client = _signed_in()
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/workers/").status_code == 200
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert _anonymous(client.get("/workers/"))
    store = sessions.SessionStore(session_key=key)
    assert store.load() == {} and store.session_key is None


def test_a_session_that_expires_in_a_moment_still_loads():
    client = _signed_in()
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + dt.timedelta(minutes=1))
    assert client.get("/workers/").status_code == 200


@pytest.mark.parametrize(
    "key", ["garbage", "x" * 32, "0123456789abcdef0123456789abcdef", "'; DROP TABLE django_session; --xx"]
)
def test_an_unknown_or_garbage_session_key_is_anonymous(key):
    _signed_in()  # another user's session exists
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    assert _anonymous(client.get("/workers/"))
    assert Session.objects.exists()


@override_settings(API_PREPARED_STATEMENTS=False)
def test_sessions_work_without_prepared_statements():
    client = _signed_in()
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/workers/").status_code == 200
    assert not any(sql.startswith(("EXECUTE", "PREPARE")) for sql in _sent(captured))
    assert any('FROM "django_session"' in sql for sql in _sent(captured))
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert _anonymous(client.get("/workers/"))


# The request's memberships.


@pytest.fixture
def fresh_memberships_plan(monkeypatch):
    """No plan of the memberships' fixed query yet: the test's first call derives it."""
    monkeypatch.setattr(selectors._REQUEST_MEMBERSHIPS, "_plans", {})


def _lazy_request(user):
    """A request whose user is wrapped as auth's and django-otp's middleware wrap it."""
    request = RequestFactory().get("/")
    auth = SimpleLazyObject(lambda: user)
    request.user = SimpleLazyObject(lambda: auth)
    return request


def test_the_requests_memberships_are_the_users_in_active_organizations_only(fresh_memberships_plan):
    user = UserFactory()
    provider = ProviderOrgFactory(name="Beta Provider")
    mine = [
        MembershipFactory(user=user, organization=ClientFactory(name="Alpha Client")),
        MembershipFactory(user=user, organization=provider, role="provider_admin"),
    ]
    MembershipFactory(user=user, organization=ClientFactory(name="Closed", is_active=False))
    MembershipFactory(organization=mine[0].organization)  # a colleague's
    client = _signed_in(user)
    response = client.get("/workers/")
    assert response.status_code == 200
    memberships = response.wsgi_request._outstaff_memberships
    assert [m.pk for m in memberships] == [m.pk for m in mine]  # ordered by the organization's name
    with CaptureQueriesContext(connection) as read:
        assert all(type(m.user) is User and m.user.pk == user.pk for m in memberships)
        assert [m.organization.name for m in memberships] == ["Alpha Client", "Beta Provider"]
        assert all(m.user.email == user.email for m in memberships)
    assert _sent(read) == []


def test_each_membership_holds_the_request_users_own_instance(fresh_memberships_plan):
    user = MembershipFactory().user
    request = _lazy_request(user)
    memberships = memberships_for_request(request)
    assert len(memberships) == 1
    with CaptureQueriesContext(connection) as read:
        assert memberships[0].user is user
        assert memberships[0].organization.is_active
    assert _sent(read) == []
    assert memberships_for_request(request) is memberships  # read once per request
    anonymous = RequestFactory().get("/")
    anonymous.user = SimpleLazyObject(lambda: SimpleLazyObject(AnonymousUser))
    assert memberships_for_request(anonymous) == []


def test_one_users_memberships_never_answer_for_another(fresh_memberships_plan):
    alice, bob = UserFactory(), UserFactory()
    alices = MembershipFactory(user=alice, organization=ClientFactory(name="Alice Co"))
    bobs = MembershipFactory(user=bob, organization=ClientFactory(name="Bob Co"))
    assert [m.pk for m in memberships_for_request(_lazy_request(bob))] == [bobs.pk]  # derives the plan
    with CaptureQueriesContext(connection) as captured:
        got = memberships_for_request(_lazy_request(alice))
    assert [m.pk for m in got] == [alices.pk]
    assert got[0].user is alice and got[0].organization.name == "Alice Co"
    assert _sent(captured)[0].startswith("EXECUTE memberships_")
    # Through pages, one after the other, each sees only their own organization.
    for user, name, other in ((bob, "Bob Co", "Alice Co"), (alice, "Alice Co", "Bob Co")):
        response = _signed_in(user).get("/workers/")
        assert [m.organization.name for m in response.wsgi_request._outstaff_memberships] == [name]
        assert response.wsgi_request.actor.organization.name == name
        assert other not in response.content.decode()
