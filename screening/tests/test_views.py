import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import ClientFactory, make_actor
from screening import services
from screening.choices import ChecklistCode
from screening.defaults import DEFAULT_TEMPLATES
from screening.models import Candidate, Screening, ScreeningTemplate
from screening.tests.factories import ScreeningFactory, ScreeningTemplateFactory
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

BOARD = "/screening/"


def login(client, actor):
    client.force_login(actor.user)
    return client


def detail(world):
    return f"/screening/{world.screening.id}/"


def kit(world):
    return [item["competency"] for item in world.template.interview_kit]


def test_board_shows_the_clients_screenings_by_stage(world, client):
    theirs = ScreeningFactory(client=world.other_client)
    response = login(client, world.manager).get(BOARD)
    assert response.status_code == 200
    html = response.content.decode()
    assert str(world.candidate) in html and str(theirs.candidate) not in html
    applied = response.context["columns"][0]
    assert applied["stage"] == "applied" and [s.id for s in applied["screenings"]] == [world.screening.id]


def test_board_query_count_does_not_grow(world, client):
    login(client, world.manager)
    ScreeningFactory(client=world.client, template=world.template, status="passed")
    client.get(BOARD)
    with CaptureQueriesContext(connection) as few:
        client.get(BOARD)
    for status in ("in_progress", "passed", "failed"):
        ScreeningFactory.create_batch(3, client=world.client, template=world.template, status=status)
    with CaptureQueriesContext(connection) as many:
        response = client.get(BOARD)
    assert len(response.context["decided"]) == 7
    assert len(many) == len(few)


def test_start_screening_from_the_board(world, client):
    login(client, world.manager)
    response = client.post(
        BOARD,
        {
            "first_name": "Ada",
            "last_name": "Byron",
            "email": "ada@x.test",
            "country": "pl",
            "template": world.template.id,
        },
    )
    screening = Screening.objects.get(candidate__last_name="Byron")
    assert response.status_code == 302 and response["Location"] == f"/screening/{screening.id}/"
    assert screening.candidate.country == "PL" and screening.checklist_items.count() == len(ChecklistCode.values)


def test_start_screening_errors_stay_on_the_form(world, client):
    login(client, world.manager)
    response = client.post(BOARD, {"first_name": "Ada", "last_name": "B", "email": "x", "country": "Poland"})
    assert response.status_code == 400
    errors = response.context["start_form"].errors
    assert {"email", "template"} <= set(errors)
    other_template = ScreeningTemplateFactory(client=world.other_client)
    response = client.post(
        BOARD, {"first_name": "A", "last_name": "B", "email": "a@b.test", "template": other_template.id}
    )
    assert response.status_code == 400 and "template" in response.context["start_form"].errors
    assert not Candidate.objects.filter(email="a@b.test").exists()


def test_viewer_cannot_start_or_score(world, client):
    viewer = make_actor(world.client, role="viewer")
    login(client, viewer)
    response = client.post(
        BOARD, {"first_name": "A", "last_name": "B", "email": "a@b.test", "template": world.template.id}
    )
    assert response.status_code == 403
    assert client.post(detail(world) + "decide/", {"outcome": "failed"}).status_code == 403


def test_provider_sees_outcomes_only(world, client):
    world.passed()
    ScreeningFactory(client=world.client, provider=world.provider)  # in progress: not shown
    provider_user = make_actor(world.provider.organization)
    login(client, provider_user)
    response = client.get(BOARD)
    html = response.content.decode()
    assert response.status_code == 200 and "Screening outcomes" in html
    assert [s.id for s in response.context["outcomes"]] == [world.screening.id]
    assert "77.20" not in html and "Composite" not in html
    assert client.get(detail(world)).status_code == 404


def test_provider_outcomes_query_count(world, client):
    login(client, make_actor(world.provider.organization))
    ScreeningFactory(client=world.client, provider=world.provider, status="failed")
    client.get(BOARD)
    with CaptureQueriesContext(connection) as few:
        client.get(BOARD)
    ScreeningFactory.create_batch(4, client=world.client, provider=world.provider, status="passed")
    with CaptureQueriesContext(connection) as many:
        response = client.get(BOARD)
    assert len(response.context["outcomes"]) == 5
    assert len(many) == len(few)


def test_detail_explains_the_method_mix_and_cites_sources(world, client):
    response = login(client, world.manager).get(detail(world))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sackett, P. R." in html and "Schmidt, F. L., &amp; Hunter" in html
    assert "times in 100" in html
    assert "Problem solving anchor 5" in html  # the anchored scale is on the scorecard form


