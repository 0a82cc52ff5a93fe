import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.tests.factories import make_actor
from screening import services
from screening.choices import AssessmentKind, ChecklistCode
from screening.models import AssessmentResult, Candidate, Screening
from screening.tests.factories import CandidateFactory, ScreeningFactory

pytestmark = pytest.mark.django_db


def session(actor):
    api = APIClient()
    api.force_login(actor.user)
    return api


def kit(world):
    return [item["competency"] for item in world.template.interview_kit]


def assert_constant_queries(api, url, grow, expected_rows):
    api.get(url)
    with CaptureQueriesContext(connection) as few:
        api.get(url)
    grow()
    with CaptureQueriesContext(connection) as many:
        response = api.get(url)
    assert response.status_code == 200
    assert len(response.json()["results"]) == expected_rows
    assert len(many) == len(few)


# --- candidates -----------------------------------------------------------------------------------


def test_candidates_are_scoped_to_the_client(world, api_key_client):
    theirs = CandidateFactory(client=world.other_client)
    api = api_key_client(world.client, ["screening:write"])
    ids = [row["id"] for row in api.get("/api/v1/candidates/").json()["results"]]
    assert ids == [str(world.candidate.id)]
    assert api.get(f"/api/v1/candidates/{theirs.id}/").status_code == 404
    assert api.patch(f"/api/v1/candidates/{theirs.id}/", {"first_name": "X"}, format="json").status_code == 404
    theirs.refresh_from_db()
    assert theirs.first_name != "X"


def test_provider_sees_no_candidates_and_cannot_create(world, api_key_client):
    api = api_key_client(world.provider.organization, ["screening:write"])
    assert api.get("/api/v1/candidates/").json()["results"] == []
    response = api.post("/api/v1/candidates/", {"first_name": "A", "last_name": "B", "email": "a@b.test"})
    assert response.status_code == 403


def test_create_candidate_and_duplicate_external_id_is_400(world, api_key_client):
    api = api_key_client(world.client, ["screening:write"])
    payload = {"first_name": "Ada", "last_name": "L", "email": "ada@x.test", "country": "pl", "external_id": "C-1"}
    created = api.post("/api/v1/candidates/", payload, format="json")
    assert created.status_code == 201 and created.json()["country"] == "PL"
    again = api.post("/api/v1/candidates/", payload, format="json")
    assert again.status_code == 400 and again["Content-Type"].startswith("application/problem+json")


def test_candidate_list_query_count(world, api_key_client):
    api = api_key_client(world.client, ["screening:read"])
    assert_constant_queries(
        api, "/api/v1/candidates/", lambda: CandidateFactory.create_batch(5, client=world.client), expected_rows=6
    )


def test_viewer_cannot_write(world):
    viewer = make_actor(world.client, role="viewer")
    response = session(viewer).post("/api/v1/candidates/", {"first_name": "A", "last_name": "B", "email": "a@b.test"})
    assert response.status_code == 403


# --- screenings -----------------------------------------------------------------------------------


def test_create_screening_through_the_api(world, api_key_client):
    api = api_key_client(world.client, ["screening:write"])
    candidate = CandidateFactory(client=world.client)
    response = api.post(
        "/api/v1/screenings/",
        {"candidate": str(candidate.id), "template": str(world.template.id), "provider": str(world.provider.pk)},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["expected_validity"] == "0.42" and "Sackett" in body["expected_validity_basis"]
    assert len(body["checklist"]) == len(ChecklistCode.values)


def test_cannot_screen_with_another_tenants_candidate_or_template(world, api_key_client):
    api = api_key_client(world.other_client, ["screening:write"])
    response = api.post(
        "/api/v1/screenings/",
        {"candidate": str(world.candidate.id), "template": str(world.template.id)},
        format="json",
    )
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"candidate", "template"}


def test_other_tenants_screening_is_404_on_read_and_actions(world, api_key_client):
    api = api_key_client(world.other_client, ["screening:write"])
    url = f"/api/v1/screenings/{world.screening.id}/"
    assert api.get(url).status_code == 404
    assert api.patch(url, {"stage": "interview"}, format="json").status_code == 404
    assert api.post(url + "decide/", {"outcome": "failed"}, format="json").status_code == 404
    assert api.post(url + "checklist/", {"code": "skills_weighed", "checked": True}).status_code == 404
    assert api.post(url + "hire/", {}, format="json").status_code == 404
    assert api.get("/api/v1/screenings/").json()["results"] == []
    world.screening.refresh_from_db()
    assert world.screening.status == "in_progress" and world.screening.stage == "applied"


