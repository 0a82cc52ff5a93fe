"""The one way an API resource is built: a viewset whose reads call a selector and whose writes
call services. Serializers validate and present; they never write (DESIGN §3).

Everything an API resource does the same way lives here, once:

- reads carry an `ETag`; a read whose `If-None-Match` names the current ETag is a 304;
- every write runs in one transaction, labels its audit rows with the API channel, and re-checks
  `If-Match` against the row *locked* with `SELECT … FOR UPDATE`, so of two writers holding the
  same ETag exactly one wins and the other gets 412 (no service needs to compare versions);
- every POST (create, bulk, an action) honours `Idempotency-Key`: a retry with the same key and
  body replays the first answer, the key reused with another body is a 422;
- the allowed HTTP methods follow from what the resource declares (its services and actions),
  so they are spelled one way and the schema lists exactly what answers.
"""

import hashlib
import json
import logging
import uuid

import django_filters
import pghistory
from django import forms as django_forms
from django.db import router, transaction
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, generics, mixins, pagination, permissions, status, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from outstaff.etags import etag_for  # noqa: F401  (re-exported: the API modules import it from here)
from outstaff.models import IdempotencyRecord

from . import lean, prepared
from .errors import PROBLEM_CONTENT_TYPE
from .fast import fast_many_representation
from .pagination import CursorPagination

log = logging.getLogger(__name__)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource changed since you read it (ETag mismatch). Fetch it again and retry."
    default_code = "precondition_failed"


