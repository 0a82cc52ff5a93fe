"""Screening resources. Two rules live in the presentation as well as the selectors: interview
ratings are blind until the viewer has submitted their own scorecard (or the screening is decided),
and providers get only the outcome — a separate serializer with no score or note fields at all."""

from rest_framework import serializers

from outstaff.api.fields import ScopedRelatedField
from providers.choices import ContractType, EngagementModel
from providers.models import LegalEntity, Provider
from providers.selectors import provider_list
from workers.models import Worker
from workers.selectors import worker_list

from .. import selectors
from ..choices import CEFR_SKILLS, ChecklistCode, ScreeningStatus
from ..models import AssessmentResult, Candidate, InterviewScorecard, Screening, ScreeningTemplate
from ..validity import mix_validity


def _actor(serializer):
    request = serializer.context.get("request")
    return getattr(request, "actor", None)


class CandidateSerializer(serializers.ModelSerializer):
    worker = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "external_id",
            "first_name",
            "last_name",
            "email",
            "country",
            "worker",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []


class ChecklistItemSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=ChecklistCode.choices)
    label = serializers.CharField(source="get_code_display")
    checked = serializers.BooleanField()
    checked_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField()


class ScreeningSerializer(serializers.ModelSerializer):
    candidate = ScopedRelatedField(model=Candidate, scope=lambda actor: selectors.candidate_list(actor=actor))
    candidate_name = serializers.CharField(source="candidate.__str__", read_only=True)
    template = ScopedRelatedField(
        model=ScreeningTemplate, scope=lambda actor: selectors.screening_template_list(actor=actor)
    )
    role_title = serializers.CharField(source="template.role_title", read_only=True)
    provider = ScopedRelatedField(
        model=Provider, scope=lambda actor: provider_list(actor=actor), required=False, allow_null=True
    )
    worker = serializers.PrimaryKeyRelatedField(source="candidate.worker", read_only=True)
    expected_validity_basis = serializers.SerializerMethodField()
    decided_by = serializers.EmailField(source="decided_by.email", read_only=True, default=None)
    checklist = ChecklistItemSerializer(source="checklist_items", many=True, read_only=True)

    class Meta:
        model = Screening
        fields = [
            "id",
            "external_id",
            "candidate",
            "candidate_name",
            "template",
            "role_title",
            "provider",
            "worker",
            "stage",
            "status",
            "composite_score",
            "expected_validity",
            "expected_validity_basis",
            "decided_by",
            "decided_at",
            "decision_notes",
            "override_reason",
            "checklist_override_reason",
            "checklist",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "composite_score",
            "expected_validity",
            "decided_at",
            "decision_notes",
            "override_reason",
            "checklist_override_reason",
            "created_at",
            "updated_at",
        ]
        validators: list = []

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, (list, tuple)):
            # A screening keeps its candidate and template; they are shown, never looked up again.
            fields["candidate"] = serializers.PrimaryKeyRelatedField(read_only=True)
            fields["template"] = serializers.PrimaryKeyRelatedField(read_only=True)
        return fields

    def get_expected_validity_basis(self, screening) -> str:
        return mix_validity(selectors.template_weights(screening.template)).basis

    def to_representation(self, screening):
        data = super().to_representation(screening)
        visible = getattr(screening, "ratings_visible", None)
        if visible is None:
            actor = _actor(self)
            visible = actor is not None and selectors.viewer_may_see_ratings(actor=actor, screening=screening)
        if not visible:
            data["composite_score"] = None
        return data


class ScreeningOutcomeSerializer(serializers.ModelSerializer):
    """What a provider may know about a worker it will employ: passed or failed, and when."""

    candidate_name = serializers.CharField(source="candidate.__str__", read_only=True)
    worker = serializers.PrimaryKeyRelatedField(source="candidate.worker", read_only=True)
    client_name = serializers.CharField(source="client.name", read_only=True)
    role_title = serializers.CharField(source="template.role_title", read_only=True)

    class Meta:
        model = Screening
        fields = ["id", "candidate_name", "worker", "client_name", "role_title", "status", "decided_at"]
        read_only_fields = fields


# A provider reads screenings through ScreeningOutcomeSerializer: the schema documents both shapes.
ScreeningSerializer.provider_view = ScreeningOutcomeSerializer


class DecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[ScreeningStatus.PASSED, ScreeningStatus.FAILED, ScreeningStatus.WITHDRAWN]
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class ChecklistSetSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=ChecklistCode.choices)
    checked = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class HireSerializer(serializers.Serializer):
    provider = ScopedRelatedField(
        model=Provider, scope=lambda actor: provider_list(actor=actor), required=False, allow_null=True
    )
    legal_entity = ScopedRelatedField(
        model=LegalEntity,
        scope=lambda actor: LegalEntity.objects.filter(is_active=True, provider__organization__is_active=True),
        required=False,
        allow_null=True,
    )
    worker = ScopedRelatedField(
        model=Worker, scope=lambda actor: worker_list(actor=actor), required=False, allow_null=True
    )
    work_email = serializers.EmailField(required=False, allow_blank=True, default="")
    country = serializers.CharField(required=False, allow_blank=True, default="", max_length=2)
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    signed_on = serializers.DateField(required=False, allow_null=True, default=None)
    contract_type = serializers.ChoiceField(choices=ContractType.choices, default=ContractType.EMPLOYMENT)
    engagement_model = serializers.ChoiceField(choices=EngagementModel.choices, default=EngagementModel.OUTSTAFFING)
    weekly_hours = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=0, max_value=80, default=40)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class ActivateSerializer(serializers.Serializer):
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class ScorecardSerializer(serializers.ModelSerializer):
    """`ratings`, `recommendation` and `notes` are null while `ratings_visible` is false: the viewer
    has not submitted their own scorecard for this screening yet. POST `{"screening": ..., "declined":
    true}` to review without interviewing (you then see the ratings and cannot score this candidate)."""

    screening = ScopedRelatedField(model=Screening, scope=lambda actor: selectors.screening_list(actor=actor))
    interviewer = serializers.PrimaryKeyRelatedField(read_only=True)
    interviewer_name = serializers.SerializerMethodField()
    submit = serializers.BooleanField(write_only=True, default=True)
    ratings_visible = serializers.SerializerMethodField()
    is_superseded = serializers.SerializerMethodField()

    class Meta:
        model = InterviewScorecard
        fields = [
            "id",
            "screening",
            "interviewer",
            "interviewer_name",
            "version",
            "supersedes",
            "is_superseded",
            "submitted_at",
            "declined",
            "ratings_visible",
            "ratings",
            "recommendation",
            "notes",
            "submit",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "supersedes", "submitted_at", "created_at", "updated_at"]
        extra_kwargs = {"ratings": {"required": False}}
        validators: list = []
        # Hidden (null) until the viewer has submitted their own scorecard for the screening.
        nullable_in_response = ("ratings", "recommendation", "notes")

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, (list, tuple)):
            fields["screening"] = serializers.PrimaryKeyRelatedField(read_only=True)
        return fields

    def get_interviewer_name(self, card) -> str:
        return card.interviewer.get_full_name() or card.interviewer.email

    def get_ratings_visible(self, card) -> bool:
        annotated = getattr(card, "ratings_visible", None)
        if annotated is not None:
            return bool(annotated)
        actor = _actor(self)
        return bool(actor and actor.user and actor.user.id == card.interviewer_id)

    def get_is_superseded(self, card) -> bool:
        return bool(getattr(card, "is_superseded", False))

    def to_representation(self, card):
        data = super().to_representation(card)
        if not data["ratings_visible"]:
            data["ratings"] = data["recommendation"] = data["notes"] = None
        return data


class AssessmentSerializer(serializers.ModelSerializer):
    """A vendor posts results by `external_id`: posting the same external_id again updates the result.
    The screening is given by `screening` (our id) or `screening_external_id` (the HR system's id)."""

    screening = ScopedRelatedField(
        model=Screening, scope=lambda actor: selectors.screening_list(actor=actor), required=False
    )
    screening_external_id = serializers.CharField(
        write_only=True,
        required=False,
        max_length=128,
        help_text="Instead of `screening`: the screening's external_id in the client's HR system.",
    )
    skill_scores = serializers.DictField(child=serializers.DecimalField(max_digits=7, decimal_places=2), required=False)

    class Meta:
        model = AssessmentResult
        fields = [
            "id",
            "external_id",
            "screening",
            "screening_external_id",
            "kind",
            "instrument",
            "scale",
            "raw_score",
            "scale_min",
            "scale_max",
            "skill_scores",
            "normalized_score",
            *[f"cefr_{skill}" for skill in CEFR_SKILLS],
            "taken_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["normalized_score", "created_at", "updated_at"]
        validators: list = []

    def validate(self, attrs):
        external_id = attrs.pop("screening_external_id", "")
        if external_id and attrs.get("screening") is None:
            actor = _actor(self)
            screening = selectors.screening_list(actor=actor).filter(external_id=external_id).first() if actor else None
            if screening is None:
                raise serializers.ValidationError(
                    {"screening_external_id": f"No screening with external_id {external_id!r}."}
                )
            attrs["screening"] = screening
        if attrs.get("screening") is None:
            raise serializers.ValidationError({"screening": "Give the screening's id, or its screening_external_id."})
        return attrs
