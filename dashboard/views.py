from django.views.generic import TemplateView

from outstaff.views import ActorRequiredMixin

from .charts import open_flags_by_week, retention_trend
from .inbox import inbox_items
from .selectors import dashboard_summary


class HomeView(ActorRequiredMixin, TemplateView):
    template_name = "dashboard/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"] = dashboard_summary(actor=self.actor)
        context["inbox"] = inbox_items(actor=self.actor)
        context["charts"] = [open_flags_by_week(actor=self.actor), retention_trend(actor=self.actor)]
        return context
