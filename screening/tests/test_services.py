from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from outstaff.signals import worker_changed
from providers.models import EmploymentContract
from providers.tests.factories import LegalEntityFactory, ProviderFactory
from screening import services
from screening.choices import AssessmentKind, ChecklistCode
from screening.defaults import DEFAULT_TEMPLATES
from screening.models import AssessmentResult, InterviewScorecard, ScreeningTemplate
from screening.selectors import scorecard_list, viewer_may_see_ratings, worker_passes_gate
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def kit(world):
    return [item["competency"] for item in world.template.interview_kit]


def test_create_screening_comes_with_the_checklist_and_mix_validity(world):
    assert sorted(world.screening.checklist_items.values_list("code", flat=True)) == sorted(ChecklistCode.values)
    assert world.screening.expected_validity == Decimal("0.42")
    assert world.screening.stage == "applied" and world.screening.status == "in_progress"


def test_cannot_screen_another_tenants_candidate(world):
    with pytest.raises(ValidationError):
        services.screening_create(actor=world.other_admin, candidate=world.candidate, template=world.template)


def test_scoring_moves_stages_and_stores_the_composite(world):
    world.score()
    world.screening.refresh_from_db()
    assert world.screening.stage == "assessment"
    assert world.screening.composite_score == Decimal("77.20")


def test_scorecard_validation(world):
    with pytest.raises(ValidationError) as error:
        services.scorecard_save(
            actor=world.manager, screening=world.screening, ratings={kit(world)[0]: 6}, recommendation="yes"
        )
    messages = " ".join(error.value.message_dict["ratings"])
    assert "rate from 1 to 5" in messages and "missing" in messages
    with pytest.raises(ValidationError) as error:
        services.scorecard_save(
            actor=world.manager, screening=world.screening, ratings=dict.fromkeys(kit(world), 3), recommendation=""
        )
    assert "recommendation" in error.value.message_dict
    assert not InterviewScorecard.objects.exists()


def test_draft_then_submit_then_correction_is_a_new_version(world):
    first, second = kit(world)
    draft = services.scorecard_save(actor=world.manager, screening=world.screening, ratings={first: 2}, submit=False)
    assert draft.submitted_at is None
    submitted = services.scorecard_update(
        actor=world.manager, instance=draft, ratings={second: 4}, recommendation="yes", submit=True
    )
    assert submitted.pk == draft.pk and submitted.ratings == {first: 2, second: 4} and submitted.submitted_at
    with pytest.raises(ValidationError, match="cannot change"):
        services.scorecard_update(actor=world.manager, instance=submitted, ratings={first: 5})
    correction = services.scorecard_save(
        actor=world.manager, screening=world.screening, ratings={first: 5, second: 5}, recommendation="strong_yes"
    )
    assert correction.version == 2 and correction.supersedes_id == submitted.pk
    submitted.refresh_from_db()
    assert submitted.ratings == {first: 2, second: 4}
    world.screening.refresh_from_db()
    assert world.screening.composite_score == Decimal("100.00")  # only the interview is scored so far


def test_only_the_interviewer_edits_a_draft(world):
    draft = services.scorecard_save(
        actor=world.manager, screening=world.screening, ratings={kit(world)[0]: 2}, submit=False
    )
    with pytest.raises(PermissionDenied):
        services.scorecard_update(actor=world.interviewer2, instance=draft, ratings={kit(world)[0]: 5})


@pytest.mark.parametrize(
    "kwargs, field, text",
    [
        ({"raw_score": 101}, "raw_score", "0–100"),
        ({"raw_score": -1}, "raw_score", "0–100"),
        ({"scale": "custom", "raw_score": 41, "scale_min": 0, "scale_max": 40}, "raw_score", "0–40"),
        ({"scale": "custom", "raw_score": 4, "scale_min": 5, "scale_max": 1}, "scale_max", "range"),
        ({"raw_score": None}, "raw_score", "Give the score"),
    ],
)
def test_out_of_range_scores_name_the_range(world, kwargs, field, text):
    with pytest.raises(ValidationError) as error:
        services.assessment_record(
            actor=world.manager, screening=world.screening, kind=AssessmentKind.COGNITIVE, instrument="GMA", **kwargs
        )
    assert text in " ".join(error.value.message_dict[field])
    assert not AssessmentResult.objects.exists()


def test_custom_scale_is_normalized(world):
    result = services.assessment_record(
        actor=world.manager,
        screening=world.screening,
        kind=AssessmentKind.COGNITIVE,
        instrument="Wonderlic",
        scale="custom",
        raw_score=30,
        scale_min=0,
        scale_max=50,
    )
    assert result.normalized_score == Decimal("60.00")