def test_decide_pass_rule_and_override_through_the_api(world, api_key_client):
    world.score(speaking_efset=45)
    api = api_key_client(world.client, ["screening:write"])
    url = f"/api/v1/screenings/{world.screening.id}/decide/"
    refused = api.post(url, {"outcome": "passed"}, format="json")
    assert refused.status_code == 400 and "Speaking is B1" in refused.json()["errors"][0]["message"]
    assert api.post(url, {"outcome": "passed", "override_reason": "x"}, format="json").status_code == 403
    admin = session(world.admin)
    passed = admin.post(url, {"outcome": "passed", "override_reason": "Interviewed in English for an hour"})
    assert passed.status_code == 200, passed.json()
    assert passed.json()["status"] == "passed" and passed.json()["decided_by"] == world.admin.user.email


def test_checklist_and_hire_through_the_api(world, api_key_client):
    world.passed()
    api = api_key_client(world.client, ["screening:write"])
    url = f"/api/v1/screenings/{world.screening.id}/"
    blocked = api.post(url + "hire/", {"work_email": "ada@work.test"}, format="json")
    assert blocked.status_code == 400 and blocked.json()["errors"][0]["field"] == "checklist"
    for code in ChecklistCode.values:
        assert api.post(url + "checklist/", {"code": code, "checked": True}, format="json").status_code == 200
    hired = api.post(url + "hire/", {"work_email": "ada@work.test", "weekly_hours": "40"}, format="json")
    assert hired.status_code == 201, hired.json()
    assert hired.json()["worker"] is not None and hired.json()["provider"] == str(world.provider.pk)


def test_provider_sees_only_outcomes_of_its_workers(world, api_key_client):
    world.passed()
    in_progress_for_provider = ScreeningFactory(client=world.client, provider=world.provider)
    other_provider = ScreeningFactory(client=world.client, status="failed")
    api = api_key_client(world.provider.organization, ["screening:read"])
    rows = api.get("/api/v1/screenings/").json()["results"]
    assert [row["id"] for row in rows] == [str(world.screening.id)]
    assert set(rows[0]) == {"id", "candidate_name", "worker", "client_name", "role_title", "status", "decided_at"}
    assert rows[0]["status"] == "passed" and rows[0]["decided_at"]
    detail = api.get(f"/api/v1/screenings/{world.screening.id}/").json()
    assert "composite_score" not in detail and "decision_notes" not in detail
    assert api.get(f"/api/v1/screenings/{in_progress_for_provider.id}/").status_code == 404
    assert api.get(f"/api/v1/screenings/{other_provider.id}/").status_code == 404
    for resource in ("scorecards", "assessments", "candidates"):
        assert api.get(f"/api/v1/{resource}/").json()["results"] == []


def test_screening_list_query_count(world, api_key_client):
    api = api_key_client(world.client, ["screening:read"])

    def grow():
        for _ in range(4):
            services.screening_create(
                actor=world.manager, candidate=CandidateFactory(client=world.client), template=world.template
            )

    assert_constant_queries(api, "/api/v1/screenings/", grow, expected_rows=5)


def test_provider_outcome_list_query_count(world, api_key_client):
    api = api_key_client(world.provider.organization, ["screening:read"])

    def grow():
        ScreeningFactory.create_batch(4, client=world.client, provider=world.provider, status="failed")

    assert_constant_queries(api, "/api/v1/screenings/", grow, expected_rows=4)


# --- scorecards -----------------------------------------------------------------------------------


def test_scorecards_are_blind_until_you_submit_your_own(world):
    first, second = kit(world)
    url = "/api/v1/scorecards/"
    mine = session(world.manager).post(
        url,
        {"screening": str(world.screening.id), "ratings": {first: 5, second: 4}, "recommendation": "strong_yes"},
        format="json",
    )
    assert mine.status_code == 201, mine.json()
    assert mine.json()["ratings"] == {first: 5, second: 4}

    other = session(world.interviewer2)
    before = other.get(url).json()["results"]
    assert len(before) == 1 and before[0]["ratings_visible"] is False
    assert before[0]["ratings"] is None and before[0]["recommendation"] is None and before[0]["notes"] is None
    assert other.get(f"{url}{mine.json()['id']}/").json()["ratings"] is None
    screening_view = other.get(f"/api/v1/screenings/{world.screening.id}/").json()
    assert screening_view["composite_score"] is None

    draft = other.post(
        url, {"screening": str(world.screening.id), "ratings": {first: 2}, "submit": False}, format="json"
    )
    assert draft.status_code == 201
    assert session(world.manager).get(url).json()["results"][0]["id"] == mine.json()["id"]  # drafts stay private
    assert len(session(world.manager).get(url).json()["results"]) == 1
    still_blind = [r for r in other.get(url).json()["results"] if r["id"] == mine.json()["id"]][0]
    assert still_blind["ratings"] is None

    submitted = other.patch(
        f"{url}{draft.json()['id']}/", {"ratings": {second: 3}, "recommendation": "no", "submit": True}, format="json"
    )
    assert submitted.status_code == 200, submitted.json()
    after = {r["id"]: r for r in other.get(url).json()["results"]}
    assert after[mine.json()["id"]]["ratings"] == {first: 5, second: 4}
    assert other.get(f"/api/v1/screenings/{world.screening.id}/").json()["composite_score"] is not None


