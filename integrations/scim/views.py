"""SCIM 2.0 endpoints (RFC 7644). Plain Django views rather than DRF: SCIM has its own media type,
error format and paging, none of which the REST API's conventions fit. They authenticate the
API key, parse with scim2-models, and call the SCIM selectors and services."""

import json
import logging
import uuid

import pghistory
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError as PydanticValidationError
from scim2_models import (
    Context,
    Error,
    ForbiddenException,
    InvalidSyntaxException,
    InvalidValueException,
    ListResponse,
    NotFoundException,
    NotImplementedException,
    PatchOp,
    ResourceType,
    ResponseParameters,
    Schema,
    SCIMException,
    SearchRequest,
    UnauthorizedException,
)

from accounts.actors import Actor, actor_for_api_key
from accounts.choices import Scope
from accounts.models import Organization
from accounts.services import api_key_authenticate
from outstaff.api.parsers import MAX_JSON_DEPTH, json_depth_exceeds
from workers.models import Worker

from . import selectors, services
from .schema import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    SCIM_POLICY,
    SERVICE_PROVIDER_CONFIG,
    USER_RESOURCE_TYPE,
    ScimWorker,
    published_schemas,
)

logger = logging.getLogger(__name__)

SCIM_MEDIA_TYPE = "application/scim+json"
READ, WRITE = f"{Scope.SCIM}:read", f"{Scope.SCIM}:write"


class PayloadTooLarge(SCIMException):
    """RFC 7644 §3.12: 413, the body exceeds what the service accepts."""

    status = 413
    _default_detail = "The request body is too large."


def scim_response(payload: dict | None, *, status: int = 200, headers: dict | None = None) -> HttpResponse:
    body = "" if payload is None else json.dumps(payload)
    return HttpResponse(body, status=status, content_type=SCIM_MEDIA_TYPE, headers=headers)


def scim_error_response(error: SCIMException | Error) -> HttpResponse:
    error = error.to_error() if isinstance(error, SCIMException) else error
    headers = {"WWW-Authenticate": 'Bearer realm="scim"'} if int(error.status) == 401 else None
    return scim_response(error.model_dump(), status=int(error.status), headers=headers)


def _organizations_for(actor: Actor | None) -> list[str]:
    """The clients whose names suggest the `organization` of a new User: those the provider already
    employs workers for (a client's own key sees its own name)."""
    if actor is None:
        return []
    if actor.is_client:
        return [actor.organization.name]
    names = Organization.objects.filter(client_workers__provider_id=actor.organization.id).values_list(
        "name", flat=True
    )
    return sorted(set(names))


@method_decorator(csrf_exempt, name="dispatch")
class ScimView(View):
    """Authenticates `Authorization: Bearer <API key>` with the `scim` scope (read for GET, write
    otherwise) and turns every failure into a SCIM Error. Discovery endpoints answer without a key."""

    public = False
    actor: Actor | None = None

    def dispatch(self, request, *args, **kwargs):
        try:
            self.actor = self._authenticate(request)
            if self.actor is None and not self.public:
                raise UnauthorizedException(detail="Send an API key: Authorization: Bearer <key>.")
            with SCIM_POLICY:
                return super().dispatch(request, *args, **kwargs)
        except SCIMException as error:
            return scim_error_response(error)
        except PydanticValidationError as error:
            return scim_error_response(Error.from_validation_errors(error)[0])
        except Exception:  # a bug: still answer in SCIM's error format
            logger.exception("SCIM request failed: %s %s", request.method, request.path)
            return scim_error_response(Error(status=500, detail="Internal error."))

    def _authenticate(self, request) -> Actor | None:
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        scheme, _, raw_key = header.partition(" ")
        if scheme != "Bearer" or not raw_key.strip():
            raise UnauthorizedException(detail="Send the key as 'Authorization: Bearer <key>'.")
        api_key = api_key_authenticate(raw_key=raw_key.strip())
        if api_key is None:
            raise UnauthorizedException(detail="Unknown or revoked API key.")
        needed = READ if request.method in ("GET", "HEAD") else WRITE
        scopes = set(api_key.scopes)
        if needed not in scopes and WRITE not in scopes:
            raise ForbiddenException(detail=f"This API key lacks the {needed} scope.")
        pghistory.context(api_key=str(api_key.id), api_key_name=api_key.name, channel="scim")
        return actor_for_api_key(api_key)

    def http_method_not_allowed(self, request, *args, **kwargs):
        error = Error(status=405, detail=f"{request.method} is not supported here.")
        return scim_error_response(error)

    def _json(self, request) -> dict:
        try:
            payload = json.loads(request.body or b"null")
        except RequestDataTooBig as error:  # a body without Content-Length that grew past the limit
            raise PayloadTooLarge() from error
        except RecursionError as error:
            raise InvalidSyntaxException(detail=f"The body is nested deeper than {MAX_JSON_DEPTH} levels.") from error
        except (ValueError, UnicodeDecodeError) as error:
            raise InvalidSyntaxException(detail=f"The body is not JSON: {error}") from error
        if json_depth_exceeds(payload, MAX_JSON_DEPTH):
            raise InvalidSyntaxException(detail=f"The body is nested deeper than {MAX_JSON_DEPTH} levels.")
        if not isinstance(payload, dict):
            raise InvalidSyntaxException(detail="Send a JSON object.")
        return payload

    def _location(self, worker_id) -> str:
        return self.request.build_absolute_uri(f"/scim/v2/Users/{worker_id}")