def test_language_results_map_to_cefr_per_skill(world):
    efset = services.assessment_record(
        actor=world.manager,
        screening=world.screening,
        kind=AssessmentKind.LANGUAGE,
        instrument="EF SET 4-skill",
        scale="efset",
        skill_scores={"reading": 71, "listening": 61, "speaking": 51, "writing": 50},
    )
    assert (efset.cefr_reading, efset.cefr_listening, efset.cefr_speaking, efset.cefr_writing) == (
        "C2",
        "C1",
        "B2",
        "B1",
    )
    linguaskill = services.assessment_record(
        actor=world.manager,
        screening=world.screening,
        kind=AssessmentKind.LANGUAGE,
        instrument="Linguaskill",
        scale="linguaskill",
        skill_scores={"speaking": 159},
    )
    assert linguaskill.cefr_speaking == "B1" and linguaskill.cefr_reading == ""
    direct = services.assessment_record(
        actor=world.manager,
        screening=world.screening,
        kind=AssessmentKind.LANGUAGE,
        instrument="TOEFL (reported as CEFR)",
        scale="cefr",
        cefr_speaking="C1",
    )
    assert direct.cefr_speaking == "C1"
    with pytest.raises(ValidationError) as error:
        services.assessment_record(
            actor=world.manager,
            screening=world.screening,
            kind=AssessmentKind.LANGUAGE,
            instrument="Linguaskill",
            scale="linguaskill",
            skill_scores={"speaking": 250},
        )
    assert "82–180" in " ".join(error.value.message_dict["skill_scores"])
    with pytest.raises(ValidationError):  # one past Linguaskill's top is refused, not stored
        services.assessment_record(
            actor=world.manager,
            screening=world.screening,
            kind=AssessmentKind.LANGUAGE,
            instrument="Linguaskill",
            scale="linguaskill",
            skill_scores={"speaking": 181},
        )
    # The full Cambridge English Scale reaches C2 (200–230), so a C2 requirement can be met on it.
    proficiency = services.assessment_record(
        actor=world.manager,
        screening=world.screening,
        kind=AssessmentKind.LANGUAGE,
        instrument="C2 Proficiency",
        scale="cambridge",
        skill_scores={"speaking": 205},
    )
    assert proficiency.cefr_speaking == "C2"


def test_assessment_upsert_by_external_id(world):
    first = services.assessment_record(
        actor=world.manager,
        screening=world.screening,
        kind=AssessmentKind.WORK_SAMPLE,
        instrument="Task",
        raw_score=50,
        external_id="V-1",
    )
    again = services.assessment_record(
        actor=world.manager,
        screening=world.screening,
        kind=AssessmentKind.WORK_SAMPLE,
        instrument="Task",
        raw_score=90,
        external_id="V-1",
    )
    assert again.pk == first.pk and again.normalized_score == Decimal("90.00")
    assert AssessmentResult.objects.count() == 1


def test_pass_requires_the_rule_or_an_admin_override(world):
    world.score(speaking_efset=50)  # B1 < B2
    with pytest.raises(ValidationError, match="Speaking is B1"):
        services.screening_decide(actor=world.manager, screening=world.screening, outcome="passed")
    with pytest.raises(PermissionDenied):
        services.screening_decide(
            actor=world.manager, screening=world.screening, outcome="passed", override_reason="Native speaker"
        )
    decided = services.screening_decide(
        actor=world.admin, screening=world.screening, outcome="passed", override_reason="Native speaker, test glitch"
    )
    assert decided.status == "passed" and decided.override_reason == "Native speaker, test glitch"
    assert decided.decided_by == world.admin.user and decided.decided_at is not None


def test_pass_when_rule_met_records_who_and_when(world):
    decided = world.passed()
    assert decided.status == "passed" and decided.stage == "decision"
    assert decided.decided_by == world.manager.user and decided.decided_at
    assert decided.override_reason == ""
    with pytest.raises(ValidationError, match="already passed"):
        services.screening_decide(actor=world.manager, screening=decided, outcome="failed")


@pytest.mark.parametrize("outcome", ["failed", "withdrawn"])
def test_fail_or_withdraw(world, outcome):
    decided = services.screening_decide(actor=world.manager, screening=world.screening, outcome=outcome, notes="n")
    assert decided.status == outcome and decided.decided_by == world.manager.user


def test_bad_outcome(world):
    with pytest.raises(ValidationError) as error:
        services.screening_decide(actor=world.manager, screening=world.screening, outcome="maybe")
    assert "outcome" in error.value.message_dict


def test_hire_is_blocked_by_unchecked_checklist(world):
    world.passed()
    with pytest.raises(ValidationError) as error:
        world.hire()
    assert "Engagement model" in str(error.value) or "engagement model" in str(error.value)
    with pytest.raises(PermissionDenied):
        world.hire(override_reason="Urgent start")