def test_api_key_sees_ratings_only_after_the_decision(world, api_key_client):
    world.score()
    api = api_key_client(world.client, ["screening:read"])
    assert api.get("/api/v1/scorecards/").json()["results"][0]["ratings"] is None
    services.screening_decide(actor=world.manager, screening=world.screening, outcome="passed")
    assert api.get("/api/v1/scorecards/").json()["results"][0]["ratings"] is not None


def test_api_key_cannot_submit_a_scorecard(world, api_key_client):
    api = api_key_client(world.client, ["screening:write"])
    response = api.post(
        "/api/v1/scorecards/", {"screening": str(world.screening.id), "ratings": {}, "submit": False}, format="json"
    )
    assert response.status_code == 400


def test_submitted_scorecard_is_immutable_and_a_correction_is_a_new_version(world):
    first, second = kit(world)
    api = session(world.manager)
    card = api.post(
        "/api/v1/scorecards/",
        {"screening": str(world.screening.id), "ratings": {first: 2, second: 2}, "recommendation": "no"},
        format="json",
    ).json()
    patched = api.patch(f"/api/v1/scorecards/{card['id']}/", {"ratings": {first: 5}}, format="json")
    assert patched.status_code == 400 and "new version" in patched.json()["errors"][0]["message"]
    correction = api.post(
        "/api/v1/scorecards/",
        {"screening": str(world.screening.id), "ratings": {first: 4, second: 4}, "recommendation": "yes"},
        format="json",
    ).json()
    assert correction["version"] == 2 and correction["supersedes"] == card["id"]
    rows = {r["id"]: r for r in api.get("/api/v1/scorecards/").json()["results"]}
    assert rows[card["id"]]["is_superseded"] is True and rows[card["id"]]["ratings"] == {first: 2, second: 2}


