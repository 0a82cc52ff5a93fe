import functools
import hashlib

from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from outstaff.views import ActorRequiredMixin

from .selectors import home_page

# The part of the page below the navigation, and what it includes: rendered once per data version.
HOME_BODY = "dashboard/_home_body.html"
HOME_BODY_TEMPLATES = (HOME_BODY, "dashboard/_inbox.html", "dashboard/_chart.html")


@functools.cache
def _home_body_version() -> str:
    """A digest of the body's templates: a deploy that changes one never serves the old HTML."""
    engine = engines["django"].engine
    sources = [engine.find_template(name)[0].source for name in HOME_BODY_TEMPLATES]
    return hashlib.sha256("\0".join(sources).encode()).hexdigest()[:12]


class HomeView(ActorRequiredMixin, TemplateView):
    template_name = "dashboard/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actor, today = self.actor, timezone.localdate()

        def present(data: dict) -> dict:
            # The body is the same HTML for every request of this key (no CSRF token, no request).
            body = render_to_string(HOME_BODY, {**data, "actor": actor, "today": today})
            return {"home_body": str(body), "risk_open_count": data["risk_open_count"]}

        page = home_page(actor=actor, today=today, present=present, present_version=_home_body_version())
        context["home_body"] = mark_safe(page["home_body"])  # nosec B308 B703 - our own template's output
        # The navigation's badge from the same data (over the context processor's query).
        context["risk_open_count"] = page["risk_open_count"]
        return context
