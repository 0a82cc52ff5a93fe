from django.views.generic import TemplateView

from outstaff.views import ActorRequiredMixin

from .selectors import home_page


class HomeView(ActorRequiredMixin, TemplateView):
    template_name = "dashboard/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # summary, inbox, charts and the navigation's risk_open_count (over the context processor's).
        context.update(home_page(actor=self.actor))
        return context