def test_detail_is_404_for_another_tenant(world, client):
    login(client, world.other_admin)
    assert client.get(detail(world)).status_code == 404
    assert client.post(detail(world) + "decide/", {"outcome": "failed"}).status_code == 404
    assert client.post(detail(world) + "scorecard/", {"rating_0": "5"}).status_code == 404
    world.screening.refresh_from_db()
    assert world.screening.status == "in_progress" and not world.screening.scorecards.exists()


def test_page_scorecards_are_blind_until_you_submit(world, client):
    first, second = kit(world)
    services.scorecard_save(
        actor=world.manager,
        screening=world.screening,
        ratings={first: 5, second: 5},
        recommendation="strong_yes",
        notes="SECRET-NOTE",
    )
    login(client, world.interviewer2)
    html = client.get(detail(world)).content.decode()
    assert "SECRET-NOTE" not in html and "Strong yes" not in html.split('id="interview"')[1].split("<form")[0]
    assert "Hidden until you submit your own scorecard" in html
    assert client.get(detail(world)).context["composite"] is None
    response = client.post(detail(world) + "scorecard/", {"rating_0": "3", "rating_1": "2", "recommendation": "no"})
    assert response.status_code == 302
    html = client.get(detail(world)).content.decode()
    assert "SECRET-NOTE" in html and "Hidden until you submit" not in html


def test_page_scorecard_draft_and_validation(world, client):
    login(client, world.manager)
    response = client.post(detail(world) + "scorecard/", {"rating_0": "4", "recommendation": "yes"})
    assert response.status_code == 400
    assert "missing" in str(response.context["scorecard_form"].errors)
    draft = client.post(detail(world) + "scorecard/", {"rating_0": "4", "action": "draft"})
    assert draft.status_code == 302
    card = world.screening.scorecards.get()
    assert card.submitted_at is None and card.ratings == {kit(world)[0]: 4}


def test_page_assessment_out_of_range_names_the_range(world, client):
    login(client, world.manager)
    response = client.post(
        detail(world) + "assessment/",
        {"kind": "language", "instrument": "Linguaskill", "scale": "linguaskill", "speaking_score": "250"},
    )
    assert response.status_code == 400
    assert "<li>Speaking: 250 is outside the Linguaskill range 82–180.</li>" in (response.content.decode())
    assert "skill_scores" not in response.content.decode()
    ok = client.post(
        detail(world) + "assessment/",
        {"kind": "language", "instrument": "Linguaskill", "scale": "linguaskill", "speaking_score": "165"},
    )
    assert ok.status_code == 302
    assert world.screening.assessments.get().cefr_speaking == "B2"


def test_page_decision_pass_rule_and_pass(world, client):
    login(client, world.manager)
    refused = client.post(detail(world) + "decide/", {"outcome": "passed"})
    assert refused.status_code == 400 and "pass rule is not met" in refused.content.decode()
    world.score()
    passed = client.post(detail(world) + "decide/", {"outcome": "passed", "notes": "Clear yes"})
    assert passed.status_code == 302
    world.screening.refresh_from_db()
    assert world.screening.status == "passed" and world.screening.decided_by == world.manager.user


def test_page_checklist_hire_and_activate(world, client):
    world.passed()
    login(client, world.manager)
    terms = {"provider": world.provider.pk, "weekly_hours": "40", "contract_type": "employment"}
    terms["engagement_model"] = "outstaffing"
    blocked = client.post(detail(world) + "hire/", terms)
    assert blocked.status_code == 400 and "Unchecked pre-onboarding items" in blocked.content.decode()
    for code in ChecklistCode.values:
        assert (
            client.post(detail(world) + "checklist/", {"code": code, "checked": "True", "note": "ok"}).status_code
            == 302
        )
    assert world.screening.checklist_items.filter(checked=True).count() == len(ChecklistCode.values)
    hired = client.post(
        detail(world) + "hire/",
        {
            "provider": world.provider.pk,
            "weekly_hours": "40",
            "contract_type": "employment",
            "engagement_model": "outstaffing",
        },
    )
    assert hired.status_code == 302, hired.context and hired.context["hire_form"].errors
    world.candidate.refresh_from_db()
    worker = world.candidate.worker
    assert worker.status == "onboarding"
    assert client.post(detail(world) + "activate/", {}).status_code == 302
    worker.refresh_from_db()
    assert worker.status == "active"


