from accounts.choices import Scope
from outstaff.api.viewsets import ServiceViewSet

from .. import selectors, services
from ..filters import WorkerFilterSet
from .serializers import WorkerSerializer


class WorkerViewSet(ServiceViewSet):
    """Dedicated workers visible to the caller. Providers see the workers they employ; clients see
    the workers dedicated to them."""

    scope_family = Scope.WORKERS
    serializer_class = WorkerSerializer
    filterset_class = WorkerFilterSet
    selector = selectors.worker_list
    create_service = services.worker_create
    update_service = services.worker_update
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
