from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from outstaff.api.history import HistoryMixin
from outstaff.api.viewsets import ServiceViewSet, etag_for

from .. import selectors, services
from ..choices import Scope
from .filters import ApiKeyFilterSet
from .serializers import ApiKeyCreatedSerializer, ApiKeySerializer


def _revoke(*, actor, instance):
    return services.api_key_revoke(actor=actor, api_key=instance)


class ApiKeyViewSet(HistoryMixin, ServiceViewSet):
    """The organization's API keys. Creating one returns its secret once, in `key`; only a hash is
    stored. Revoke with `POST .../revoke/` or `DELETE`. `Idempotency-Key` is not honoured on
    create: a replay would have to store the secret."""

    scope_family = Scope.API_KEYS
    not_replayed_actions = ("create",)
    serializer_class = ApiKeySerializer
    filterset_class = ApiKeyFilterSet
    selector = selectors.api_key_list
    delete_service = _revoke

    @extend_schema(request=ApiKeySerializer, responses={201: ApiKeyCreatedSerializer})
    def create(self, request, *args, **kwargs):
        return self._create(request)

    def _create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        api_key, raw_key = services.api_key_create(
            organization=self.actor.organization,
            name=serializer.validated_data["name"],
            scopes=serializer.validated_data["scopes"],
            created_by=self.actor.user,
        )
        api_key.key = raw_key
        response = Response(ApiKeyCreatedSerializer(api_key).data, status=status.HTTP_201_CREATED)
        response["ETag"] = etag_for(api_key)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=None, responses=ApiKeySerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, id=None):
        """Revoke the key: it stops authenticating at once. Revoking twice is harmless."""
        return self.respond(services.api_key_revoke(actor=self.actor, api_key=self.get_object()))
