from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from outstaff.pagecache import PageBody
from outstaff.views import ActorRequiredMixin

from .selectors import home_page

# The part of the page below the navigation, and what it includes: rendered once per data version.
HOME_BODY = PageBody("dashboard.home", "dashboard/_home_body.html", "dashboard/_inbox.html", "dashboard/_chart.html")


class HomeView(ActorRequiredMixin, TemplateView):
    template_name = "dashboard/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actor, today = self.actor, timezone.localdate()

        def present(data: dict) -> dict:
            # The body is the same HTML for every request of this key (no CSRF token, no request).
            body = HOME_BODY.render({**data, "actor": actor, "today": today})
            return {"home_body": body, "risk_open_count": data["risk_open_count"]}

        page = home_page(actor=actor, today=today, present=present, body=HOME_BODY)
        context["home_body"] = mark_safe(page["home_body"])  # nosec B308 B703 - our own template's output
        # The navigation's badge from the same data (over the context processor's query).
        context["risk_open_count"] = page["risk_open_count"]
        return context