def test_hire_creates_worker_and_outstaffing_contract(world, django_capture_on_commit_callbacks):
    world.passed()
    world.check_all()
    received = []

    def receiver(sender, worker_id, source, **kwargs):
        received.append(source)

    worker_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            worker = world.hire(work_email="ada@work.test")
    finally:
        worker_changed.disconnect(receiver)
    assert "screening.Screening" in received
    assert worker.status == "onboarding" and worker.provider == world.provider and worker.client == world.client
    assert worker.role_title == world.template.role_title and worker.work_email == "ada@work.test"
    contract = EmploymentContract.objects.get(worker=worker)
    assert contract.engagement_model == "outstaffing" and contract.contract_type == "employment"
    assert contract.legal_entity == world.entity
    world.candidate.refresh_from_db()
    assert world.candidate.worker == worker
    assert worker.gate_override_reason == ""
    with pytest.raises(ValidationError, match="already hired"):
        world.hire()


def test_admin_override_hires_with_unchecked_items_and_marks_the_worker(world):
    world.passed()
    worker = world.hire(actor=world.admin, override_reason="Start date agreed with the client's CTO")
    assert "Start date agreed" in worker.gate_override_reason
    assert worker.gate_override_by == world.admin.user and worker.gate_override_at
    world.screening.refresh_from_db()
    assert world.screening.checklist_override_reason == "Start date agreed with the client's CTO"


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"country": "DE"}, "legal_entity"),
    ],
)
def test_hire_refuses_contracts_that_blur_the_model(world, kwargs, field):
    world.passed()
    world.check_all()
    with pytest.raises(ValidationError) as error:
        world.hire(**kwargs)
    assert field in error.value.message_dict
    world.candidate.refresh_from_db()
    assert world.candidate.worker is None


def test_cannot_hire_without_a_pass(world):
    world.check_all()
    with pytest.raises(ValidationError, match="passed"):
        world.hire()


def test_default_templates_install_idempotently_and_are_valid(world):
    installed = services.screening_templates_install_defaults(client=world.client)
    again = services.screening_templates_install_defaults(client=world.client)
    assert [t.pk for t in installed] == [t.pk for t in again]
    support = ScreeningTemplate.objects.get(client=world.client, name=DEFAULT_TEMPLATES[1]["name"])
    assert support.min_cefr["speaking"] == "B2"
    for template in installed:
        for item in template.interview_kit:
            assert sorted(item["anchors"]) == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"methods": [{"method": "astrology", "weight": 1}]}, "methods"),
        ({"methods": [{"method": "work_sample", "weight": 0}]}, "methods"),
        ({"min_cefr": {"speaking": "Z9"}}, "min_cefr"),
        ({"interview_kit": []}, "interview_kit"),
        ({"interview_kit": [{"competency": "X", "questions": ["q"], "anchors": {"1": "a"}}]}, "interview_kit"),
        (
            {"interview_kit": [{"competency": "X", "questions": ["q"], "anchors": ["a", "b", "c", "d", "e"]}]},
            "interview_kit",
        ),
        ({"interview_kit": [{"competency": "X", "questions": "q", "anchors": {}}]}, "interview_kit"),
        ({"min_cefr": {"speaking": "A0"}}, "min_cefr"),
        ({"pass_threshold": 101}, "pass_threshold"),
        ({"pass_threshold": -1}, "pass_threshold"),
    ],
)
def test_template_validation(world, changes, field):
    spec = {
        "name": "T",
        "role_title": "R",
        "methods": [{"method": "structured_interview", "weight": 1}],
        "interview_kit": world.template.interview_kit,
        **changes,
    }
    with pytest.raises(ValidationError) as error:
        services.screening_template_create(client=world.client, **spec)
    assert field in error.value.message_dict


def test_review_only_sees_ratings_cannot_score_and_is_not_in_the_composite(world):
    world.score()  # manager scored: SI 75
    assert not viewer_may_see_ratings(actor=world.admin, screening=world.screening)
    declined = services.scorecard_decline(actor=world.admin, screening=world.screening, notes="I decide")
    assert declined.declined and declined.submitted_at and declined.ratings == {}
    assert viewer_may_see_ratings(actor=world.admin, screening=world.screening)
    others = scorecard_list(actor=world.admin).exclude(interviewer=world.admin.user)
    assert all(card.ratings_visible for card in others)
    with pytest.raises(ValidationError, match="cannot score"):
        services.scorecard_save(
            actor=world.admin, screening=world.screening, ratings=dict.fromkeys(kit(world), 5), recommendation="yes"
        )
    world.screening.refresh_from_db()
    assert world.screening.composite_score == Decimal("77.20")
    with pytest.raises(ValidationError, match="already"):
        services.scorecard_decline(actor=world.manager, screening=world.screening)


