from django.core.exceptions import PermissionDenied

from outstaff.views import CSV_CHUNK, FilteredListView

from . import selectors
from .forms import AuditFilterForm


def _changes(row) -> str:
    return "; ".join(
        f"{field}: {change['new']}" if row["event"] == "created" else f"{field}: {change['old']} → {change['new']}"
        for field, change in row["changes"].items()
    )


class AuditLogView(FilteredListView):
    """Every audited change the organization may see, newest first, filtered by resource, who and
    date, sorted by its headers, exported as CSV; for client and provider admins."""

    template_name = "audit/log.html"
    context_object_name = "rows"
    sort_options = selectors.AUDIT_SORTS
    csv_filename = "audit-log"
    csv_columns = [
        ("When", lambda row: row["at"].isoformat(timespec="seconds")),
        (
            "Who",
            lambda row: (
                row["actor"]["name"] if row["actor"]["kind"] != "api_key" else f"API key {row['actor']['name']}"
            ),
        ),
        ("Channel", lambda row: row["channel"]),
        ("Resource", lambda row: row["resource_label"]),
        ("Event", lambda row: row["event"]),
        ("Object", lambda row: row["object_id"]),
        ("Change", _changes),
        ("Request", lambda row: f"{row['request']['method']} {row['request']['url']}".strip()),
        ("Request id", lambda row: row["request"]["request_id"]),
    ]

    def dispatch(self, request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if request.user.is_authenticated and actor and not selectors.audit_log_allowed(actor=actor):
            raise PermissionDenied("Only client and provider admins read the audit log.")
        return super().dispatch(request, *args, **kwargs)

    def get_filterset(self):
        """The filter form (the log has no API list: its FilterSet is this form over the union)."""
        people = selectors.audit_actor_choices(actor=self.actor)
        return AuditFilterForm(
            self.request.GET or None, resources=selectors.audit_resource_choices(actor=self.actor), **people
        )

    def filtered_queryset(self, form):
        filters = selectors.AuditFilters()
        if form.is_bound and form.is_valid():
            kind, _, who_id = form.cleaned_data["who"].partition(":")
            filters = selectors.AuditFilters(
                resource=form.cleaned_data["resource"],
                user_id=who_id if kind == "user" else "",
                api_key_id=who_id if kind == "key" else "",
                since=form.cleaned_data["since"],
                until=form.cleaned_data["until"],
            )
        key, descending = self.current_sort()
        return selectors.audit_log_entries(
            actor=self.actor, filters=filters, sort=self.sort_options.get(key, ()), descending=descending
        )

    def page_rows(self, object_list):
        return selectors.audit_log_rows(actor=self.actor, entries=object_list)

    def csv_rows(self, queryset):
        return selectors.audit_log_stream(actor=self.actor, entries=queryset, chunk=CSV_CHUNK)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = context["filterset"]
        return context