def test_scorecards_cross_tenant(world, api_key_client):
    world.score()
    card = world.screening.scorecards.get()
    other = session(world.other_admin)
    assert other.get("/api/v1/scorecards/").json()["results"] == []
    assert other.get(f"/api/v1/scorecards/{card.id}/").status_code == 404
    assert other.patch(f"/api/v1/scorecards/{card.id}/", {"notes": "x"}, format="json").status_code == 404
    response = other.post(
        "/api/v1/scorecards/", {"screening": str(world.screening.id), "ratings": {}, "submit": False}, format="json"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "screening"


def test_scorecard_list_query_count(world):
    api = session(world.manager)

    def grow():
        for _ in range(3):
            screening = services.screening_create(
                actor=world.manager, candidate=CandidateFactory(client=world.client), template=world.template
            )
            for actor in (world.manager, world.interviewer2):
                services.scorecard_save(
                    actor=actor, screening=screening, ratings=dict.fromkeys(kit(world), 3), recommendation="yes"
                )

    world.score()
    assert_constant_queries(api, "/api/v1/scorecards/", grow, expected_rows=7)


# --- assessments ----------------------------------------------------------------------------------


def test_vendor_posts_results_by_external_id(world, api_key_client):
    api = api_key_client(world.client, ["screening:write"])
    payload = {
        "screening": str(world.screening.id),
        "external_id": "efset-991",
        "kind": "language",
        "instrument": "EF SET",
        "scale": "efset",
        "skill_scores": {"speaking": 61, "listening": 60},
    }
    first = api.post("/api/v1/assessments/", payload, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["cefr_speaking"] == "C1" and first.json()["cefr_listening"] == "B2"
    payload["skill_scores"] = {"speaking": 41}
    second = api.post("/api/v1/assessments/", payload, format="json")
    assert second.json()["id"] == first.json()["id"] and second.json()["cefr_speaking"] == "B1"
    assert second.json()["cefr_listening"] == ""
    assert AssessmentResult.objects.count() == 1


@pytest.mark.parametrize(
    "payload, field, range_text",
    [
        ({"kind": "language", "scale": "efset", "skill_scores": {"speaking": 101}}, "skill_scores", "0–100"),
        ({"kind": "language", "scale": "cambridge", "skill_scores": {"reading": 60}}, "skill_scores", "80–230"),
        ({"kind": "cognitive", "scale": "percent", "raw_score": "140"}, "raw_score", "0–100"),
    ],
)
def test_out_of_range_score_is_a_400_naming_the_range(world, api_key_client, payload, field, range_text):
    api = api_key_client(world.client, ["screening:write"])
    response = api.post(
        "/api/v1/assessments/", {"screening": str(world.screening.id), "instrument": "T", **payload}, format="json"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    error = response.json()["errors"][0]
    assert error["field"] == field and range_text in error["message"]
    assert not AssessmentResult.objects.exists()


def test_direct_cefr_level(world, api_key_client):
    api = api_key_client(world.client, ["screening:write"])
    response = api.post(
        "/api/v1/assessments/",
        {
            "screening": str(world.screening.id),
            "kind": "language",
            "instrument": "IELTS (as CEFR)",
            "scale": "cefr",
            "cefr_speaking": "B2",
            "cefr_writing": "C1",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["cefr_writing"] == "C1"


def test_assessments_cross_tenant(world, api_key_client):
    world.score()
    result = world.screening.assessments.first()
    api = api_key_client(world.other_client, ["screening:write"])
    assert api.get("/api/v1/assessments/").json()["results"] == []
    assert api.get(f"/api/v1/assessments/{result.id}/").status_code == 404
    response = api.post(
        "/api/v1/assessments/",
        {"screening": str(world.screening.id), "kind": "cognitive", "instrument": "T", "raw_score": "50"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "screening"


def test_assessment_list_query_count(world, api_key_client):
    api = api_key_client(world.client, ["screening:read"])

    def grow():
        for score in (10, 20, 30):
            services.assessment_record(
                actor=world.manager,
                screening=world.screening,
                kind=AssessmentKind.COGNITIVE,
                instrument="GMA",
                raw_score=score,
            )

    world.score()
    assert_constant_queries(api, "/api/v1/assessments/", grow, expected_rows=5)


def test_schema_lists_the_screening_endpoints(world, api_key_client):
    response = session(world.admin).get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/candidates/",
        "/api/v1/screenings/{id}/decide/",
        "/api/v1/scorecards/",
        "/api/v1/assessments/",
    ):
        assert path in paths
    assert Screening.objects.exists() and Candidate.objects.exists()


def test_review_only_through_the_api(world):
    world.score()
    admin = session(world.admin)
    assert admin.get("/api/v1/scorecards/").json()["results"][0]["ratings"] is None
    response = admin.post(
        "/api/v1/scorecards/", {"screening": str(world.screening.id), "declined": True}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["declined"] is True and response.json()["ratings"] == {}
    rows = {r["interviewer"]: r for r in admin.get("/api/v1/scorecards/").json()["results"]}
    assert rows[str(world.manager.user.id)]["ratings"] is not None


def test_vendor_can_name_the_screening_by_its_external_id(world, api_key_client):
    """An assessment vendor knows the HR system's id of the screening, not ours: it may give
    `screening_external_id` instead of `screening`, looked up among the client's own screenings only."""
    services.screening_update(actor=world.manager, instance=world.screening, external_id="ats-77")
    foreign = ScreeningFactory(client=world.other_client, external_id="ats-78")
    api = api_key_client(world.client, ["screening:write"])
    payload = {"external_id": "gma-1", "kind": "cognitive", "instrument": "CCAT", "raw_score": 70}
    created = api.post("/api/v1/assessments/", {**payload, "screening_external_id": "ats-77"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["screening"] == str(world.screening.id)
    for unknown in ("nope", foreign.external_id):
        refused = api.post("/api/v1/assessments/", {**payload, "screening_external_id": unknown}, format="json")
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["field"] == "screening_external_id"
    neither = api.post("/api/v1/assessments/", payload, format="json")
    assert neither.status_code == 400 and neither.json()["errors"][0]["field"] == "screening"
    assert AssessmentResult.objects.count() == 1


@pytest.mark.parametrize(
    "action, payload",
    [
        ("decide", {"outcome": "withdrawn"}),
        ("checklist", {"code": "skills_weighed", "checked": True}),
        ("hire", {"weekly_hours": "40"}),
        ("activate", {}),
    ],
)
def test_screening_actions_honour_if_match(world, api_key_client, action, payload):
    """DESIGN §8: a write with a stale If-Match is a 412 and changes nothing, actions included."""
    api = api_key_client(world.client, ["screening:write", "workers:write"])
    url = f"/api/v1/screenings/{world.screening.id}/"
    etag = api.get(url)["ETag"]
    services.screening_update(actor=world.manager, instance=world.screening, stage="interview")  # someone else
    before = Screening.objects.get(pk=world.screening.pk)
    response = api.post(url + f"{action}/", payload, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 412, response.content
    after = Screening.objects.get(pk=world.screening.pk)
    assert (after.status, after.updated_at) == (before.status, before.updated_at)
    assert not world.screening.checklist_items.filter(checked=True).exists()
