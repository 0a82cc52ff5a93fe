from decimal import Decimal

import pytest

from accounts.tests.factories import ClientFactory, make_actor
from providers.tests.factories import LegalEntityFactory, ProviderFactory
from screening import services
from screening.choices import AssessmentKind, ChecklistCode
from screening.tests.factories import CandidateFactory, ScreeningTemplateFactory


class World:
    """One client with an admin, a hiring manager, a provider with a Polish entity, a template and a
    screening in progress; plus another tenant."""

    def __init__(self):
        self.client = ClientFactory()
        self.admin = make_actor(self.client, role="client_admin")
        self.manager = make_actor(self.client, role="hiring_manager")
        self.interviewer2 = make_actor(self.client, role="hiring_manager")
        self.provider = ProviderFactory()
        self.entity = LegalEntityFactory(provider=self.provider, country="PL")
        self.template = ScreeningTemplateFactory(client=self.client, min_cefr={"speaking": "B2"})
        self.candidate = CandidateFactory(client=self.client, country="PL")
        self.screening = services.screening_create(
            actor=self.manager, candidate=self.candidate, template=self.template, provider=self.provider
        )
        self.other_client = ClientFactory()
        self.other_admin = make_actor(self.other_client, role="client_admin")

    def score(self, *, interview=(4, 4), work_sample=80, speaking_efset=55, actor=None):
        """SI (4,4) → 75; WS 80 → composite (.21×75 + .165×80)/.375 = 77.20; speaking 55 → B2."""
        kit = [item["competency"] for item in self.template.interview_kit]
        services.scorecard_save(
            actor=actor or self.manager,
            screening=self.screening,
            ratings=dict(zip(kit, interview, strict=True)),
            recommendation="yes",
        )
        services.assessment_record(
            actor=self.manager,
            screening=self.screening,
            kind=AssessmentKind.WORK_SAMPLE,
            instrument="Take-home API task",
            raw_score=work_sample,
        )
        services.assessment_record(
            actor=self.manager,
            screening=self.screening,
            kind=AssessmentKind.LANGUAGE,
            instrument="EF SET",
            scale="efset",
            skill_scores={"speaking": speaking_efset},
        )

    def check_all(self):
        for code in ChecklistCode.values:
            services.checklist_item_set(actor=self.manager, screening=self.screening, code=code, checked=True)

    def passed(self):
        self.score()
        return services.screening_decide(actor=self.manager, screening=self.screening, outcome="passed")

    def hire(self, actor=None, **kwargs):
        kwargs.setdefault("start_date", None)
        kwargs.setdefault("weekly_hours", Decimal(40))
        return services.screening_hire(actor=actor or self.manager, screening=self.screening, **kwargs)


@pytest.fixture
def world(db):
    return World()
