"""Candidates and screenings: a passed screening behind every hire, scored so the composite the
screening service computes lands near each worker's target; and a few candidates in the pipeline."""

import datetime as dt
from decimal import Decimal

from accounts.models import User
from demo import data
from screening.choices import (
    CEFR_SKILLS,
    AssessmentKind,
    AssessmentScale,
    ChecklistCode,
    Recommendation,
    ScreeningStage,
    ScreeningStatus,
)
from screening.models import AssessmentResult, Candidate, ChecklistItem, InterviewScorecard, Screening
from screening.services import candidate_create, screening_create, screening_scores_refresh
from workers.models import Worker

from .base import Upserter, _stable_int, at_noon, cefr_for_efset


class ScreeningSeeding(Upserter):
    def _candidate_and_screening(self, *, client_slug, key, first, last, email, country, support, worker=None):
        """A candidate and their screening, created through the screening services (which attach the
        pre-onboarding checklist) and kept in step with the seed afterwards."""
        client = self.orgs[client_slug]
        template = self.templates[(client_slug, support)]
        worker_id = worker.pk if worker is not None else None
        candidate = self.upsert(
            Candidate,
            {"client": client, "external_id": f"CAND-{key}"},
            {"first_name": first, "last_name": last, "email": email, "country": country, "worker": worker},
            create=lambda: candidate_create(
                actor=self._client_actor(client_slug),
                first_name=first,
                last_name=last,
                email=email,
                country=country,
                external_id=f"CAND-{key}",
            ),
            worker_id=worker_id,
        )
        screening = self.upsert(
            Screening,
            {"client": client, "external_id": f"SCR-{key}"},
            {"candidate": candidate, "template": template},
            create=lambda: self._remember_children(
                screening_create(
                    actor=self._client_actor(client_slug),
                    candidate=candidate,
                    template=template,
                    provider=None,
                    external_id=f"SCR-{key}",
                ),
                ChecklistItem,
                ("screening", "code"),
            ),
            worker_id=worker_id,
        )
        return candidate, screening

    def seed_screening(self, spec: data.WorkerSpec, worker: Worker, start: dt.date, manager: User) -> None:
        """A passed screening whose scores add up: scorecard and assessments aimed at the worker's
        target composite, the composite computed by the screening service, the checklist ticked."""
        _, screening = self._candidate_and_screening(
            client_slug=spec.client,
            key=spec.key,
            first=spec.first_name,
            last=spec.last_name,
            email=f"{spec.first_name}.{spec.last_name}@mail.example".lower(),
            country=spec.country,
            support=spec.is_support,
            worker=worker,
        )
        passed = spec.gate == "passed"
        decided_at = at_noon(start - dt.timedelta(days=12))
        admin = self._client_admin(spec.client)
        changed = self._changes()
        self.upsert(
            Screening,
            {"pk": screening.pk},
            {
                "provider": self.providers[spec.provider],
                "stage": ScreeningStage.DECISION if passed else ScreeningStage.INTERVIEW,
                "status": ScreeningStatus.PASSED if passed else ScreeningStatus.IN_PROGRESS,
                "decided_by": admin if passed else None,
                "decided_at": decided_at if passed else None,
                "decision_notes": "Concrete examples in the interview; assessments above the bar." if passed else "",
                "override_reason": spec.screening_override,
                "checklist_override_reason": (
                    "Hired with open checklist items: " + ", ".join(spec.checklist_open) + "."
                    if spec.checklist_open
                    else ""
                ),
            },
            worker_id=worker.pk,
        )
        for code in ChecklistCode.values:
            checked = passed and code not in spec.checklist_open
            self.upsert(
                ChecklistItem,
                {"screening": screening, "code": code},
                {
                    "checked": checked,
                    "checked_by": admin if checked else None,
                    "checked_at": decided_at - dt.timedelta(hours=2) if checked else None,
                },
                worker_id=worker.pk,
            )
        if passed:
            target = self._target_composite(spec)
            self.seed_scorecard(screening, manager, target, spec.key, at_noon(start - dt.timedelta(days=18)), worker.pk)
            self.seed_assessments(screening, target, spec.key, start - dt.timedelta(days=20), worker.pk)
        if self._changes() != changed or (passed and screening.composite_score is None):
            screening_scores_refresh(screening=screening)

    @staticmethod
    def _target_composite(spec: data.WorkerSpec) -> Decimal:
        return spec.composite if spec.composite is not None else Decimal(70 + _stable_int(spec.key) % 16)

    def seed_scorecard(self, screening, interviewer, target: Decimal, key: str, submitted_at, worker_id) -> None:
        """Ratings whose mean lands near `target` on the 0–100 scale (1 → 0, 5 → 100)."""
        competencies = [
            item.get("competency", f"Competency {n}") for n, item in enumerate(screening.template.interview_kit, 1)
        ]
        mean = target / 25 + 1
        base = int(mean)
        raised = round((mean - base) * len(competencies))
        ratings = {name: min(5, base + (1 if n < raised else 0)) for n, name in enumerate(competencies)}
        self.upsert(
            InterviewScorecard,
            {"screening": screening, "interviewer": interviewer, "version": 1},
            {
                "ratings": ratings,
                "recommendation": Recommendation.STRONG_YES if base >= 4 else Recommendation.YES,
                "notes": "Answers gave the situation, the action and a measured outcome.",
                "submitted_at": submitted_at,
            },
            worker_id=worker_id,
        )

    def seed_assessments(self, screening, target: Decimal, key: str, taken_on: dt.date, worker_id) -> None:
        """One result per assessed method of the template, near `target`, and an EF SET language
        result whenever the template sets minimum CEFR levels."""
        for method in screening.template.methods:
            kind = method["method"]
            if kind not in AssessmentKind.values or kind == AssessmentKind.LANGUAGE:
                continue
            score = min(Decimal(100), target + _stable_int(key + kind) % 9 - 4)
            if kind == AssessmentKind.COGNITIVE:
                instrument, scale, low, high = "Criteria Cognitive Aptitude Test (CCAT)", AssessmentScale.CUSTOM, 0, 50
                raw = (score / 2).quantize(Decimal("1"))
            else:
                instrument = "Take-home work sample" if kind == AssessmentKind.WORK_SAMPLE else "Job knowledge test"
                scale, low, high, raw = AssessmentScale.PERCENT, 0, 100, score
            self.upsert(
                AssessmentResult,
                {"screening": screening, "kind": kind},
                {
                    "external_id": f"AR-{key}-{kind}",
                    "instrument": instrument,
                    "scale": scale,
                    "skill_scores": {},
                    "raw_score": Decimal(raw),
                    "scale_min": Decimal(low),
                    "scale_max": Decimal(high),
                    "normalized_score": (Decimal(raw - low) * 100 / Decimal(high - low)).quantize(Decimal("0.01")),
                    "taken_on": taken_on,
                },
                worker_id=worker_id,
            )
        if not screening.template.min_cefr:
            return
        skill_scores = {skill: 54 + _stable_int(key + skill) % 15 for skill in CEFR_SKILLS}
        mean = (Decimal(sum(skill_scores.values())) / len(skill_scores)).quantize(Decimal("0.01"))
        self.upsert(
            AssessmentResult,
            {"screening": screening, "kind": AssessmentKind.LANGUAGE},
            {
                "external_id": f"AR-{key}-language",
                "instrument": "EF SET English test",
                "scale": AssessmentScale.EFSET,
                "skill_scores": {skill: float(score) for skill, score in skill_scores.items()},
                "raw_score": mean,
                "scale_min": Decimal(0),
                "scale_max": Decimal(100),
                "normalized_score": mean,
                "taken_on": taken_on,
                **{f"cefr_{skill}": cefr_for_efset(score) for skill, score in skill_scores.items()},
            },
            worker_id=worker_id,
        )

    def seed_pipeline_candidates(self) -> None:
        for client_slug, key, first, last, email, country, support, stage, status in data.PIPELINE_CANDIDATES:
            _, screening = self._candidate_and_screening(
                client_slug=client_slug,
                key=key,
                first=first,
                last=last,
                email=email,
                country=country,
                support=support,
            )
            decided = status != ScreeningStatus.IN_PROGRESS
            changed = self._changes()
            # Scored as far as its stage got: the interview before assessments, both before a decision.
            interviewer = self.users[data.TEAMS[next(team for team in data.TEAMS if team[0] == client_slug)][0]]
            target = Decimal(44) if status == ScreeningStatus.FAILED else Decimal(72)
            if stage in (ScreeningStage.ASSESSMENT, ScreeningStage.DECISION):
                submitted_at = at_noon(self.today - dt.timedelta(days=12))
                self.seed_scorecard(screening, interviewer, target, key, submitted_at, None)
            if stage == ScreeningStage.DECISION:
                self.seed_assessments(screening, target, key, self.today - dt.timedelta(days=9), None)
            if self._changes() != changed:
                screening_scores_refresh(screening=screening)
            self.upsert(
                Screening,
                {"pk": screening.pk},
                {
                    "stage": stage,
                    "status": status,
                    "decided_by": self._client_admin(client_slug) if decided else None,
                    "decided_at": at_noon(self.today - dt.timedelta(days=6)) if decided else None,
                    "decision_notes": {
                        ScreeningStatus.FAILED: "Work sample well below the bar; interview examples lacked outcomes.",
                        ScreeningStatus.WITHDRAWN: "Accepted another offer before the interview.",
                    }.get(status, ""),
                },
            )