def test_page_activation_holds_the_gate(world, client):
    worker = WorkerFactory(client=world.client, provider=world.provider, status="onboarding")
    world.candidate.worker = worker
    world.candidate.save()
    login(client, world.manager)
    refused = client.post(detail(world) + "activate/", {"override_reason": "Please"})
    assert refused.status_code == 403
    refused = client.post(detail(world) + "activate/", {})
    assert refused.status_code == 400 and "no passed screening" in refused.content.decode()
    worker.refresh_from_db()
    assert worker.status == "onboarding"
    client.force_login(world.admin.user)
    allowed = client.post(detail(world) + "activate/", {"override_reason": "Contractor we already vetted in 2025"})
    assert allowed.status_code == 302
    worker.refresh_from_db()
    assert worker.status == "active" and worker.gate_override_by == world.admin.user


def test_template_pages(world, client):
    weak = ScreeningTemplateFactory(
        client=world.client, name="Quick hire", methods=[{"method": "resume_review", "weight": 1}], interview_kit=[]
    )
    theirs = ScreeningTemplateFactory(client=world.other_client)
    login(client, world.manager)
    listing = client.get("/screening/templates/")
    assert listing.status_code == 200 and theirs.name not in listing.content.decode()
    assert "Résumé review" in listing.content.decode() and "resume_review" not in listing.content.decode()
    weak_page = client.get(f"/screening/templates/{weak.id}/").content.decode()
    assert "Weak screening" in weak_page and "0.07" in weak_page
    kit_page = client.get(f"/screening/templates/{world.template.id}/").content.decode()
    assert "Communication anchor 3" in kit_page
    assert client.get(f"/screening/templates/{theirs.id}/").status_code == 404


def test_template_list_query_count(world, client):
    login(client, world.manager)
    client.get("/screening/templates/")
    with CaptureQueriesContext(connection) as few:
        client.get("/screening/templates/")
    ScreeningTemplateFactory.create_batch(4, client=world.client)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/screening/templates/")
    assert len(response.context["rows"]) == 5
    assert len(many) == len(few)


def test_nav_has_a_screening_link(world, client):
    html = login(client, world.manager).get(BOARD).content.decode()
    assert 'href="/screening/">Screening</a>' in html


def test_board_filters_by_role(world, client):
    other_role = ScreeningTemplateFactory(client=world.client, name="Support")
    support = ScreeningFactory(client=world.client, template=other_role)
    response = login(client, world.manager).get(BOARD, {"template": str(other_role.id)})
    in_progress = [s.id for column in response.context["columns"] for s in column["screenings"]]
    assert in_progress == [support.id]
    assert f'<option value="{other_role.id}" selected>' in response.content.decode()


@pytest.mark.parametrize("action", ["stage", "scorecard", "assessment", "checklist", "decide", "hire", "activate"])
def test_every_page_action_is_404_for_another_tenant(world, client, action):
    login(client, world.other_admin)
    payload = {"stage": "interview", "code": "skills_weighed", "checked": "True", "outcome": "failed"}
    assert client.post(detail(world) + f"{action}/", payload).status_code == 404
    world.screening.refresh_from_db()
    assert world.screening.stage == "applied" and world.screening.status == "in_progress"
    assert not world.screening.checklist_items.filter(checked=True).exists()


def test_page_review_only(world, client):
    world.score()
    login(client, world.admin)
    assert client.get(detail(world)).context["composite"] is None
    response = client.post(detail(world) + "review-only/", {"notes": "Deciding manager"})
    assert response.status_code == 302
    page = client.get(detail(world))
    assert page.context["composite"].score is not None
    html = page.content.decode()
    assert "Reviewing only — did not interview" in html and "you cannot score this candidate" in html
    refused = client.post(detail(world) + "scorecard/", {"rating_0": "5", "rating_1": "5", "recommendation": "yes"})
    assert refused.status_code == 400


@pytest.mark.parametrize(
    "method, validity",
    [("resume_review", "0.07"), ("unstructured_interview", "0.19")],
)
def test_a_weak_screening_says_so_plainly(world, client, method, validity):
    """Issue #3 §5: a screening resting on a résumé review or an unstructured interview alone shows its
    weak validity on the page, in words, next to its composite."""
    template = ScreeningTemplateFactory(
        client=world.client, name=f"Weak {method}", methods=[{"method": method, "weight": 1}], interview_kit=[]
    )
    screening = services.screening_create(
        actor=world.manager, candidate=world.candidate, template=template, provider=world.provider
    )
    services.assessment_record(
        actor=world.manager, screening=screening, kind=method, instrument="Hiring manager's call", raw_score=90
    )
    html = login(client, world.manager).get(f"/screening/{screening.id}/").content.decode()
    assert validity in html
    assert "Weak screening" in html and "barely better than chance" in html
    assert "90.00" in html  # the composite, beside it
    templates_page = client.get("/screening/templates/").content.decode()
    assert "weak" in templates_page


