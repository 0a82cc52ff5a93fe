from django.db import models


class ScreeningStage(models.TextChoices):
    APPLIED = "applied", "Applied"
    INTERVIEW = "interview", "Structured interview"
    ASSESSMENT = "assessment", "Assessments"
    DECISION = "decision", "Decision"


class ScreeningStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Recommendation(models.TextChoices):
    STRONG_NO = "strong_no", "Strong no"
    NO = "no", "No"
    YES = "yes", "Yes"
    STRONG_YES = "strong_yes", "Strong yes"


class AssessmentKind(models.TextChoices):
    COGNITIVE = "cognitive", "Cognitive ability"
    WORK_SAMPLE = "work_sample", "Skills / work sample"
    JOB_KNOWLEDGE = "job_knowledge", "Job knowledge"
    LANGUAGE = "language", "Language"
    # Weak methods, recorded so that a screening resting on them shows its weak validity plainly.
    UNSTRUCTURED_INTERVIEW = "unstructured_interview", "Unstructured interview"
    RESUME_REVIEW = "resume_review", "Résumé review (years of experience)"


class AssessmentScale(models.TextChoices):
    """The scale a raw score is given on. Language tests report on their own published scales and
    are mapped to CEFR levels (DESIGN §7); other tests are normalized to 0–100."""

    PERCENT = "percent", "Percent (0–100)"
    CUSTOM = "custom", "Custom range (scale_min–scale_max)"
    EFSET = "efset", "EF SET (0–100)"
    # Two instruments, two published ranges: Linguaskill reports 82–180 on the Cambridge English
    # Scale and tops out at "C1 or above"; the full scale (exams A2 Key … C2 Proficiency) runs 80–230.
    LINGUASKILL = "linguaskill", "Linguaskill (82–180)"
    CAMBRIDGE = "cambridge", "Cambridge English Scale (80–230)"
    CEFR = "cefr", "CEFR level given directly"


class CefrLevel(models.TextChoices):
    # "A0" is the conventional label for a score below the A1 band of a test's published scale.
    A0 = "A0", "Below A1"
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"


CEFR_ORDER = {level: index for index, level in enumerate(CefrLevel.values)}
CEFR_SKILLS = ("reading", "listening", "speaking", "writing")


class ChecklistCode(models.TextChoices):
    """The pre-onboarding checklist (issue #3 §8): the hire is weighed on evidence, and the contract
    keeps the model clearly outstaffing."""

    SKILLS_WEIGHED = "skills_weighed", "Skills and work-sample results weighed against the role"
    RELIABILITY_WEIGHED = "reliability_weighed", "Reliability signals weighed (references, tenure history, punctuality)"
    LANGUAGE_TESTED = "language_tested", "Spoken language tested (a speaking result, not a self-assessment)"
    PROVIDER_IS_EMPLOYER = "provider_is_employer", "The provider is the legal employer (employer of record), not us"
    ENGAGEMENT_MODEL_STATED = "engagement_model_stated", "The contract states the engagement model: outstaffing"
    NO_FREELANCE_FULL_TIME = (
        "no_freelance_full_time",
        "No freelance / contractor contract for full-time, client-directed work",
    )
