"""Rescan debouncing across processes, with Redis and with the filesystem broker `make run` uses
without Redis: a change made through gunicorn is re-evaluated by a separate worker process, and a
second change within the old 60-second debounce window is re-evaluated too, instead of waiting for
the nightly scan (the per-process cache of `make run` swallowed it)."""

import pytest

from accounts.services import api_key_create
from accounts.tests.factories import make_actor
from risks.models import PendingRescan, RiskFlag
from risks.tests.scenarios import contractor_directed_full_time

from .conftest import production_env
from .processes import child_env, wait_for

RULE = "contractor_full_time_direction"


@pytest.fixture(params=["redis", "filesystem"])
def broker_env(request, tmp_path):
    if request.param == "redis":
        server = request.getfixturevalue("redis_server")
        return {"REDIS_URL": server.url}
    return {"CELERY_FILESYSTEM_BROKER_DIR": str(tmp_path / "broker"), "CACHE_URL": "locmemcache://"}


def test_a_second_change_soon_after_the_first_is_re_evaluated_too(
    broker_env, secret_key, start_web, start_worker, http_for
):
    worker, assignment = contractor_directed_full_time()
    assignment.manager = make_actor(worker.client, role="hiring_manager").user  # a member, so the PATCH validates
    assignment.save()
    _, raw = api_key_create(
        organization=worker.client, name="fault test", scopes=["workers:write", "assignments:write"]
    )
    web = start_web(production_env(secret_key, **broker_env))
    start_worker(child_env(**broker_env))
    api = http_for(web.url)
    api.headers = {"Authorization": f"Bearer {raw}"}

    # Two changes in a burst: re-evaluated once, and the flag opens.
    assert api.request("PATCH", f"/api/v1/workers/{worker.id}/", json_body={"role_title": "Lead"}).status == 200
    assert api.request("PATCH", f"/api/v1/workers/{worker.id}/", json_body={"role_title": "Staff"}).status == 200
    wait_for(lambda: RiskFlag.objects.filter(worker=worker, rule_code=RULE, status="open").exists(), what="flag")
    wait_for(lambda: not PendingRescan.objects.exists(), what="the task to take the pending rescan")

    # Seconds later, a change that removes the cause: the flag resolves without waiting for the night.
    change = {"weekly_hours": "10", "schedule_set_by_client": False}
    response = api.request("PATCH", f"/api/v1/assignments/{assignment.id}/?confirm=true", json_body=change)
    assert response.status == 200, response.text[:500]
    wait_for(
        lambda: RiskFlag.objects.filter(worker=worker, rule_code=RULE, status="resolved").exists(),
        timeout=30,
        what="the second change's re-evaluation",
    )
    assert RiskFlag.objects.filter(worker=worker, rule_code=RULE).count() == 1
