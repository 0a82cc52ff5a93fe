from django.core.exceptions import PermissionDenied
from django.views.generic import TemplateView

from outstaff.views import ActorRequiredMixin

from . import selectors
from .forms import AuditFilterForm


class AuditLogView(ActorRequiredMixin, TemplateView):
    """Every audited change the organization may see, newest first, filtered by resource, who and
    date; for client and provider admins."""

    template_name = "audit/log.html"

    def dispatch(self, request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if request.user.is_authenticated and actor and not selectors.audit_log_allowed(actor=actor):
            raise PermissionDenied("Only client and provider admins read the audit log.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        people = selectors.audit_actor_choices(actor=self.actor)
        form = AuditFilterForm(
            self.request.GET or None, resources=selectors.audit_resource_choices(actor=self.actor), **people
        )
        filters = selectors.AuditFilters()
        if form.is_bound and form.is_valid():
            who = form.cleaned_data["who"]
            kind, _, who_id = who.partition(":")
            filters = selectors.AuditFilters(
                resource=form.cleaned_data["resource"],
                user_id=who_id if kind == "user" else "",
                api_key_id=who_id if kind == "key" else "",
                since=form.cleaned_data["since"],
                until=form.cleaned_data["until"],
            )
        page, rows = selectors.audit_log_page(
            actor=self.actor, filters=filters, page_number=self.request.GET.get("page")
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(form=form, page=page, rows=rows, querystring=query.urlencode())
        return context