class ServiceProviderConfigView(ScimView):
    public = True

    def get(self, request):
        config = SERVICE_PROVIDER_CONFIG.model_copy(deep=True)
        config.meta = {"resourceType": "ServiceProviderConfig", "location": request.build_absolute_uri()}
        return scim_response(config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


class ResourceTypesView(ScimView):
    public = True

    def _resource_type(self):
        resource_type = USER_RESOURCE_TYPE.model_copy(deep=True)
        resource_type.meta = {
            "resourceType": "ResourceType",
            "location": self.request.build_absolute_uri("/scim/v2/ResourceTypes/User"),
        }
        return resource_type

    def get(self, request, name: str | None = None):
        if name is not None:
            if name != "User":
                raise NotFoundException(detail=f"No resource type {name}.")
            return scim_response(self._resource_type().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
        listing = ListResponse[ResourceType](
            total_results=1, start_index=1, items_per_page=1, resources=[self._resource_type()]
        )
        return scim_response(listing.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


class SchemasView(ScimView):
    public = True

    def _schemas(self):
        schemas = published_schemas(organizations=_organizations_for(self.actor))
        for schema in schemas:
            schema.meta = {
                "resourceType": "Schema",
                "location": self.request.build_absolute_uri(f"/scim/v2/Schemas/{schema.id}"),
            }
        return schemas

    def get(self, request, schema_id: str | None = None):
        schemas = self._schemas()
        if schema_id is not None:
            schema = next((s for s in schemas if s.id == schema_id), None)
            if schema is None:
                raise NotFoundException(detail=f"No schema {schema_id}.")
            return scim_response(schema.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
        listing = ListResponse[Schema](
            total_results=len(schemas), start_index=1, items_per_page=len(schemas), resources=schemas
        )
        return scim_response(listing.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


def _positive_int(raw, *, name: str, default: int, minimum: int) -> int:
    if raw in (None, ""):
        return default
    try:
        return max(int(raw), minimum)
    except (TypeError, ValueError) as error:
        raise InvalidValueException(detail=f"`{name}` must be an integer, not {raw!r}.") from error


class UsersView(ScimView):
    """GET (list, filter, paging) and POST (create) on /Users."""

    def get(self, request):
        return self._list(
            filter_expression=request.GET.get("filter"),
            start_index=request.GET.get("startIndex"),
            count=request.GET.get("count"),
            parameters=ResponseParameters[ScimWorker].model_validate(
                {key: request.GET[key] for key in ("attributes", "excludedAttributes") if request.GET.get(key)}
            ),
            context=Context.RESOURCE_QUERY_RESPONSE,
        )

    def _list(self, *, filter_expression, start_index, count, parameters, context) -> HttpResponse:
        start = _positive_int(start_index, name="startIndex", default=1, minimum=1)
        size = min(_positive_int(count, name="count", default=DEFAULT_PAGE_SIZE, minimum=0), MAX_PAGE_SIZE)
        workers = selectors.scim_worker_list(actor=self.actor)
        if filter_expression:
            workers = workers.filter(selectors.scim_filter_q(filter_expression))
        total = workers.count()
        page = list(workers[start - 1 : start - 1 + size]) if size else []
        listing = ListResponse[ScimWorker](
            total_results=total,
            start_index=start,
            items_per_page=len(page),
            resources=[services.scim_user_representation(worker=w, location=self._location(w.id)) for w in page],
        )
        return scim_response(listing.model_dump(scim_ctx=context, response_parameters=parameters))

    def post(self, request):
        resource = ScimWorker.model_validate(self._json(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
        worker = services.scim_user_create(actor=self.actor, resource=resource)
        user = _user_for(actor=self.actor, worker_id=worker.id, location=self._location(worker.id))
        return scim_response(
            user.model_dump(scim_ctx=Context.RESOURCE_CREATION_RESPONSE),
            status=201,
            headers={"Location": self._location(worker.id)},
        )


class UsersSearchView(UsersView):
    """POST /Users/.search: the same query as GET /Users, sent in a SearchRequest body."""

    def get(self, request):
        return self.http_method_not_allowed(request)

    def post(self, request):
        search = SearchRequest.model_validate(self._json(request), scim_ctx=Context.SEARCH_REQUEST)
        parameters = ResponseParameters[ScimWorker](
            attributes=search.attributes, excluded_attributes=search.excluded_attributes
        )
        return self._list(
            filter_expression=str(search.filter) if search.filter else None,
            start_index=search.start_index,
            count=search.count,
            parameters=parameters,
            context=Context.SEARCH_RESPONSE,
        )


def _worker_for(*, actor: Actor, worker_id: str) -> Worker:
    try:
        uuid.UUID(str(worker_id))
        return selectors.scim_worker_list(actor=actor).get(pk=worker_id)
    except (ValueError, Worker.DoesNotExist) as error:
        raise NotFoundException(detail=f"No User {worker_id}.") from error


def _user_for(*, actor: Actor, worker_id, location: str) -> ScimWorker:
    return services.scim_user_representation(worker=_worker_for(actor=actor, worker_id=worker_id), location=location)


class UserView(ScimView):
    """GET, PUT, PATCH and DELETE on /Users/{id}."""

    def get(self, request, worker_id: str):
        parameters = ResponseParameters[ScimWorker].model_validate(
            {key: request.GET[key] for key in ("attributes", "excludedAttributes") if request.GET.get(key)}
        )
        user = _user_for(actor=self.actor, worker_id=worker_id, location=self._location(worker_id))
        return scim_response(user.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=parameters))

    def put(self, request, worker_id: str):
        worker = _worker_for(actor=self.actor, worker_id=worker_id)
        resource = ScimWorker.model_validate(self._json(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
        services.scim_user_replace(actor=self.actor, worker=worker, resource=resource)
        user = _user_for(actor=self.actor, worker_id=worker_id, location=self._location(worker_id))
        return scim_response(user.model_dump(scim_ctx=Context.RESOURCE_REPLACEMENT_RESPONSE))

    def patch(self, request, worker_id: str):
        worker = _worker_for(actor=self.actor, worker_id=worker_id)
        patch = PatchOp[ScimWorker].model_validate(self._json(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST)
        current = services.scim_user_representation(worker=worker, location=self._location(worker_id))
        services.scim_user_patch(actor=self.actor, worker=worker, patch=patch, resource=current)
        user = _user_for(actor=self.actor, worker_id=worker_id, location=self._location(worker_id))
        return scim_response(user.model_dump(scim_ctx=Context.RESOURCE_PATCH_RESPONSE))

    def delete(self, request, worker_id: str):
        worker = _worker_for(actor=self.actor, worker_id=worker_id)
        services.scim_user_deprovision(actor=self.actor, worker=worker)
        return scim_response(None, status=204)


class RootSearchView(ScimView):
    """POST /.search across resource types: Outstaff serves one resource type; search /Users/.search."""

    def post(self, request):
        raise NotImplementedException(detail="Search /Users/.search instead: Users are the only resource type.")


class NotFoundView(ScimView):
    public = True

    def dispatch(self, request, *args, **kwargs):
        return scim_error_response(NotFoundException(detail=f"Nothing at {request.path}."))
