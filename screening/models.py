import pghistory
from django.db import models
from django.db.models import Q

from outstaff.dataversion import data_version_triggers
from outstaff.fields import CountryField, external_id_field
from outstaff.models import BaseModel
from outstaff.tombstones import tombstone_trigger

from .choices import (
    AssessmentKind,
    AssessmentScale,
    CefrLevel,
    ChecklistCode,
    Recommendation,
    ScreeningStage,
    ScreeningStatus,
)


@pghistory.track()
class Candidate(BaseModel):
    client = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="candidates")
    external_id = external_id_field()
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    country = CountryField(blank=True, default="")
    worker = models.OneToOneField(
        "workers.Worker", null=True, blank=True, on_delete=models.SET_NULL, related_name="candidate"
    )

    class Meta:
        triggers = [
            tombstone_trigger(resource_type="candidates", organizations_sql="ARRAY[OLD.client_id]"),
            *data_version_triggers(tenants_sql="SELECT client_id FROM {rows}"),
        ]
        ordering = ("last_name", "first_name", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "external_id"],
                condition=~Q(external_id=""),
                name="%(app_label)s_%(class)s_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


# The template is the screening gate's rule (methods, weights, pass threshold, minimum CEFR): every
# change of it, and its deletion, is audited.
@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ScreeningTemplate(BaseModel):
    """How one role is screened: methods and weights, pass rule, minimum CEFR levels, interview kit.

    `methods`: [{"method": "structured_interview", "weight": 0.4}, ...]
    `min_cefr`: {"speaking": "B2", ...}
    `interview_kit`: [{"competency": "...", "questions": [...], "anchors": {"1": "...", ..., "5": "..."}}]
    """

    client = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="screening_templates")
    name = models.CharField(max_length=120)
    role_title = models.CharField(max_length=120)
    methods = models.JSONField(default=list)
    pass_threshold = models.DecimalField(max_digits=5, decimal_places=2, default=60)
    min_cefr = models.JSONField(default=dict, blank=True)
    interview_kit = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        triggers = [*data_version_triggers(tenants_sql="SELECT client_id FROM {rows}")]
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="%(app_label)s_%(class)s_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Screening(BaseModel):
    client = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="screenings")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="screenings")
    template = models.ForeignKey(ScreeningTemplate, on_delete=models.PROTECT, related_name="screenings")
    provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.SET_NULL, related_name="screenings"
    )
    external_id = external_id_field()
    stage = models.CharField(max_length=16, choices=ScreeningStage.choices, default=ScreeningStage.APPLIED)
    status = models.CharField(max_length=16, choices=ScreeningStatus.choices, default=ScreeningStatus.IN_PROGRESS)
    composite_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    expected_validity = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_notes = models.TextField(blank=True, default="")
    override_reason = models.TextField(blank=True, default="")
    # A client admin's written reason for hiring with unchecked pre-onboarding checklist items.
    checklist_override_reason = models.TextField(blank=True, default="")

    class Meta:
        triggers = [
            tombstone_trigger(resource_type="screenings", organizations_sql="ARRAY[OLD.client_id]"),
            *data_version_triggers(tenants_sql="SELECT client_id FROM {rows} UNION ALL SELECT provider_id FROM {rows}"),
        ]
        ordering = ("-created_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "external_id"],
                condition=~Q(external_id=""),
                name="%(app_label)s_%(class)s_unique_external_id",
            ),
        ]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return f"{self.candidate} · {self.template}"


# Ratings and assessment results are the gate's inputs: each version is audited (DESIGN §9).
@pghistory.track()
class InterviewScorecard(BaseModel):
    """One interviewer's ratings for one screening. Submitted scorecards are immutable; a correction
    is a new version that supersedes the old one."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="scorecards")
    interviewer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="scorecards")
    ratings = models.JSONField(default=dict, blank=True)
    recommendation = models.CharField(max_length=16, choices=Recommendation.choices, blank=True, default="")
    notes = models.TextField(blank=True, default="")
    submitted_at = models.DateTimeField(null=True, blank=True)
    # "Reviewing only": a decision maker who does not interview records that, sees the others'
    # ratings, and may no longer score this candidate (their ratings would not be independent).
    declined = models.BooleanField(default=False)
    version = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )

    class Meta:
        triggers = [
            *data_version_triggers(
                tenants_sql="SELECT s.client_id FROM {rows} AS r JOIN screening_screening AS s ON s.id = r.screening_id"
            )
        ]
        ordering = ("screening", "interviewer", "-version")
        constraints = [
            models.UniqueConstraint(
                fields=["screening", "interviewer", "version"], name="%(app_label)s_%(class)s_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.interviewer} on {self.screening} (v{self.version})"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class AssessmentResult(BaseModel):
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="assessments")
    external_id = external_id_field()
    kind = models.CharField(max_length=32, choices=AssessmentKind.choices)
    instrument = models.CharField(max_length=120)
    scale = models.CharField(max_length=16, choices=AssessmentScale.choices, default=AssessmentScale.PERCENT)
    # Language tests: the raw score per skill on the test's own scale, e.g. {"speaking": 62}.
    skill_scores = models.JSONField(default=dict, blank=True)
    raw_score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    scale_min = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    scale_max = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    normalized_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    cefr_reading = models.CharField(max_length=2, choices=CefrLevel.choices, blank=True, default="")
    cefr_listening = models.CharField(max_length=2, choices=CefrLevel.choices, blank=True, default="")
    cefr_speaking = models.CharField(max_length=2, choices=CefrLevel.choices, blank=True, default="")
    cefr_writing = models.CharField(max_length=2, choices=CefrLevel.choices, blank=True, default="")
    taken_on = models.DateField(null=True, blank=True)

    class Meta:
        triggers = [
            tombstone_trigger(
                resource_type="assessments",
                organizations_sql=(
                    "(SELECT ARRAY[s.client_id] FROM screening_screening s WHERE s.id = OLD.screening_id)"
                ),
            )
        ]
        ordering = ("screening", "kind")
        indexes = [models.Index(fields=["screening", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.instrument}"


@pghistory.track()
class ChecklistItem(BaseModel):
    """One item of a screening's pre-onboarding checklist; unchecked items block the hire unless a
    client admin overrides with a written reason."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="checklist_items")
    code = models.CharField(max_length=32, choices=ChecklistCode.choices)
    checked = models.BooleanField(default=False)
    checked_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ("screening", "code")
        constraints = [
            models.UniqueConstraint(fields=["screening", "code"], name="%(app_label)s_%(class)s_unique_code"),
        ]

    def __str__(self) -> str:
        return self.get_code_display()
