import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from accounts.management.commands.create_api_key import Command
from accounts.models import ApiKey
from accounts.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def test_prints_a_key_that_authenticates_with_its_scopes():
    org = ClientFactory(slug="acme")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_api_key",
        "--org",
        "acme",
        "--name",
        "Workday",
        "--scopes",
        "workers:read",
        "contracts:write",
        stdout=out,
        stderr=err,
    )
    raw_key = out.getvalue().strip()
    assert raw_key.startswith("osk_") and "\n" not in raw_key
    assert "not shown again" in err.getvalue()
    api_key = ApiKey.objects.get(organization=org)
    assert api_key.name == "Workday" and api_key.scopes == ["contracts:write", "workers:read"]
    assert raw_key not in api_key.key_hash
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert client.get("/api/v1/workers/").status_code == 200
    assert client.get("/api/v1/assignments/").status_code == 403  # not in its scopes


def test_bad_scope_lists_valid_scopes_and_creates_nothing():
    ClientFactory(slug="acme")
    with pytest.raises(CommandError) as error:
        call_command("create_api_key", "--org", "acme", "--name", "x", "--scopes", "workers:read", "everything")
    assert "everything" in str(error.value) and "assignments:write" in str(error.value)
    assert not ApiKey.objects.exists()


def test_bad_scope_exits_non_zero_from_the_command_line(capsys, monkeypatch):
    ClientFactory(slug="acme")
    # run_from_argv closes the connections on the way out; the test's transaction still needs its own.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "create_api_key", "--org", "acme", "--name", "x", "--scopes", "nope"])
    assert exit_info.value.code != 0
    assert "Valid scopes:" in capsys.readouterr().err
    assert not ApiKey.objects.exists()


def test_unknown_organization_is_an_error():
    with pytest.raises(CommandError, match="No organization with slug 'ghost'"):
        call_command("create_api_key", "--org", "ghost", "--name", "x", "--scopes", "workers:read")
