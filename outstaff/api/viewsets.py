"""The one way an API resource is built: a viewset whose reads call a selector and whose writes
call services. Serializers validate and present; they never write (DESIGN §3)."""

import hashlib
import json
import uuid

from django.db import transaction
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from outstaff.models import IdempotencyRecord


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource changed since you read it (ETag mismatch). Fetch it again and retry."
    default_code = "precondition_failed"


def etag_for(instance) -> str:
    stamp = getattr(instance, "updated_at", None)
    raw = f"{instance.pk}:{stamp.isoformat() if stamp else ''}"
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


class ServiceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Subclasses declare:

    - `scope_family`: the API-key scope / role family that guards the resource;
    - `selector(*, actor) -> QuerySet`: what the actor may see (tenant scoping lives there);
    - `create_service(*, actor, **data)`, `update_service(*, actor, instance, **data)` and
      optionally `delete_service(*, actor, instance)`.

    Reads carry an ETag; writes honour If-Match (412 when stale); POST honours Idempotency-Key.
    """

    lookup_field = "id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    scope_family: str = ""
    selector = None
    create_service = None
    update_service = None
    delete_service = None

    @property
    def actor(self):
        return self.request.actor

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no actor
            return self.get_serializer_class().Meta.model.objects.none()
        return type(self).selector(actor=self.actor)

    def get_object(self):
        # A malformed id is simply not found (never a 500 from the UUID cast).
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")
        try:
            uuid.UUID(str(lookup))
        except ValueError as error:
            raise exceptions.NotFound() from error
        return super().get_object()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["actor"] = getattr(self.request, "actor", None)
        return context

    # --- reads -------------------------------------------------------------------------------
    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag_for(instance)
        return response

    # --- writes ------------------------------------------------------------------------------
    def _check_if_match(self, instance) -> None:
        expected = self.request.headers.get("If-Match")
        if expected and expected.strip() != "*" and expected.strip() != etag_for(instance):
            raise PreconditionFailed()

    def create(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if not key:
            return self._create(request)
        return self._create_idempotent(request, key)

    def _create(self, request):
        if type(self).create_service is None:
            raise exceptions.MethodNotAllowed(request.method)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = type(self).create_service(actor=self.actor, **serializer.validated_data)
        response = Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED)
        response["ETag"] = etag_for(instance)
        return response

    def _create_idempotent(self, request, key: str):
        fingerprint = hashlib.sha256(request.body or b"").hexdigest()
        owner = str(self.actor.organization.id)
        with transaction.atomic():
            record, created = IdempotencyRecord.objects.select_for_update().get_or_create(
                owner=owner, key=key[:255], defaults={"request_hash": fingerprint, "path": request.path}
            )
            if not created:
                if record.request_hash != fingerprint or record.path != request.path:
                    raise exceptions.ValidationError(
                        {"Idempotency-Key": "This key was already used for a different request."}
                    )
                if record.response_status is not None:
                    response = Response(record.response_body, status=record.response_status)
                    response["Idempotent-Replayed"] = "true"
                    return response
            response = self._create(request)
            record.response_status = response.status_code
            record.response_body = json.loads(JSONRenderer().render(response.data))
            record.save(update_fields=["response_status", "response_body"])
            return response

    def update(self, request, *args, **kwargs):
        if type(self).update_service is None:
            raise exceptions.MethodNotAllowed(request.method)
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        self._check_if_match(instance)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        instance = type(self).update_service(actor=self.actor, instance=instance, **serializer.validated_data)
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag_for(instance)
        return response

    def destroy(self, request, *args, **kwargs):
        if type(self).delete_service is None:
            raise exceptions.MethodNotAllowed(request.method)
        instance = self.get_object()
        self._check_if_match(instance)
        type(self).delete_service(actor=self.actor, instance=instance)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReadOnlyServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_field = "id"
    scope_family: str = ""
    selector = None

    @property
    def actor(self):
        return self.request.actor

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no actor
            return self.get_serializer_class().Meta.model.objects.none()
        return type(self).selector(actor=self.actor)