def test_decided_screening_does_not_say_yet(world, client):
    """A screening passed by a client admin's override below the pass rule is described in the past."""
    world.score(work_sample=10)
    services.screening_decide(
        actor=world.admin, screening=world.screening, outcome="passed", override_reason="Vouched for by the CTO"
    )
    html = login(client, world.manager).get(detail(world)).content.decode()
    assert "Did not meet the pass rule" in html and "passed by a client admin's override" in html
    assert "pass rule yet" not in html


def test_a_partial_composite_is_labelled_partial(world, client):
    kit_names = kit(world)
    services.scorecard_save(
        actor=world.manager, screening=world.screening, ratings=dict.fromkeys(kit_names, 4), recommendation="yes"
    )
    html = login(client, world.manager).get(detail(world)).content.decode()
    assert "So far" in html and "Work sample / skills test" in html
    assert "predict with validity 0.42" in html  # the structured interview alone


def test_detail_query_count_does_not_grow_with_scorecards_assessments_or_checked_items(world, client):
    """The detail page lists scorecards, assessments and checklist items: its queries stay flat."""
    world.score()  # one scorecard (manager), a work sample, a language result
    login(client, world.admin)
    services.scorecard_decline(actor=world.admin, screening=world.screening)
    client.get(detail(world))
    with CaptureQueriesContext(connection) as few:
        client.get(detail(world))
    names = kit(world)
    services.scorecard_save(
        actor=world.interviewer2, screening=world.screening, ratings=dict.fromkeys(names, 3), recommendation="no"
    )
    for score in (55, 65, 75):
        services.assessment_record(
            actor=world.manager, screening=world.screening, kind="cognitive", instrument="GMA", raw_score=score
        )
    for code in ChecklistCode.values:
        services.checklist_item_set(actor=world.manager, screening=world.screening, code=code, checked=True)
    with CaptureQueriesContext(connection) as many:
        response = client.get(detail(world))
    assert len(response.context["scorecards"]) == 3 and len(response.context["assessments"]) == 5
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_language_score_inputs_have_accessible_names(world, client):
    html = login(client, world.manager).get(detail(world)).content.decode()
    for skill in ("Reading", "Listening", "Speaking", "Writing"):
        assert f'aria-label="{skill} score"' in html and f'aria-label="{skill} CEFR level"' in html


def test_a_new_client_admin_installs_the_standard_templates_from_the_page(world, client):
    """A client without templates cannot start a screening; the page says so and a client admin can
    install the two shipped templates (backend engineer; English-speaking support) in one click."""
    fresh = ClientFactory()
    admin, manager = make_actor(fresh, role="client_admin"), make_actor(fresh, role="hiring_manager")
    login(client, manager)
    board = client.get(BOARD).content.decode()
    assert "No role templates yet" in board
    assert "Install the standard templates" not in client.get("/screening/templates/").content.decode()
    assert client.post("/screening/templates/").status_code == 403
    login(client, admin)
    page = client.get("/screening/templates/").content.decode()
    assert "Install the standard templates" in page
    response = client.post("/screening/templates/")
    assert response.status_code == 302
    names = set(ScreeningTemplate.objects.filter(client=fresh).values_list("name", flat=True))
    assert names == {spec["name"] for spec in DEFAULT_TEMPLATES}
    client.post("/screening/templates/")  # idempotent
    assert ScreeningTemplate.objects.filter(client=fresh).count() == len(DEFAULT_TEMPLATES)


def test_a_reviewers_note_follows_the_blind_rule_on_the_page_as_in_the_api(world, client):
    services.scorecard_decline(actor=world.admin, screening=world.screening, notes="Leaning towards a yes")
    html = login(client, world.interviewer2).get(detail(world)).content.decode()
    assert "Reviewing only" in html and "Leaning towards a yes" not in html
    assert "Leaning towards a yes" in login(client, world.admin).get(detail(world)).content.decode()


def test_the_admin_who_decides_sees_the_composite_at_the_decision(world, client):
    """Issue 11: the composite is shown to the admin who decides — next to the decision form once they
    say they review only; before that the form says how to see it."""
    import re

    world.score()
    login(client, world.admin)

    def decision_section(html: str) -> str:
        return html[html.index('id="decision"') :]

    before = decision_section(client.get(detail(world)).content.decode())
    assert "hidden until you submit your own scorecard" in before and 'href="#review-only"' in before
    client.post(detail(world) + "review-only/", {"notes": "Deciding manager"})
    page = client.get(detail(world))
    after = decision_section(page.content.decode())
    score = page.context["composite"].score
    assert re.search(rf"Composite {re.escape(str(score))} / 100", after)
    assert "pass mark" in after
