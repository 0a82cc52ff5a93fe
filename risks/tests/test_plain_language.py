"""Flags in plain words (issue 11, point 6): wherever a person meets a flag — the flag page, the worker
page, the inbox — it is named by its rule's title, says what to do next, and shows no rule code and
no record id."""

import re

import pytest

from accounts.tests.factories import make_actor
from risks.rules import RULES
from risks.tests.factories import RiskFlagFactory
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

CODE = "contractor_full_time_direction"


def _text(html: str) -> str:
    """What a person reads: the page without its tags and attribute values."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def flag(client):
    worker = WorkerFactory(first_name="Ada", last_name="Byron")
    flag = RiskFlagFactory(
        worker=worker,
        rule_code=CODE,
        evidence={
            "summary": "contractor working 40 h/week on a schedule set by the client",
            "facts": {"contract_id": "5b7c1f0e-1d2a-4c1b-9a4e-2f1e0c9d8b7a", "weekly_hours": 40},
            "observed": {},
            "sources": ["IRS common-law rules: behavioural control"],
        },
    )
    client.force_login(make_actor(worker.client).user)
    return flag


def test_every_rule_says_what_to_do_next():
    assert all(rule.next_step.strip() for rule in RULES.values())


@pytest.mark.parametrize("where", ["flag page", "worker page", "home inbox"])
def test_a_flag_reads_as_words_with_a_next_step(client, flag, where):
    url = {
        "flag page": f"/risks/flags/{flag.id}/",
        "worker page": f"/workers/{flag.worker_id}/",
        "home inbox": "/",
    }[where]
    response = client.get(url)
    assert response.status_code == 200
    text = _text(response.content.decode())
    rule = RULES[CODE]
    assert rule.title in text
    assert rule.next_step in text
    assert CODE not in text
    assert "5b7c1f0e-1d2a-4c1b-9a4e-2f1e0c9d8b7a" not in text and "Contract id" not in text
