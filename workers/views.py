from django.http import Http404
from django.views.generic import TemplateView

from outstaff.views import ActorRequiredMixin, FilteredListView

from . import selectors
from .filters import WorkerFilterSet
from .models import Worker


class WorkerListView(FilteredListView):
    template_name = "workers/worker_list.html"
    filterset_class = WorkerFilterSet
    selector = selectors.worker_list
    context_object_name = "workers"


class WorkerDetailView(ActorRequiredMixin, TemplateView):
    template_name = "workers/worker_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            context["worker"] = selectors.worker_get(actor=self.actor, worker_id=kwargs["worker_id"])
        except Worker.DoesNotExist as error:
            raise Http404("No such worker.") from error
        return context
