"""Reads of screening. Clients see their own candidates and screenings; providers see only the
outcome (passed / failed, date) of the screenings of workers they will employ — never scores,
ratings or notes (DESIGN §9)."""

from django.db.models import BooleanField, Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, TruncDate

from accounts.actors import Actor
from workers.models import Worker

from .choices import CEFR_SKILLS, AssessmentKind, ChecklistCode, ScreeningStatus
from .models import AssessmentResult, Candidate, ChecklistItem, InterviewScorecard, Screening, ScreeningTemplate
from .scoring import Composite, composite_compute, interview_score, pass_rule_failures

DECIDED_OUTCOMES = (ScreeningStatus.PASSED, ScreeningStatus.FAILED)
# What the blind rule hides while `ratings_visible` is false, in the representation and in the
# audit versions alike.
SCREENING_BLIND_FIELDS = frozenset({"composite_score"})
SCORECARD_BLIND_FIELDS = frozenset({"ratings", "recommendation", "notes"})


def workers_with_passed_screening(*, workers) -> set:
    """Ids of `workers` with a passed screening of their candidate record, in one query. Only a
    screening run by the worker's own client counts, however the candidate came to be linked."""
    workers = list(workers)
    if not workers:
        return set()
    return set(
        Screening.objects.filter(
            candidate__worker__in=[w.pk for w in workers],
            candidate__client_id=F("candidate__worker__client_id"),
            client_id=F("candidate__worker__client_id"),
            status=ScreeningStatus.PASSED,
        ).values_list("candidate__worker_id", flat=True)
    )


def workers_passing_gate(*, workers) -> set:
    """Ids of `workers` through the onboarding gate (DESIGN §7): a passed screening, or a client
    admin's written override. One query for any number of workers."""
    workers = list(workers)
    overridden = {w.pk for w in workers if w.gate_override_reason}
    return overridden | workers_with_passed_screening(workers=[w for w in workers if w.pk not in overridden])


def worker_passes_gate(*, worker: Worker) -> bool:
    """The onboarding gate (DESIGN §7): a worker may become active or be assigned only after a
    passed screening of their candidate record, or a client admin's written override."""
    return worker.pk in workers_passing_gate(workers=[worker])


def candidate_list(*, actor: Actor) -> QuerySet[Candidate]:
    if not actor.is_client:
        return Candidate.objects.none()
    return Candidate.objects.filter(client_id=actor.organization.id).select_related("worker")


def screening_template_list(*, actor: Actor) -> QuerySet[ScreeningTemplate]:
    if not actor.is_client:
        return ScreeningTemplate.objects.none()
    return ScreeningTemplate.objects.filter(client_id=actor.organization.id)


def screening_list(*, actor: Actor) -> QuerySet[Screening]:
    """A provider gets only decided screenings of the workers it will employ; present them with the
    outcome serializer / template, which carries no scores."""
    if actor.is_provider:
        return screening_outcome_list(actor=actor)
    queryset = Screening.objects.filter(client_id=actor.organization.id)
    # The composite includes interview ratings, so it follows the same blind rule as scorecards.
    visible = ~Q(status=ScreeningStatus.IN_PROGRESS)
    if actor.user is not None:
        own_submitted = InterviewScorecard.objects.filter(
            screening_id=OuterRef("pk"), interviewer_id=actor.user.id, submitted_at__isnull=False
        )
        visible |= Q(Exists(own_submitted))
    return (
        queryset.annotate(
            ratings_visible=Case(When(visible, then=Value(True)), default=Value(False), output_field=BooleanField())
        )
        .select_related("candidate", "template", "provider", "decided_by")
        .prefetch_related("checklist_items")
        .order_by("-created_at", "id")
    )


def screening_outcome_list(*, actor: Actor) -> QuerySet[Screening]:
    if not actor.is_provider:
        return Screening.objects.none()
    return (
        Screening.objects.filter(provider_id=actor.organization.id, status__in=DECIDED_OUTCOMES)
        .select_related("candidate", "template", "client")
        .order_by("-decided_at", "id")
    )


def screening_get(*, actor: Actor, screening_id) -> Screening:
    """The screening, or Screening.DoesNotExist when it is not the actor's (pages then 404)."""
    return screening_list(actor=actor).get(id=screening_id)


