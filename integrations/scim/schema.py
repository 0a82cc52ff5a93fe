"""The SCIM resources Outstaff serves, declared once as `scim2-models` models: they validate what
clients send, serialise what we answer, apply PATCH operations and generate the published
`/Schemas`. Only attributes Outstaff stores are declared, so what a client writes it reads back."""

from typing import Annotated, Any

from pydantic import Field
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    ComplexAttribute,
    ETag,
    Extension,
    Filter,
    Mutability,
    Patch,
    Required,
    Resource,
    ResourceType,
    Schema,
    ScimPolicy,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 100

# Suggested (not exhaustive) country codes; any ISO 3166-1 alpha-2 code is accepted.
COUNTRY_EXAMPLES = [
    "AR", "AT", "AU", "BE", "BG", "BR", "CA", "CH", "CO", "CZ", "DE", "DK", "EE", "ES", "FI", "FR",
    "GB", "GR", "HR", "HU", "IE", "IN", "IT", "LT", "LV", "MX", "NL", "NO", "PH", "PL", "PT", "RO",
    "RS", "SE", "SK", "UA", "US", "ZA",
]  # fmt: skip


class WorkerName(ComplexAttribute):
    """Given and family name (the full name is the read-only `displayName`)."""

    family_name: Annotated[str | None, Required.true] = Field(None, max_length=100)
    given_name: Annotated[str | None, Required.true] = Field(None, max_length=100)


class WorkerEmail(ComplexAttribute):
    value: Annotated[str | None, Required.true] = None
    """The worker's work e-mail (Outstaff keeps one: the primary entry, or the first)."""


class WorkerAddress(ComplexAttribute):
    country: Annotated[str | None, Required.true] = Field(None, examples=COUNTRY_EXAMPLES)
    """ISO 3166-1 alpha-2 code of the country the worker is employed in (Outstaff keeps one)."""


class WorkerManager(ComplexAttribute):
    value: Annotated[str | None, Mutability.read_only] = None
    """The id of the directing manager's Outstaff user account (not a SCIM User)."""
    display_name: Annotated[str | None, Mutability.read_only] = None


class WorkerEnterprise(Extension):
    """The enterprise extension (RFC 7643 §4.3), as far as Outstaff knows it."""

    __schema__ = URN(ENTERPRISE_USER)

    employee_number: str | None = Field(None, max_length=128)
    """The HR system's id of the worker: the REST API's `external_id`."""
    organization: Annotated[str | None, Required.true, Mutability.immutable] = None
    """The client organization the worker is dedicated to (its name), set once at creation."""
    department: Annotated[str | None, Mutability.read_only] = None
    """The team of the worker's current assignment (set by the client, read-only here)."""
    manager: Annotated[WorkerManager | None, Mutability.read_only] = None
    """The directing manager of the worker's current assignment."""


class WorkerUser(Resource[Any]):
    """A dedicated worker as a SCIM User."""

    __schema__ = URN(CORE_USER)

    user_name: Annotated[str | None, Required.true, Uniqueness.server] = Field(None, max_length=255)
    name: Annotated[WorkerName | None, Required.true] = None
    display_name: Annotated[str | None, Mutability.read_only] = None
    title: str | None = Field(None, max_length=120)
    """The worker's role title."""
    active: Annotated[bool | None, Required.true] = None
    """False once the worker is offboarded. Setting it to false offboards the worker (final)."""
    emails: Annotated[list[WorkerEmail] | None, Required.true] = None
    addresses: Annotated[list[WorkerAddress] | None, Required.true] = None


ScimWorker = WorkerUser[Annotated[WorkerEnterprise, Required.true]]

USER_RESOURCE_TYPE = ResourceType.from_resource(ScimWorker)
USER_RESOURCE_TYPE.description = "Dedicated workers, employed by a provider and directed by a client."

# How much we tolerate from identity providers: attributes Outstaff does not store (nickName,
# locale, phone numbers…) are dropped instead of refused, and Microsoft Entra's `remove` with a
# `value` selects what to remove.
SCIM_POLICY = ScimPolicy(unknown=ScimPolicy.Unknown.ignore, remove_value_as_filter=ScimPolicy.RemoveValue.apply)


SERVICE_PROVIDER_CONFIG = ServiceProviderConfig(
    patch=Patch(supported=True),
    bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
    filter=Filter(supported=True, max_results=MAX_PAGE_SIZE),
    change_password=ChangePassword(supported=False),
    sort=Sort(supported=False),
    etag=ETag(supported=False),
    authentication_schemes=[
        AuthenticationScheme(
            type=AuthenticationScheme.Type.oauthbearertoken,
            name="API key",
            description="Authorization: Bearer <Outstaff API key with the scim:read or scim:write scope>",
            primary=True,
        )
    ],
)


def published_schemas(*, organizations: list[str]) -> list[Schema]:
    """The Schemas endpoint: User and its enterprise extension. `organizations` (the names of the
    clients the caller serves) become the suggested values of `organization`."""
    user, enterprise = WorkerUser.to_schema(), WorkerEnterprise.to_schema()
    user.name, user.description = "User", "User Account"
    enterprise.name, enterprise.description = "EnterpriseUser", "Enterprise User"
    for attribute in enterprise.attributes or []:
        if attribute.name == "organization" and organizations:
            attribute.canonical_values = organizations
    return [user, enterprise]
