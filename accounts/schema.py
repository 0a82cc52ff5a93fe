"""Teaches drf-spectacular the API-key scheme so the OpenAPI document states how to authenticate."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiKeyAuthentication"
    name = "apiKeyBearer"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An organization's API key: `Authorization: Bearer osk_…`. Keys carry scopes "
            "per resource family (`workers:read`, `payroll:write`, …).",
        }