def test_a_decision_on_a_linked_worker_notifies_worker_changed(world, django_capture_on_commit_callbacks):
    world.candidate.worker = WorkerFactory(client=world.client, provider=world.provider, status="onboarding")
    world.candidate.save()
    received = []

    def receiver(sender, worker_id, source, **kwargs):
        received.append((worker_id, source))

    worker_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.screening_decide(actor=world.manager, screening=world.screening, outcome="failed")
    finally:
        worker_changed.disconnect(receiver)
    assert received == [(world.candidate.worker_id, "screening.Screening")]


def test_hire_links_an_existing_worker_and_carries_the_result(world):
    """Issue #3 §7 "creates (or links)": a worker already on file (e.g. created by the provider) is
    linked, gets the outstaffing contract, and the passed screening now opens their gate."""
    world.passed()
    world.check_all()
    existing = WorkerFactory(client=world.client, provider=world.provider, status="onboarding", country="PL")
    assert not worker_passes_gate(worker=existing)
    worker = world.hire(worker=existing)
    assert worker.pk == existing.pk
    world.candidate.refresh_from_db()
    assert world.candidate.worker_id == existing.pk
    assert EmploymentContract.objects.get(worker=existing).provider == world.provider
    assert worker_passes_gate(worker=existing)


def test_hire_refuses_to_link_a_worker_employed_by_another_provider(world):
    world.passed()
    world.check_all()
    other_provider = ProviderFactory()
    LegalEntityFactory(provider=other_provider, country="PL")
    existing = WorkerFactory(client=world.client, provider=other_provider, status="onboarding", country="PL")
    with pytest.raises(ValidationError) as error:
        world.hire(worker=existing, provider=world.provider)
    assert "provider" in error.value.message_dict
    world.candidate.refresh_from_db()
    assert world.candidate.worker_id is None
    assert not EmploymentContract.objects.filter(worker=existing).exists()


def test_a_refused_pass_does_not_reveal_the_composite_to_a_blind_viewer(world):
    """Scorecard blindness (issue #3 §3): the pass-rule refusal must not tell someone who has not
    submitted their own scorecard the composite, which is built from the others' ratings."""
    world.score(work_sample=10)  # the manager interviewed; composite (.21×75 + .165×10)/.375 = 46.40
    composite = str(services.screening_scores_refresh(screening=world.screening).composite_score)
    assert composite == "46.40"
    with pytest.raises(ValidationError) as blind:
        services.screening_decide(actor=world.interviewer2, screening=world.screening, outcome="passed")
    assert composite not in str(blind.value) and "below the pass mark" in str(blind.value)
    with pytest.raises(ValidationError) as seeing:
        services.screening_decide(actor=world.manager, screening=world.screening, outcome="passed")
    assert composite in str(seeing.value)


def test_the_provider_of_a_hired_screening_stays_the_workers_employer(world):
    """After the hire the screening's provider is the worker's employer; naming another would show the
    outcome to a provider that does not employ the worker (issue #3 §11)."""
    world.passed()
    world.check_all()
    world.hire()
    other = ProviderFactory()
    with pytest.raises(ValidationError) as error:
        services.screening_update(actor=world.manager, instance=world.screening, provider=other)
    assert "provider" in error.value.message_dict
    world.screening.refresh_from_db()
    assert world.screening.provider == world.provider
    services.screening_update(actor=world.manager, instance=world.screening, provider=world.provider)  # unchanged: fine


def test_screening_start_creates_both_or_neither(world):
    from screening.models import Candidate

    started = services.screening_start(
        actor=world.manager, first_name="Ada", last_name="Byron", email="ada@x.test", template=world.template
    )
    assert started.candidate.email == "ada@x.test" and started.checklist_items.count() == len(ChecklistCode.values)
    world.template.is_active = False
    world.template.save()
    with pytest.raises(ValidationError) as error:
        services.screening_start(
            actor=world.manager, first_name="Bo", last_name="Li", email="bo@x.test", template=world.template
        )
    assert "template" in error.value.message_dict
    assert not Candidate.objects.filter(email="bo@x.test").exists()


def test_language_levels_come_from_the_latest_result_dated_or_not(world):
    """A result without a test date counts as taken when it was recorded: an undated old result must
    not outrank a newer dated one (PostgreSQL sorts NULLs first in a descending order)."""
    import datetime as dt

    from screening.selectors import language_levels

    services.assessment_record(
        actor=world.manager,
        screening=world.screening,
        kind="language",
        instrument="Old",
        scale="cefr",
        cefr_speaking="B1",
    )
    services.assessment_record(
        actor=world.manager,
        screening=world.screening,
        kind="language",
        instrument="New",
        scale="efset",
        skill_scores={"speaking": 65},
        taken_on=dt.date.today(),
    )
    assert language_levels(screening=world.screening)["speaking"] == "C1"
