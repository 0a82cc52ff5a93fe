"""A list template is prepared once per database session (outstaff/api/prepared.py): the first page
read on a connection sends `PREPARE lean_… ; EXECUTE lean_…`, later ones only `EXECUTE`, a new
connection prepares again, and `API_PREPARED_STATEMENTS = False` reads the same page without either.

These tests close the connection, so they run outside a test transaction (`transaction=True`) and
apart from test_list_templates.py, whose demo data lives in a transaction held for its module."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import ClientFactory
from outstaff.api import prepared
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = "/api/v1/workers/"


@pytest.fixture(autouse=True)
def _fresh_templates(no_templates):
    """Every test derives its templates itself."""


@pytest.fixture
def key_client(api_key_client):
    """A client's API key with three workers to list, on a fresh database session."""
    organization = ClientFactory()
    WorkerFactory.create_batch(3, client=organization)
    connection.close()  # nothing is prepared on the next session yet
    return api_key_client(organization, ["workers:read"])


def _lean_statements(client, path=WORKERS):
    """The response, and the statements of the request that name a list template."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == 3
    return response, [query["sql"] for query in queries if "lean_" in query["sql"]]


def _prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def test_the_first_page_on_a_connection_prepares_and_later_pages_execute(key_client):
    """Preparing on every request would cost a round trip and a plan each time; never preparing
    would plan each time: exactly one PREPARE per session."""
    first, statements = _lean_statements(key_client)
    assert len(statements) == 1 and "PREPARE lean_" in statements[0] and "EXECUTE lean_" in statements[0]
    [template] = [entry for entry in prepared._TEMPLATES.values() if isinstance(entry, prepared.Template)]
    assert template.statement.name in _prepared_names()
    for _ in range(2):
        later, statements = _lean_statements(key_client)
        assert len(statements) == 1 and "PREPARE" not in statements[0], statements
        assert f"EXECUTE {template.statement.name} " in statements[0]
        assert later.content == first.content


def test_without_prepared_statements_the_same_page_is_read_unprepared(key_client, settings):
    """Behind a transaction-pooling proxy a session's statements are not the next transaction's:
    the setting must keep PREPARE and EXECUTE off the wire, with the same answer."""
    prepared_page, _ = _lean_statements(key_client)
    settings.API_PREPARED_STATEMENTS = False
    connection.close()
    for _ in range(2):
        page, statements = _lean_statements(key_client)
        assert statements == []
        assert page.content == prepared_page.content
    assert not any(name.startswith("lean_") for name in _prepared_names())
    assert any(isinstance(entry, prepared.Template) for entry in prepared._TEMPLATES.values())  # still templated


def test_a_new_connection_prepares_the_template_again(key_client):
    """A reconnect (a restarted PostgreSQL, CONN_MAX_AGE) loses the session's statements: the next
    page must prepare again, not EXECUTE a statement the new session does not have."""
    before, statements = _lean_statements(key_client)
    assert "PREPARE lean_" in statements[0]
    connection.close()
    after, statements = _lean_statements(key_client)
    assert len(statements) == 1 and "PREPARE lean_" in statements[0]
    assert after.content == before.content
    _, statements = _lean_statements(key_client)
    assert "PREPARE" not in statements[0]
