import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import ClientFactory, UserFactory
from screening.choices import AssessmentKind
from screening.models import AssessmentResult, Candidate, InterviewScorecard, Screening, ScreeningTemplate


class CandidateFactory(DjangoModelFactory):
    class Meta:
        model = Candidate

    client = factory.SubFactory(ClientFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"candidate{n}@example.test")
    country = "PL"


class ScreeningTemplateFactory(DjangoModelFactory):
    class Meta:
        model = ScreeningTemplate

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Template {n}")
    role_title = "Backend engineer"
    methods = factory.LazyFunction(
        lambda: [{"method": "structured_interview", "weight": 0.5}, {"method": "work_sample", "weight": 0.5}]
    )
    pass_threshold = 60
    interview_kit = factory.LazyFunction(
        lambda: [
            {
                "competency": competency,
                "questions": [f"Tell me about {competency.lower()}."],
                "anchors": {str(n): f"{competency} anchor {n}" for n in range(1, 6)},
            }
            for competency in ("Problem solving", "Communication")
        ]
    )


class ScreeningFactory(DjangoModelFactory):
    class Meta:
        model = Screening

    client = factory.SubFactory(ClientFactory)
    candidate = factory.SubFactory(CandidateFactory, client=factory.SelfAttribute("..client"))
    template = factory.SubFactory(ScreeningTemplateFactory, client=factory.SelfAttribute("..client"))


class InterviewScorecardFactory(DjangoModelFactory):
    class Meta:
        model = InterviewScorecard

    screening = factory.SubFactory(ScreeningFactory)
    interviewer = factory.SubFactory(UserFactory)


class AssessmentResultFactory(DjangoModelFactory):
    class Meta:
        model = AssessmentResult

    screening = factory.SubFactory(ScreeningFactory)
    kind = AssessmentKind.COGNITIVE
    instrument = "Generic reasoning test"
