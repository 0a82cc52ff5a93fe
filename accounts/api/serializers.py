from rest_framework import serializers

from ..choices import ALL_SCOPE_STRINGS
from ..models import ApiKey


class ApiKeySerializer(serializers.ModelSerializer):
    """An API key as listed: never its secret nor its hash. `key` is filled only in the response
    to the create call, the one time the secret is shown."""

    scopes = serializers.ListField(
        child=serializers.ChoiceField(
            choices=ALL_SCOPE_STRINGS,
            error_messages={"invalid_choice": '"{input}" is not a scope. Known: ' + ", ".join(ALL_SCOPE_STRINGS) + "."},
        ),
        allow_empty=False,
        help_text="Scopes such as `workers:read` or `assignments:write`; a write scope implies read.",
    )
    created_by = serializers.SlugRelatedField(slug_field="email", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "prefix",
            "scopes",
            "is_active",
            "created_by",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]

    def validate_scopes(self, scopes: list[str]) -> list[str]:
        # A key cannot mint a key more powerful than itself.
        actor = self.context.get("actor")
        if actor is not None and actor.api_key is not None:
            beyond = sorted(set(scopes) - set(actor.scopes))
            if beyond:
                raise serializers.ValidationError(
                    f"An API key can only create keys within its own scopes; not allowed: {', '.join(beyond)}."
                )
        return scopes


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(read_only=True, help_text="The secret. Shown only in this response; store it now.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]
