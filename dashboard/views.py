from django.views.generic import TemplateView

from outstaff.views import ActorRequiredMixin

from .selectors import dashboard_summary


class HomeView(ActorRequiredMixin, TemplateView):
    template_name = "dashboard/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"] = dashboard_summary(actor=self.actor)
        return context
