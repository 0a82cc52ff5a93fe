"""A hiring manager scores a structured interview and passes the candidate, in Chromium."""

import pytest

from accounts.tests.factories import ClientFactory, make_actor
from providers.tests.factories import LegalEntityFactory, ProviderFactory
from screening import services
from screening.choices import AssessmentKind
from screening.models import Screening
from screening.tests.factories import CandidateFactory, ScreeningTemplateFactory

pytestmark = pytest.mark.e2e

PASSWORD = "pw-test-123"  # UserFactory's password


def test_hiring_manager_scores_the_interview_and_passes_the_candidate(live_server, page, console_log, login):
    client = ClientFactory(name="Acme Analytics")
    manager = make_actor(client, role="hiring_manager")
    provider = ProviderFactory()
    LegalEntityFactory(provider=provider, country="PL")
    template = ScreeningTemplateFactory(client=client, role_title="Backend engineer", min_cefr={"speaking": "B2"})
    candidate = CandidateFactory(client=client, first_name="Grace", last_name="Hopper", country="PL")
    screening = services.screening_create(actor=manager, candidate=candidate, template=template, provider=provider)
    # The tests were taken before the interview: a work sample and an EF SET speaking score (B2).
    services.assessment_record(
        actor=manager, screening=screening, kind=AssessmentKind.WORK_SAMPLE, instrument="API task", raw_score=80
    )
    services.assessment_record(
        actor=manager,
        screening=screening,
        kind=AssessmentKind.LANGUAGE,
        instrument="EF SET",
        scale="efset",
        skill_scores={"speaking": 58},
    )

    login(manager.user.email, PASSWORD)
    page.get_by_role("link", name="Screening", exact=True).click()
    page.get_by_role("link", name="Grace Hopper").click()
    assert page.get_by_text("Hidden until you submit your own scorecard").first.is_visible()

    # Each 1–5 choice is labelled with its behavioural anchor.
    page.get_by_label("4 — Problem solving anchor 4").check()
    page.get_by_label("5 — Communication anchor 5").check()
    page.get_by_label("Overall recommendation").select_option("strong_yes")
    page.get_by_label("Evidence and notes").fill("Walked through a real incident step by step.")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit scorecard").click()

    assert page.get_by_text("Scorecard submitted.").is_visible()
    # SI (4, 5) → 87.5; WS 80 → (.21 × 87.5 + .165 × 80) / .375 = 84.20
    assert "84.20" in page.locator("#composite").inner_text()
    assert page.get_by_text("Meets the pass rule", exact=True).is_visible()

    page.get_by_label("Pass", exact=True).check()
    page.get_by_label("Decision notes").fill("Strong structured interview and work sample.")
    with page.expect_navigation():
        page.get_by_role("button", name="Record decision").click()

    assert page.locator("h1 .badge").inner_text() == "Passed"
    screening.refresh_from_db()
    assert screening.status == "passed" and screening.decided_by_id == manager.user.id
    assert screening.composite_score is not None and str(screening.composite_score) == "84.20"
    assert Screening.objects.get(pk=screening.pk).scorecards.get().submitted_at is not None
    assert console_log.csp_violations() == []