def scorecard_list(*, actor: Actor) -> QuerySet[InterviewScorecard]:
    """Scorecards with `ratings_visible`: the blind rule. An interviewer sees their own scorecard;
    others' ratings only once they have submitted their own for that screening, or once the screening
    is decided. Others' drafts are never listed. An API key is nobody's interviewer: it sees ratings
    after the decision."""
    if not actor.is_client:
        return InterviewScorecard.objects.none()
    decided = ~Q(screening__status=ScreeningStatus.IN_PROGRESS)
    queryset = InterviewScorecard.objects.filter(screening__client_id=actor.organization.id)
    if actor.user is None:
        queryset = queryset.filter(submitted_at__isnull=False)
        visible = decided
    else:
        user_id = actor.user.id
        queryset = queryset.filter(Q(submitted_at__isnull=False) | Q(interviewer_id=user_id))
        own_submitted = InterviewScorecard.objects.filter(
            screening_id=OuterRef("screening_id"), interviewer_id=user_id, submitted_at__isnull=False
        )
        visible = Q(interviewer_id=user_id) | decided | Q(Exists(own_submitted))
    superseded = InterviewScorecard.objects.filter(supersedes_id=OuterRef("pk"), submitted_at__isnull=False)
    return (
        queryset.annotate(
            ratings_visible=Case(When(visible, then=Value(True)), default=Value(False), output_field=BooleanField()),
            is_superseded=Exists(superseded),
        )
        .select_related("interviewer", "screening")
        .order_by("screening_id", "interviewer_id", "-version")
    )


def viewer_may_see_ratings(*, actor: Actor, screening: Screening) -> bool:
    """The same blind rule for one screening as a whole (the composite includes interview ratings)."""
    if screening.status != ScreeningStatus.IN_PROGRESS:
        return True
    if actor.user is None:
        return False
    return screening.scorecards.filter(interviewer_id=actor.user.id, submitted_at__isnull=False).exists()


def assessment_list(*, actor: Actor) -> QuerySet[AssessmentResult]:
    if not actor.is_client:
        return AssessmentResult.objects.none()
    return (
        AssessmentResult.objects.filter(screening__client_id=actor.organization.id)
        .select_related("screening")
        .order_by("screening_id", "kind", "-created_at")
    )


def checklist_item_versions(*, screening: Screening) -> QuerySet:
    """The audit versions of the screening's checklist items (a deleted item's too)."""
    return ChecklistItem.pgh_event_model.objects.filter(screening_id=screening.pk)


def checklist_items(*, screening: Screening) -> list[ChecklistItem]:
    order = {code: index for index, code in enumerate(ChecklistCode.values)}
    return sorted(screening.checklist_items.select_related("checked_by"), key=lambda item: order.get(item.code, 99))


def effective_scorecards(*, screening: Screening) -> list[InterviewScorecard]:
    """Each interviewer's latest submitted version: a correction replaces what it supersedes."""
    latest: dict = {}
    submitted = screening.scorecards.filter(submitted_at__isnull=False, declined=False)
    for card in submitted.order_by("interviewer_id", "-version"):
        latest.setdefault(card.interviewer_id, card)
    return list(latest.values())


def language_levels(*, screening: Screening) -> dict[str, str]:
    """The CEFR level per skill from the most recent language result that tested that skill."""
    levels: dict[str, str] = {}
    # An undated result counts as taken the day it was recorded (a bare "-taken_on" puts NULLs first).
    results = (
        screening.assessments.filter(kind=AssessmentKind.LANGUAGE)
        .annotate(taken=Coalesce("taken_on", TruncDate("created_at")))
        .order_by("-taken", "-created_at")
    )
    for result in results:
        for skill in CEFR_SKILLS:
            level = getattr(result, f"cefr_{skill}")
            if level and skill not in levels:
                levels[skill] = level
    return levels


def method_scores(*, screening: Screening) -> dict:
    """0–100 score per method: the interview from the effective scorecards, other methods the mean
    normalized score of their results."""
    scores: dict = {
        "structured_interview": interview_score([c.ratings for c in effective_scorecards(screening=screening)])
    }
    by_kind: dict[str, list] = {}
    for result in screening.assessments.exclude(kind=AssessmentKind.LANGUAGE).exclude(normalized_score=None):
        by_kind.setdefault(result.kind, []).append(result.normalized_score)
    for kind, values in by_kind.items():
        scores[kind] = sum(values) / len(values)
    return scores


def template_weights(template: ScreeningTemplate) -> dict:
    return {row["method"]: row["weight"] for row in template.methods}


def screening_composite(*, screening: Screening) -> Composite:
    return composite_compute(weights=template_weights(screening.template), scores=method_scores(screening=screening))


def screening_pass_failures(
    *, screening: Screening, composite: Composite | None = None, show_score: bool = True
) -> list[str]:
    composite = composite or screening_composite(screening=screening)
    return pass_rule_failures(
        composite=composite,
        threshold=screening.template.pass_threshold,
        min_cefr=screening.template.min_cefr or {},
        cefr_levels=language_levels(screening=screening),
        show_score=show_score,
    )
