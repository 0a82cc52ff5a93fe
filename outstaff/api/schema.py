"""The OpenAPI schema is the contract (DESIGN §8), so what every operation shares is documented
here, once, from what the views declare — never per view:

- error responses (RFC 9457 problem+json) with the statuses the operation can really return;
- request headers: `Idempotency-Key` on POSTs that honour it, `If-Match` on writes to an object,
  `If-None-Match` on object reads; response headers: `ETag`, `Retry-After` on 429 and the
  `RateLimit-*` headers on every response;
- the API-key scope an operation needs, as the scope list of its security requirement;
- nullable / blank fields as the server returns them (a read-only field reached through a nullable
  relation, a blank choice);
- an example for each resource, built from its schema.

An endpoint added by any app gets all of this by using the base viewsets (or `scope_family`)."""

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import permissions, serializers

from .errors import PROBLEM_CONTENT_TYPE
from .examples import RESOURCE_EXAMPLES
from .scopes import accepted_scopes

PROBLEM_COMPONENT = "Problem"
SCOPE_SCHEME = "apiKeyBearer"

_STATUS_TEXT = {
    304: "Not modified: `If-None-Match` names the current ETag.",
    400: "Invalid input (a parameter, the body, a cursor); `errors` lists each field.",
    401: "No valid credentials (`Authorization: Bearer <api key>` or a signed-in session).",
    403: "Authenticated, but the key's scopes or the user's role do not allow this; names the missing scope.",
    404: "No such object among those visible to the caller.",
    406: "The `Accept` header asks for a format this API does not produce.",
    409: "The change conflicts with existing data (e.g. a uniqueness or overlap constraint).",
    412: "`If-Match` does not name the current ETag: someone changed the object since you read it.",
    413: "The request body is larger than the server accepts.",
    414: "The URL (request line) is longer than the HTTP server accepts (4094 bytes under gunicorn). The "
    "server refuses it before the application runs, so the answer is its own short HTML page.",
    415: "The request body's media type is not supported (send `application/json`).",
    422: "The `Idempotency-Key` was already used with a different request.",
    429: "Rate limit exceeded; retry after `Retry-After` seconds.",
}

RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": {"schema": {"type": "integer"}, "description": "Requests allowed in the current window."},
    "RateLimit-Remaining": {"schema": {"type": "integer"}, "description": "Requests left in the current window."},
    "RateLimit-Reset": {"schema": {"type": "integer"}, "description": "Seconds until the window resets."},
}
ETAG_HEADER = {"ETag": {"schema": {"type": "string"}, "description": "The object's version; send it in `If-Match`."}}
REPLAYED_HEADER = {
    "Idempotent-Replayed": {
        "schema": {"type": "string", "enum": ["true"]},
        "description": "Present on a replay: the first answer to this `Idempotency-Key`, not run again.",
    }
}
RETRY_AFTER_HEADER = {
    "Retry-After": {"schema": {"type": "integer"}, "required": True, "description": "Seconds to wait."}
}


def _rate_limit_text() -> str:
    """The 429's description with the limits in force (settings `API_RATE_LIMIT`,
    `API_BURST_RATE_LIMIT`, `API_SESSION_RATE_LIMIT`; empty turns one off)."""
    limits = [
        (settings.API_RATE_LIMIT, "per API key"),
        (settings.API_BURST_RATE_LIMIT, "per API key in bursts"),
        (settings.API_SESSION_RATE_LIMIT, "per signed-in browser session"),
    ]
    stated = "; ".join(f"{rate} {who}" for rate, who in limits if rate)
    return f"{_STATUS_TEXT[429]} Limits: {stated or 'none'}."


def _header(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, str, location=OpenApiParameter.HEADER, required=False, description=description)


class ProblemFieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="The field (dotted path), or null for the whole request.")
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, the one error format of this API."""

    type = serializers.URLField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = ProblemFieldErrorSerializer(many=True, required=False)


_FORMATTED_FIELDS = (
    serializers.EmailField,
    serializers.URLField,
    serializers.UUIDField,
    serializers.IPAddressField,
    serializers.DateField,
    serializers.DateTimeField,
)


def _nullable_through_source(field) -> bool:
    """Whether a field's `source` reaches its value through something that may be missing: a
    nullable column, a nullable or reverse one-to-one relation."""
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    source = getattr(field, "source", None)
    if model is None or not source or source == "*":
        return False
    for part in source.split("."):
        try:
            model_field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if getattr(model_field, "null", False):
            return True
        if model_field.is_relation and model_field.auto_created and not model_field.concrete:
            return True  # a reverse relation: DRF gives None when there is no related row
        model = model_field.related_model
        if model is None:
            return False
    return False


def _model_field(field):
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    source = getattr(field, "source", None)
    if model is None or not source or "." in source or source == "*":
        return None
    try:
        return model._meta.get_field(source)
    except FieldDoesNotExist:
        return None


class AutoSchema(SpectacularAutoSchema):
    # --- what the view declares ------------------------------------------------------------------
    @property
    def _action(self) -> str | None:
        return getattr(self.view, "action", None)

    @property
    def _is_object(self) -> bool:
        return "{" in self.path

    @property
    def _is_write(self) -> bool:
        return self.method not in permissions.SAFE_METHODS

    def _service_viewset(self) -> bool:
        from .viewsets import BaseServiceViewSet

        return isinstance(self.view, BaseServiceViewSet)

    def _honours_idempotency_key(self) -> bool:
        return self.method == "POST" and self._service_viewset() and self.view.replays_idempotently(self._action)

    def _sends_etag(self) -> bool:
        """Whether a success answers with one object and its ETag: a create, a read or write of an
        object and its actions; not a list, a bulk result, an object's history or a worker's export
        (documents composed of many rows, which no single version names)."""
        if not self._service_viewset() or self._action in ("list", "history", "bulk", "export"):
            return False
        if (self._action or "").endswith("_history"):  # e.g. a screening's checklist history
            return False
        return self._is_object or self._action == "create"

    def is_excluded(self) -> bool:
        # The router routes a list POST / PUT / DELETE to every viewset; a resource that does not
        # implement it answers 405, so it is not an operation of the contract.
        implements = getattr(self.view, "implements", None)
        if implements is not None and self._action in ("create", "update", "partial_update", "destroy"):
            return not implements(self._action)
        return super().is_excluded()

    # --- request headers -----------------------------------------------------------------------
    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if not self._service_viewset():
            return parameters
        if self._is_object and self.method == "GET" and self._action == "retrieve":
            parameters.append(_header("If-None-Match", "An ETag you hold: 304 (no body) while it is current."))
        if self._is_object and self._is_write:
            parameters.append(
                _header("If-Match", "The ETag you read: the write is refused with 412 if the object changed since.")
            )
        if self._honours_idempotency_key():
            parameters.append(
                _header(
                    "Idempotency-Key",
                    "A unique key per logical request: a retry with the same key and body replays the first "
                    "response (with `Idempotent-Replayed: true`); the same key with another body is a 422.",
                )
            )
        return parameters

    # --- security: the scope the operation needs --------------------------------------------------
    def get_auth(self):
        # A security requirement's scope list means all of them; alternatives (any read scope of
        # the deletions feed) are requirements of their own.
        accepted = accepted_scopes(self.view, self.method)
        auths = super().get_auth()
        if not accepted:
            return auths
        requirements = []
        for auth in auths:
            for name, scopes in auth.items():
                if name == SCOPE_SCHEME:
                    requirements.extend({name: [scope]} for scope in accepted)
                else:
                    requirements.append({name: scopes})
        return requirements

    # --- responses -----------------------------------------------------------------------------
    def _error_statuses(self) -> list[int]:
        statuses = {401, 403, 406, 429}
        if self._is_object:
            statuses.add(404)
        if self._is_write:
            statuses |= {400, 409, 413, 415}
            if self._is_object and self._service_viewset():
                statuses.add(412)
            if self._honours_idempotency_key():
                statuses.add(422)
        elif self._action != "retrieve" or not self._service_viewset():
            statuses.add(400)  # query parameters: filters, cursor, page size
        return sorted(statuses)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        problem = self.resolve_serializer(ProblemSerializer, "response").ref
        for code, response in responses.items():
            headers = dict(response.get("headers", {}))
            headers.update(RATE_LIMIT_HEADERS)
            if self._sends_etag() and str(code).startswith("2") and str(code) != "204":
                headers.update(ETAG_HEADER)
            if self._honours_idempotency_key():
                headers.update(REPLAYED_HEADER)
            response["headers"] = headers
        if self._service_viewset() and self._action == "retrieve":
            responses["304"] = {"description": _STATUS_TEXT[304], "headers": {**ETAG_HEADER, **RATE_LIMIT_HEADERS}}
        responses.setdefault(
            "414", {"description": _STATUS_TEXT[414], "content": {"text/html": {"schema": {"type": "string"}}}}
        )
        for code in self._error_statuses():
            headers = dict(RATE_LIMIT_HEADERS)
            if code == 429:
                headers.update(RETRY_AFTER_HEADER)
            responses.setdefault(
                str(code),
                {
                    "description": _rate_limit_text() if code == 429 else _STATUS_TEXT[code],
                    "content": {PROBLEM_CONTENT_TYPE: {"schema": problem}},
                    "headers": headers,
                },
            )
        return responses

    # --- fields as the server returns them ----------------------------------------------------------
    @staticmethod
    def _nullable_in_response(field) -> bool:
        nullable_in_response = getattr(getattr(field.parent, "Meta", None), "nullable_in_response", ())
        return (
            field.default is None
            or field.field_name in nullable_in_response
            or (field.read_only and _nullable_through_source(field))
        )

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if direction != "response" or not isinstance(field, serializers.ChoiceField):
            return super()._map_serializer_field(field, direction, bypass_extensions)
        # A choice is an enum component: null and "" are added as NullEnum / BlankEnum, so say it
        # on the field, for the response only.
        saved = field.allow_null, field.allow_blank
        if self._nullable_in_response(field):
            field.allow_null = True
        model_field = _model_field(field)
        if field.read_only and model_field is not None and getattr(model_field, "blank", False):
            field.allow_blank = True
        try:
            return super()._map_serializer_field(field, direction, bypass_extensions)
        finally:
            field.allow_null, field.allow_blank = saved

    def _map_basic_serializer(self, serializer, direction):
        """A resource whose provider readers get a narrower view (`provider_view` on its serializer,
        DESIGN §9) answers with either shape: the response component lists the fields of both and
        requires only those both always send, each audience-only field saying whose view has it."""
        schema = super()._map_basic_serializer(serializer, direction)
        provider_view = getattr(serializer, "provider_view", None)
        if direction != "response" or provider_view is None:
            return schema
        return _either_audience(schema, super()._map_basic_serializer(provider_view, direction))

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if meta.get("default") == "" and isinstance(field, _FORMATTED_FIELDS):
            # "" is how such a field says "not given"; as a default it would violate its own format.
            meta.pop("default")
        if direction != "response" or not isinstance(field, serializers.Field):
            return meta
        if isinstance(field, (serializers.ChoiceField, serializers.JSONField)):
            return meta  # choices: see above; JSON: any value, null included
        if self._nullable_in_response(field):
            meta["nullable"] = True
            meta.pop("default", None)
        return meta


def _either_audience(client: dict, provider: dict) -> dict:
    properties = dict(client.get("properties", {}))
    for name, prop in properties.items():
        if name not in provider.get("properties", {}) and "$ref" not in prop:
            properties[name] = {**prop, "description": _with_note(prop, "Not in a provider's view.")}
    for name, prop in provider.get("properties", {}).items():
        if name not in properties:
            properties[name] = (
                prop if "$ref" in prop else {**prop, "description": _with_note(prop, "Only in a provider's view.")}
            )
    both = set(provider.get("required", []))
    required = [name for name in client.get("required", []) if name in both]
    merged = {**client, "properties": properties, "required": required}
    if not required:
        merged.pop("required")
    return merged


def _with_note(prop: dict, note: str) -> str:
    return f"{prop['description']} {note}" if prop.get("description") else note


def _example_for(schema: dict, components: dict, depth: int = 0, name: str = ""):
    """A plausible value for a schema (the first enum value, a fixed id or date, a named string)."""
    if depth > 20:
        return None
    if "$ref" in schema:
        target = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
        return _example_for(target, components, depth + 1, name)
    for combinator in ("oneOf", "anyOf", "allOf"):
        if combinator in schema:
            for option in schema[combinator]:
                if option.get("type") != "null" and option.get("enum") != [""] and option.get("enum") != [None]:
                    return _example_for(option, components, depth + 1, name)
            return None
    if "enum" in schema:
        values = [value for value in schema["enum"] if value not in ("", None)]
        return values[0] if values else None
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    fmt = schema.get("format")
    if kind == "object" or "properties" in schema:
        return {
            key: _example_for(value, components, depth + 1, key)
            for key, value in schema.get("properties", {}).items()
            if not value.get("writeOnly")
        }
    if kind == "array":
        item = _example_for(schema.get("items", {}), components, depth + 1, name)
        return [] if item is None else [item]
    if kind == "integer":
        return max(schema.get("minimum", 1), 1) if "minimum" in schema else 1
    if kind == "number":
        return 40.0 if "hours" in name else 1.0
    if kind == "boolean":
        return True
    if kind == "string":
        if "pattern" in schema:
            return _string_example(name, schema)
        return {
            "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "date-time": dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC).isoformat().replace("+00:00", "Z"),
            "date": "2026-05-04",
            "email": "ada.lovelace@example.com",
            "uri": "https://hr.example.com/hooks/outstaff",
            "decimal": "40.0",
        }.get(fmt) or _string_example(name, schema)
    return None


# Values for the patterns the serializers use (a decimal's pattern is handled by its digits).
_PATTERN_SAMPLES = ("DE", "DE-BE", "2026-05", "HR-1042")
_DECIMAL_PATTERN = re.compile(r"\^-\?\\d\{0,(\d+)\}\(\?:\\\.\\d\{0,(\d+)\}\)\?\$")


def _string_example(name: str, schema: dict) -> str | None:
    pattern = schema.get("pattern")
    decimal = _DECIMAL_PATTERN.fullmatch(pattern or "")
    if decimal:
        whole, fraction = int(decimal.group(1)), int(decimal.group(2))
        value = ("40" if whole >= 2 else "0" * whole) + ("." + "5" * min(fraction, 1) if fraction else "")
        return value or "0"
    if pattern:
        sample = _string_sample(name, schema)
        for candidate in (sample, *_PATTERN_SAMPLES):
            if re.fullmatch(pattern, candidate):
                return candidate
        return None
    return _string_sample(name, schema)


def _string_sample(name: str, schema: dict) -> str:
    samples = {
        "external_id": "HR-1042",
        "country": "DE",
        "currency": "EUR",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "full_name": "Ada Lovelace",
        "timezone": "Europe/Berlin",
        "role_title": "Backend engineer",
        "role": "Backend engineer",
        "name": "Platform team",
    }
    value = samples.get(name, name.replace("_", " ") or "text")
    if "maxLength" in schema:
        value = value[: schema["maxLength"]]
    return value


def add_examples(result, generator, request, public):
    """Postprocessing hook: an example object on every response component that describes a resource
    (and on list pages through them), built from its own schema so it never drifts from it."""
    components = result.get("components", {}).get("schemas", {})
    for name, schema in components.items():
        if name.endswith("Request") or name.startswith("Paginated") or name == PROBLEM_COMPONENT:
            continue
        if schema.get("type") != "object" or "properties" not in schema or "example" in schema:
            continue
        example = _example_for(schema, components)
        if example and name in RESOURCE_EXAMPLES:
            # The main resources' curated values, for the fields the schema still has.
            example.update({key: value for key, value in RESOURCE_EXAMPLES[name].items() if key in example})
        if example:
            if str(result.get("openapi", "")).startswith("3.0"):
                schema["example"] = example
            else:
                schema["examples"] = [example]
    return result
