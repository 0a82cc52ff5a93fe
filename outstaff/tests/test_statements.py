"""Prepared statements (outstaff/statements.py) and the row helpers of the list templates: what a
page's reader would notice if they broke is a 500, a page from another session's plan, or a number
printed differently."""

import json
import uuid

import pghistory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outstaff import statements
from outstaff.api import prepared
from outstaff.statements import PreparedStatement, numbered

pytestmark = pytest.mark.django_db


def _run(statement, params):
    with connection.cursor() as cursor:
        statement.run(cursor, params)
        return cursor.fetchall()


def _sent(queries) -> list[str]:
    return [query["sql"] for query in queries.captured_queries]


def test_placeholders_are_numbered_and_literal_percent_signs_kept():
    assert numbered("SELECT %s, '100%%' WHERE a = %s") == ("SELECT $1, '100%%' WHERE a = $2", 2)
    assert numbered("SELECT 1") == ("SELECT 1", 0)


def test_only_a_select_is_prepared():
    with pytest.raises(ValueError, match="SELECT"):
        PreparedStatement("UPDATE accounts_organization SET name = %s")


def test_a_statement_is_prepared_once_per_session_then_executed():
    statement = PreparedStatement("SELECT %s::int + 1, %s::text", prefix="t_once")
    with CaptureQueriesContext(connection) as first:
        assert _run(statement, [1, "a"]) == [(2, "a")]
    with CaptureQueriesContext(connection) as second:
        assert _run(statement, [41, "%s"]) == [(42, "%s")]
    assert any(sql.startswith(f"PREPARE {statement.name} AS SELECT $1::int + 1") for sql in _sent(first))
    assert _sent(second) == [f"EXECUTE {statement.name} (41, '%s')"]


@pytest.mark.django_db(transaction=True)
def test_a_new_session_prepares_again():
    statement = PreparedStatement("SELECT %s::int * 2", prefix="t_session")
    assert _run(statement, [2]) == [(4,)]
    connection.close()  # as after a restart of PostgreSQL or CONN_MAX_AGE: a new session
    with CaptureQueriesContext(connection) as again:
        assert _run(statement, [3]) == [(6,)]
    assert any(sql.startswith(f"PREPARE {statement.name}") for sql in _sent(again))
    with CaptureQueriesContext(connection) as then:
        assert _run(statement, [4]) == [(8,)]
    assert _sent(then) == [f"EXECUTE {statement.name} (4)"]


def test_a_statement_postgres_cannot_prepare_runs_unprepared_and_the_transaction_goes_on():
    statement = PreparedStatement("SELECT %s IS NULL", prefix="t_untyped")  # $1 has no inferable type
    assert _run(statement, [None]) == [(True,)]
    assert statement.preparable is False
    with CaptureQueriesContext(connection) as later:
        assert _run(statement, [None]) == [(True,)]
    assert _sent(later) == ["SELECT NULL IS NULL"]
    with connection.cursor() as cursor:  # the test's transaction is still usable
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_prepare_whose_outcome_is_unknown_is_asked_of_the_server(settings):
    statement = PreparedStatement("SELECT %s::int - 1", prefix="t_unknown")
    assert _run(statement, [5]) == [(4,)]
    session = statements._session(connection)
    session.prepared.discard(statement.name)
    session.uncertain.add(statement.name)
    with CaptureQueriesContext(connection) as asked:
        assert _run(statement, [9]) == [(8,)]
    sent = _sent(asked)
    assert "pg_prepared_statements" in sent[0] and sent[1] == f"EXECUTE {statement.name} (9)"


def test_prepared_statements_can_be_turned_off(settings):
    settings.API_PREPARED_STATEMENTS = False
    statement = PreparedStatement("SELECT %s::int", prefix="t_off")
    with CaptureQueriesContext(connection) as plain:
        assert _run(statement, [7]) == [(7,)]
    assert _sent(plain) == ["SELECT 7::int"]


def test_an_execute_carries_no_audit_context_prefix():
    """pghistory prefixes statements it does not know for reads; an EXECUTE of a SELECT is one."""
    statement = PreparedStatement("SELECT %s::int", prefix="t_context")
    with pghistory.context(channel="api"), CaptureQueriesContext(connection) as queries:
        _run(statement, [1])
        _run(statement, [2])
        with connection.cursor() as cursor:  # a write statement still gets it
            cursor.execute("UPDATE accounts_organization SET name = name WHERE false")
    sent = _sent(queries)
    executes = [sql for sql in sent if f"EXECUTE {statement.name}" in sql]
    assert len(executes) == 2 and not any("set_config" in sql for sql in executes)
    assert "set_config('pghistory.context_id'" in next(sql for sql in sent if "UPDATE" in sql)


def test_uuid_text_is_read_back_as_the_same_uuid():
    for _ in range(200):
        value = uuid.uuid4()
        parsed = prepared._uuid(str(value))
        assert parsed == value and str(parsed) == str(value) and hash(parsed) == hash(value)
        assert parsed.is_safe == uuid.UUID(str(value)).is_safe


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "b": [1.5, -0.0, 1e-7, null, true], "c": "Zoë \\u2028"}',
        '{"big": 123456789012345678901234567890, "neg": -9223372036854775809}',
        '{"inf": 1e400}',
        '"\\ud800"',
        '{"n": "1234567890123456789"}',
        "[18446744073709551615, 9223372036854775807, 0.1]",
    ],
)
def test_json_columns_read_as_json_loads_reads_them(text):
    assert json.dumps(prepared._json_loads(text, None, None)) == json.dumps(json.loads(text))
    assert prepared._json_loads(None, None, None) is None


@pytest.mark.django_db(transaction=True)
def test_a_statement_whose_column_changes_type_is_prepared_again():
    """A migration that alters a column a prepared statement returns ("cached plan must not change
    result type"): the next request gets the new type, not a 500 until the connection is recycled."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE outstaff_test_retyped (n integer)")
        cursor.execute("INSERT INTO outstaff_test_retyped VALUES (7)")
    try:
        statement = PreparedStatement("SELECT n FROM outstaff_test_retyped WHERE n = %s", prefix="t_retyped")
        assert _run(statement, [7]) == [(7,)]
        assert _run(statement, [7]) == [(7,)]
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE outstaff_test_retyped ALTER COLUMN n TYPE bigint")
        assert _run(statement, [7]) == [(7,)]  # prepared again for the new result type
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE outstaff_test_retyped ALTER COLUMN n TYPE text")
        assert _run(statement, ["7"]) == [("7",)]  # the parameter's type no longer fits: again
        with CaptureQueriesContext(connection) as later:
            assert _run(statement, ["7"]) == [("7",)]
        assert _sent(later) == [f"EXECUTE {statement.name} ('7')"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE outstaff_test_retyped")