class IdempotencyKeyReused(exceptions.APIException):
    """The IETF Idempotency-Key draft (§2.7): a key reused with a different payload is a 422."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used for a different request."
    default_code = "idempotency_key_reused"


def _etags(header: str) -> set[str]:
    """The entity tags of an If-Match / If-None-Match header (weak tags compare as strong here:
    our ETags are only ever strong)."""
    tags = set()
    for part in header.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag:
            tags.add(tag)
    return tags


_PLAIN_FILTERSETS: dict[type, bool] = {}


def _filters_nothing_unbound(filterset_class) -> bool:
    """Whether `filterset_class`, given no data, is valid and returns its queryset unfiltered: it
    keeps django-filter's form, validation and filtering, no filter is required, and every filter
    is django-filter's own (which return the queryset for an empty value) or a `method=` filter
    (whose method django-filter does not call for an empty value). Checked once per class."""
    known = _PLAIN_FILTERSETS.get(filterset_class)
    if known is None:
        overridden = any(
            getattr(filterset_class, name) is not getattr(django_filters.FilterSet, name)
            for name in ("__init__", "qs", "filter_queryset", "is_valid", "errors", "form", "get_form_class")
        )
        filters = filterset_class.base_filters.values()
        known = (
            not overridden
            and filterset_class._meta.form is django_forms.Form
            and not any(f.extra.get("required") for f in filters)
            and all(f.method is not None or type(f).filter.__module__.startswith("django_filters.") for f in filters)
        )
        _PLAIN_FILTERSETS[filterset_class] = known
    return known


class BaseServiceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """What every API resource shares; subclasses declare:

    - `scope_family`: the API-key scope / role family that guards the resource;
    - `selector(*, actor) -> QuerySet`: what the actor may see (tenant scoping lives there);
    - optionally `list_select_related`: the relations the list reads names from (the selector's
      joins serve pages too; a list that prints only ids needs none of them).
    """

    _lean_native = False
    lookup_field = "id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    scope_family: str = ""
    selector = None
    list_select_related: tuple[str, ...] | None = None
    # Methods a resource answers besides reading; derived from its services and actions.
    READ_METHODS = ("get", "head", "options")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.http_method_names = cls._declared_methods()

    @classmethod
    def _declared_methods(cls) -> list[str]:
        methods = set(cls.READ_METHODS)
        for extra in cls.get_extra_actions():
            methods.update(extra.mapping.keys())
        return [method for method in viewsets.GenericViewSet.http_method_names if method in methods]

    @property
    def actor(self):
        return self.request.actor

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no actor
            return self.get_serializer_class().Meta.model.objects.none()
        return type(self).selector(actor=self.actor)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["actor"] = getattr(self.request, "actor", None)
        return context

    # --- one transaction per write, labelled, rolled back on any error --------------------------
    @property
    def is_write(self) -> bool:
        return self.request.method not in permissions.SAFE_METHODS

    def dispatch(self, request, *args, **kwargs):
        if request.method in permissions.SAFE_METHODS:
            return super().dispatch(request, *args, **kwargs)
        # The row lock of `get_object` lasts until the service's write commits; an error answer
        # (4xx from validation, 412, 403...) leaves nothing half-applied.
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            if getattr(response, "exception", False):
                transaction.set_rollback(True)
            return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in permissions.SAFE_METHODS:
            # Audit rows written through the API say so, for session callers too (API keys add
            # the key itself in their authentication).
            pghistory.context(channel="api")
        key = request.headers.get("Idempotency-Key")
        handler = getattr(self, "post", None)
        if request.method == "POST" and key and handler is not None and self.replays_idempotently():
            # Authenticated and allowed: the handler the router chose runs once per key.
            self.post = lambda request, *args, **kwargs: self._create_idempotent(
                request, key, produce=lambda request: handler(request, *args, **kwargs)
            )

    # --- Idempotency-Key ---------------------------------------------------------------------
    # Actions whose answer holds a secret shown once (a replay would have to store it).
    not_replayed_actions: tuple[str, ...] = ()

    def replays_idempotently(self, action: str | None = None) -> bool:
        """Whether a POST to `action` (default: this request's) honours `Idempotency-Key`. A risk
        preview saves nothing, so it stores no answer to replay either."""
        action = action or self.action
        return action not in self.not_replayed_actions and not getattr(self, "preview_only", False)

    def _create_idempotent(self, request, key: str, produce=None):
        """Answer a POST once per key: `produce(request)` (default: the create) runs the first
        time, its response is stored and replayed to a retry with the same key and body."""
        if getattr(request, "_idempotency_key_held", False):
            return (produce or self._create)(request)  # already answering this key
        request._idempotency_key_held = True
        fingerprint = hashlib.sha256(request.body or b"").hexdigest()
        owner = str(self.actor.organization.id)
        with transaction.atomic():
            record, created = IdempotencyRecord.objects.select_for_update().get_or_create(
                owner=owner, key=key[:255], defaults={"request_hash": fingerprint, "path": request.path}
            )
            if not created:
                if record.request_hash != fingerprint or record.path != request.path:
                    raise IdempotencyKeyReused()
                if record.response_status is not None:
                    # An error answer stored (e.g. a bulk with atomic=true) replays as problem JSON.
                    content_type = PROBLEM_CONTENT_TYPE if record.response_status >= 400 else None
                    response = Response(record.response_body, status=record.response_status, content_type=content_type)
                    response["Idempotent-Replayed"] = "true"
                    return response
            response = (produce or self._create)(request)
            record.response_status = response.status_code
            record.response_body = json.loads(JSONRenderer().render(response.data))
            record.save(update_fields=["response_status", "response_body"])
            return response

    # --- objects, ETags and preconditions -------------------------------------------------------
    def get_object(self):
        # A malformed id is simply not found (never a 500 from the UUID cast).
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")
        try:
            uuid.UUID(str(lookup))
        except ValueError as error:
            raise exceptions.NotFound() from error
        instance = super().get_object()
        if self.is_write:
            self._check_if_match(self._lock(instance))
        return instance

    @staticmethod
    def _lock(instance):
        """The row as committed now, locked until this request's transaction ends: a writer that
        read the same ETag waits here and then sees the new version."""
        model = type(instance)
        return model._base_manager.select_for_update().get(pk=instance.pk)

    def _check_if_match(self, instance) -> None:
        header = (self.request.headers.get("If-Match") or "").strip()
        if not header or header == "*":
            return
        if etag_for(instance) not in _etags(header):
            raise PreconditionFailed()

    def _not_modified(self, instance):
        header = self.request.headers.get("If-None-Match")
        if header and (header.strip() == "*" or etag_for(instance) in _etags(header)):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
            response["ETag"] = etag_for(instance)
            return response
        return None

    def respond(self, instance, *, status_code: int = status.HTTP_200_OK, serializer_class=None):
        """The resource as the caller sees it, with its ETag."""
        serializer_class = serializer_class or self.get_serializer_class()
        response = Response(serializer_class(instance, context=self.get_serializer_context()).data, status=status_code)
        response["ETag"] = etag_for(instance)
        return response

    # --- filters ---------------------------------------------------------------------------------
    def filter_queryset(self, queryset):
        """DRF's, except that a request carrying no parameter but the paginator's skips building the
        FilterSet (a deep copy of its filters, a form class and its validation): a plain FilterSet
        given no data filters nothing. A request with any other parameter is filtered and
        validated as before (a bad value is a 400)."""
        backends = self.filter_backends
        if DjangoFilterBackend in backends and self._no_filter_parameters():
            filterset_class = getattr(self, "filterset_class", None)
            if filterset_class is None or _filters_nothing_unbound(filterset_class):
                backends = [backend for backend in backends if backend is not DjangoFilterBackend]
        for backend in list(backends):
            queryset = backend().filter_queryset(self.request, queryset, self)
        return queryset

    def _no_filter_parameters(self) -> bool:
        paginator = self.paginator
        allowed = {getattr(paginator, "cursor_query_param", None), getattr(paginator, "page_size_query_param", None)}
        return all(name in allowed for name in self.request.query_params)

    # --- reads -------------------------------------------------------------------------------
    def list(self, request, *args, **kwargs):
        """DRF's ListModelMixin.list, with the page's rows read as tuples of the columns the
        serializer prints (`lean.py`), or, for a serializer the lean path does not understand, as
        instances presented by `fast_many_representation`; DRF's output either way. An unfiltered
        page is read with its shape's prebuilt SQL (`prepared.py`) when it has one."""
        response = self._templated_page()
        if response is not None:
            return response
        queryset = self.filter_queryset(self.get_queryset())
        plan = self._lean_plan(queryset)
        if plan is not None:
            values = plan.values(queryset)
            rows = self.paginate_queryset(values) if self.paginator is not None else list(values)
            if rows is not None:
                data = self._lean_present(plan, rows)
                if data is not None:
                    return self._lean_response(data)
        if self.list_select_related is not None:
            # A list prints related ids from the row itself: join only what it prints names from.
            queryset = queryset.select_related(None)
            if self.list_select_related:  # select_related() without names would follow every FK
                queryset = queryset.select_related(*self.list_select_related)
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(fast_many_representation(self.get_serializer(page, many=True)))
        return Response(fast_many_representation(self.get_serializer(queryset, many=True)))

    def _lean_response(self, data):
        response = self.get_paginated_response(data) if self.paginator is not None else Response(data)
        response.lean_native_datetimes = self._lean_native
        return response

    def _templated_page(self):
        """The page read with the shape's template (`prepared.py`): only for the lean path, with no
        parameter but the cursor and page size and no ordering filter; None otherwise, or when the
        shape has no template (the queryset is then built as usual)."""
        paginator = self.paginator
        if (
            not isinstance(paginator, CursorPagination)
            or type(self).get_serializer is not generics.GenericAPIView.get_serializer
            or not self._no_filter_parameters()
            or any(hasattr(backend, "get_ordering") for backend in self.filter_backends)
            or getattr(self, "swagger_fake_view", False)
        ):
            return None
        actor = self.actor
        using = router.db_for_read(self.get_serializer_class().Meta.model)
        chosen = []

        def fetch(*, ordering, position_filter, position, offset, limit):
            template = prepared.template_for(
                self, actor, ordering=ordering, position_filter=position_filter, position=position, using=using
            )
            if template is None:
                return None
            chosen.append(template)
            paginator.lean_position_index = template.position_index
            return prepared.fetch(template, actor, position=position, offset=offset, limit=limit, using=using)

        rows = paginator.paginate_rows(self.request, self, fetch)
        if rows is None:
            return None
        data = self._lean_present(chosen[0].plan, rows)
        if data is None:
            return None  # a property read what it did not declare: read the page again as instances
        return self._lean_response(data)

    def _lean_plan(self, queryset):
        if type(self).get_serializer is not generics.GenericAPIView.get_serializer:
            return None  # the resource builds its serializer its own way
        paginator = self.paginator
        ordering = ()
        if isinstance(paginator, pagination.CursorPagination):
            # The cursor's position is read from the page's rows: the ordering's columns are fetched.
            ordering = tuple(paginator.get_ordering(self.request, queryset, self))
        return lean.plan_for(self.get_serializer_class(), queryset, ordering)

    def _lean_present(self, plan, rows) -> "list[dict] | None":
        """The rows as DRF prints them, or None when a property or method read something its
        `@reads` did not declare (the page is then read again as instances, and it is logged)."""
        try:
            present = plan.presenter(self.get_serializer_context())
            data = present(rows)
            self._lean_native = present.native
            return data
        except Exception:
            if lean.STRICT:
                raise
            log.warning("lean list of %s fell back to instances", type(self).__name__, exc_info=True)
            return None

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return self._not_modified(instance) or self.respond(instance)


class ReadOnlyServiceViewSet(BaseServiceViewSet):
    """A resource read through the API (its detail actions may still write)."""


class ServiceViewSet(BaseServiceViewSet):
    """A resource written through services. Subclasses declare, besides the base's attributes,
    any of `create_service(*, actor, **data)`, `update_service(*, actor, instance, **data)` and
    `delete_service(*, actor, instance)`; `partial_update_only = True` when a full PUT makes no
    sense for it. The allowed methods follow from what is declared."""

    create_service = None
    update_service = None
    delete_service = None
    update_serializer_class = None
    partial_update_only = False

    @classmethod
    def _declared_methods(cls) -> list[str]:
        methods = set(super()._declared_methods())
        if cls.create_service is not None or "create" in cls.__dict__:
            methods.add("post")
        if cls.update_service is not None:
            methods.add("patch")
            if not cls.partial_update_only:
                methods.add("put")
        if cls.delete_service is not None:
            methods.add("delete")
        return [method for method in viewsets.GenericViewSet.http_method_names if method in methods]

    def get_serializer_class(self):
        if self.action in ("update", "partial_update") and self.update_serializer_class:
            return self.update_serializer_class
        return super().get_serializer_class()

    # --- writes ------------------------------------------------------------------------------
    def create(self, request, *args, **kwargs):
        if not self.implements("create"):
            raise exceptions.MethodNotAllowed(request.method)
        return self._create(request)  # Idempotency-Key: see `initial`

    def implements(self, action: str) -> bool:
        """Whether this resource answers the router's `create`, `update` / `partial_update` or
        `destroy`: the router routes a list POST to every viewset that POSTs to any action."""
        method = {"partial_update": "update"}.get(action, action)
        service = {"create": "create_service", "update": "update_service", "destroy": "delete_service"}.get(method)
        if service is None or getattr(type(self), method) is not getattr(ServiceViewSet, method):
            return True  # an action of its own, or the resource overrides the handler
        return getattr(type(self), service) is not None

    def _create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = type(self).create_service(actor=self.actor, **serializer.validated_data)
        return self.respond(instance, status_code=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        if not self.implements("update"):
            raise exceptions.MethodNotAllowed(request.method)
        partial = kwargs.pop("partial", False)
        instance = self.get_object()  # locked and If-Match-checked
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        self._reject_unknown_fields(serializer, request.data)
        serializer.is_valid(raise_exception=True)
        instance = type(self).update_service(actor=self.actor, instance=instance, **serializer.validated_data)
        return self.respond(instance)

    @staticmethod
    def _reject_unknown_fields(serializer, data) -> None:
        """A misspelt field ("frist_name") would otherwise be ignored and the write answered 200
        with nothing changed. Read-only fields are known (a client may PUT back what it read)."""
        if not hasattr(data, "keys"):
            return
        unknown = sorted(set(data.keys()) - set(serializer.fields))
        if unknown:
            known = ", ".join(name for name, field in serializer.fields.items() if not field.read_only)
            raise exceptions.ValidationError({name: [f"Unknown field. Writable fields: {known}."] for name in unknown})

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        if not self.implements("destroy"):
            raise exceptions.MethodNotAllowed(request.method)
        instance = self.get_object()  # locked and If-Match-checked
        type(self).delete_service(actor=self.actor, instance=instance)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ClientWritesMixin:
    """Resources the client alone changes (it directs the work and screens its candidates): a
    provider, even with a write-scoped key, reads them, and any write is a 403 saying so."""

    client_writes_refusal = "Only the client directs assignments; providers can read them."

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in permissions.SAFE_METHODS and not request.actor.is_client:
            raise exceptions.PermissionDenied(self.client_writes_refusal)
