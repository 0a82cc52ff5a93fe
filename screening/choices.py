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


class CefrLevel(models.TextChoices):
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"
