"""The provider workspace pages. Views stay thin: selectors to read, services to write, and every
write through a page is audited as channel "page"."""

import pghistory
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from accounts.choices import Scope
from outstaff.pagecache import CachedBodyListMixin, PageBody
from outstaff.preview_views import PreviewedServiceFormView
from outstaff.views import ActorRequiredMixin, FilteredListView, GroupedRows

from . import csv_import, csv_import_dispatch, selectors, services
from .choices import CsvImportKind, CsvImportStatus, PayrollEntryStatus
from .compliance_requirements import COUNTRY_REQUIREMENTS, DEFAULT_REQUIREMENTS, requirements_for
from .filters import (
    ComplianceItemFilterSet,
    CsvImportFilterSet,
    PayrollEntryFilterSet,
    PayrollRunFilterSet,
    WorkforceFilterSet,
)
from .forms import (
    ComplianceItemCreateForm,
    ComplianceItemForm,
    ContractForm,
    CsvUploadForm,
    PayrollBulkStatusForm,
    PayrollEntryForm,
    PayrollRunForm,
    add_service_errors,
)
from .models import CsvImport

IMPORT_FAMILY = {CsvImportKind.PAYROLL_ENTRIES: Scope.PAYROLL, CsvImportKind.COMPLIANCE_ITEMS: Scope.COMPLIANCE}


class ProviderRequiredMixin(ActorRequiredMixin):
    """Provider pages exist only for provider organizations; anyone else gets a 404 that says so."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.actor and not request.actor.is_provider:
            raise Http404(
                f"This is the provider workspace (payroll and compliance), and {request.actor.organization.name} "
                "is a client. Your workers, teams and screenings are one click away below."
            )
        if request.method == "POST":
            pghistory.context(channel="page")
        return super().dispatch(request, *args, **kwargs)


def _get_or_404(queryset, **lookup):
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValidationError) as error:
        raise Http404("Not found.") from error


# The provider home below its navigation, and what it includes: cached as HTML when unfiltered.
HOME_BODY = PageBody(
    "providers.home_body",
    "providers/_home_body.html",
    "providers/_nav.html",
    "includes/pagination.html",
    "includes/csv_link.html",
)
_HOME_SORTS = frozenset({"", "name", "-name", "status", "-status", "payroll", "-payroll", "compliance", "-compliance"})


class ProviderHomeView(ProviderRequiredMixin, CachedBodyListMixin, FilteredListView):
    """Workers the provider employs, grouped by client and country, with the latest payroll
    status and how complete their compliance is."""

    template_name = "providers/home.html"
    filterset_class = WorkforceFilterSet
    selector = selectors.workforce_list
    context_object_name = "workers"
    # The page groups by client and country, so every sort keeps those first.
    sort_options = {
        "name": ("client__name", "country", "last_name", "first_name"),
        "status": ("client__name", "country", "status"),
        "payroll": ("client__name", "country", "payroll_status"),
        "compliance": ("client__name", "country", "compliance_verified"),
    }
    csv_filename = "workforce"
    csv_columns = [
        ("Worker", "full_name"),
        ("External id", "external_id"),
        ("Client", "client.name"),
        ("Country", "country"),
        ("Status", lambda w: w.get_status_display()),
        ("Latest payroll", lambda w: PayrollEntryStatus(w.payroll_status).label if w.payroll_status else ""),
        ("Latest payroll period", "payroll_period_start"),
        ("Required compliance verified", "compliance_verified"),
        ("Required compliance items", "compliance_required"),
    ]

    # Within one (client, country) group, each sort's remaining keys: the groups are paged from
    # their sizes (outstaff.views.GroupedRows), so no request sorts every worker by client name.
    order_within = {
        "name": ("last_name", "first_name"),
        "status": ("status",),
        "payroll": ("payroll_status",),
        "compliance": ("compliance_verified",),
    }

    clients = None

    # Unfiltered (at most a sort and a page in the query string), the part of the page below the
    # navigation is HTML cached under the data versions of the provider and of its workers' clients
    # (their names): every table it reads (workers, payroll entries and runs, compliance items, the
    # clients' organizations) bumps one of them on every committed write; the key also holds the
    # query string, today, the time zone and a digest of the body's templates (outstaff.pagecache).
    page_body = HOME_BODY
    body_context_name = "home_body"
    body_sorts = _HOME_SORTS

    def body_tenant_ids(self) -> list:
        self.clients = selectors.workforce_clients(actor=self.actor)
        return [self.actor.organization.id, *(client_id for client_id, _ in self.clients)]

    def paginated_queryset(self, queryset):
        key, descending = self.current_sort()
        within = self.order_within[key or "name"]
        if self.clients is None:  # get() read them for the body's cache key
            self.clients = selectors.workforce_clients(actor=self.actor)
        # Unfiltered (no filter in the query string), the list is the provider's whole workforce.
        unfiltered = not (self.request.GET.keys() - {"sort", "page"})
        groups, self.group_totals = selectors.workforce_groups(
            workers=queryset,
            clients=self.clients,
            descending=descending,
            whole_workforce_of=self.actor.organization.id if unfiltered else None,
        )
        # The list's own tie-breaker: the selector's "id" unsorted, FilteredListView's "pk" when sorted.
        order = (*(f"-{field}" if descending else field for field in within), "id" if not key else "pk")
        return GroupedRows(queryset, groups=groups, order_within=order)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        summaries = selectors.compliance_states(workers=context["workers"])
        totals = self.group_totals
        for worker in context["workers"]:
            worker.compliance = summaries[worker.id]
            worker.group_total = totals.get((worker.client_id, worker.country), 0)
            worker.payroll_status_label = (
                PayrollEntryStatus(worker.payroll_status).label if worker.payroll_status else ""
            )
        context["expiring_count"], context["failed_count"] = selectors.provider_home_counts(actor=self.actor)
        context["clients"] = self.clients
        return context


class PayrollRunListView(ProviderRequiredMixin, FilteredListView):
    template_name = "providers/payroll_run_list.html"
    filterset_class = PayrollRunFilterSet
    selector = selectors.payroll_run_list_with_counts
    context_object_name = "runs"
    write_family = Scope.PAYROLL
    sort_options = {
        "period": ("period_start",),
        "country": ("country",),
        "pay_date": ("pay_date",),
        "status": ("status",),
        "entries": ("entry_count",),
        "failed": ("failed_count",),
    }
    csv_filename = "payroll-runs"
    csv_columns = [
        ("Period start", "period_start"),
        ("Period end", "period_end"),
        ("Country", "country"),
        ("Pay date", "pay_date"),
        ("Status", lambda r: r.get_status_display()),
        ("Entries", "entry_count"),
        ("Paid", "paid_count"),
        ("Failed", "failed_count"),
        ("On hold", "on_hold_count"),
        ("External id", "external_id"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        runs = list(context["runs"])
        totals = selectors.payroll_run_totals(runs=runs)
        for run in runs:
            run.totals = totals.get(run.id, [])
        context["runs"] = runs
        context.setdefault("form", PayrollRunForm())
        context["can_edit"] = self.actor.can_write(Scope.PAYROLL)
        return context

    def post(self, request, *args, **kwargs):
        form = PayrollRunForm(request.POST)
        if form.is_valid():
            try:
                run = services.payroll_run_create(actor=self.actor, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Payroll run created with {run.entries.count()} entries.")
                return redirect("providers:run", run_id=run.id)
        return self.render_to_response(self.get_context_data(form=form))


class PayrollRunDetailView(ProviderRequiredMixin, FilteredListView):
    """A run's entries, with a bulk status change for the selected ones."""

    template_name = "providers/payroll_run_detail.html"
    filterset_class = PayrollEntryFilterSet
    context_object_name = "entries"
    csv_filename = "payroll-entries"
    csv_columns = [
        ("Worker", "worker.full_name"),
        ("Worker external id", "worker.external_id"),
        ("Period start", "run.period_start"),
        ("Status", lambda e: e.get_status_display()),
        ("Failure reason", "failure_reason"),
        ("Paid at", lambda e: e.paid_at.isoformat(timespec="minutes") if e.paid_at else ""),
        ("Gross amount", "gross_amount"),
        ("Currency", "currency"),
        ("External id", "external_id"),
    ]
    sort_options = {
        "worker": ("worker__last_name", "worker__first_name"),
        "status": ("status",),
        "paid_at": ("paid_at",),
        "amount": ("gross_amount",),
    }
    write_family = Scope.PAYROLL

    def get_queryset(self):
        return (
            selectors.payroll_entry_list(actor=self.actor)
            .filter(run_id=self.run.id)
            .order_by("worker__last_name", "worker__first_name", "id")
        )

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.actor:
            self.run = _get_or_404(selectors.payroll_run_list_with_counts(actor=request.actor), id=kwargs["run_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["run"] = self.run
        context["totals"] = selectors.payroll_run_totals(runs=[self.run]).get(self.run.id, [])
        context["can_edit"] = self.actor.can_write(Scope.PAYROLL)
        context.setdefault("bulk_form", PayrollBulkStatusForm())
        # After a refused change the selection and the chosen status are kept on the page.
        bound = context["bulk_form"].is_bound
        context["selected"] = set(context["bulk_form"].data.getlist("entries")) if bound else set()
        context["chosen_status"] = context["bulk_form"].data.get("status") if bound else None
        # The usual moves first: a payroll officer mostly marks entries paid, failed or on hold.
        order = ("paid", "failed", "on_hold", "processing", "scheduled")
        context["statuses"] = [(value, PayrollEntryStatus(value).label) for value in order]
        return context

    def post(self, request, *args, **kwargs):
        entry_ids = list(self.get_queryset().values_list("id", flat=True))
        form = PayrollBulkStatusForm(request.POST, entry_ids=entry_ids)
        if form.is_valid():
            try:
                changed = services.payroll_entries_set_status(
                    actor=self.actor,
                    entry_ids=form.cleaned_data["entries"],
                    status=form.cleaned_data["status"],
                    failure_reason=form.cleaned_data["failure_reason"],
                    reason=form.cleaned_data["reason"],
                    expected_versions=form.cleaned_data["versions"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                label = PayrollEntryStatus(form.cleaned_data["status"]).label.lower()
                messages.success(request, f"{changed} entr{'y' if changed == 1 else 'ies'} marked {label}.")
                return redirect(request.get_full_path())
        messages.error(
            request, "Nothing was changed: " + " ".join(str(e) for errs in form.errors.values() for e in errs)
        )
        return self.render_to_response(self.get_context_data(bulk_form=form))


class PayrollEntryDetailView(ProviderRequiredMixin, TemplateView):
    """One entry: its edit form (with a version check) and its audit history. Clients see their
    workers' payroll on the worker page, not here."""

    template_name = "providers/payroll_entry_detail.html"
    write_family = Scope.PAYROLL

    def get_entry(self):
        return _get_or_404(selectors.payroll_entry_list(actor=self.actor), id=self.kwargs["entry_id"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = kwargs.get("entry") or self.get_entry()
        context["entry"] = entry
        context["history"] = selectors.payroll_entry_history(entry=entry)
        context["can_edit"] = self.actor.can_write(Scope.PAYROLL)
        context.setdefault(
            "form",
            PayrollEntryForm(
                initial={
                    "status": entry.status,
                    "failure_reason": entry.failure_reason,
                    "gross_amount": entry.gross_amount,
                    "currency": entry.currency,
                    "updated_at": entry.updated_at.isoformat(),
                }
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        entry = self.get_entry()
        form = PayrollEntryForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.payroll_entry_update(
                    actor=self.actor, instance=entry, expected_updated_at=data.pop("updated_at"), **data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Payroll entry saved.")
                return redirect("providers:entry", entry_id=entry.id)
        return self.render_to_response(self.get_context_data(entry=entry, form=form))


class ComplianceListView(ProviderRequiredMixin, FilteredListView):
    template_name = "providers/compliance_list.html"
    filterset_class = ComplianceItemFilterSet
    selector = selectors.compliance_item_list
    context_object_name = "items"
    csv_filename = "compliance-items"
    csv_columns = [
        ("Worker", "worker.full_name"),
        ("Worker external id", "worker.external_id"),
        ("Item", lambda i: i.get_kind_display()),
        ("Status", lambda i: i.get_status_display()),
        ("Expires on", "expires_on"),
        ("Days left", lambda i: (i.expires_on - timezone.localdate()).days if i.expires_on else ""),
        ("Evidence reference", "evidence_reference"),
        ("External id", "external_id"),
    ]
    sort_options = {
        "worker": ("worker__last_name", "worker__first_name"),
        "kind": ("kind",),
        "status": ("status",),
        "expires": ("expires_on",),
    }

    def get_queryset(self):
        return super().get_queryset().order_by("worker__last_name", "worker__first_name", "kind", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["expiring"] = list(selectors.compliance_items_expiring(actor=self.actor)[:100])
        context["requirements"] = [*COUNTRY_REQUIREMENTS.values(), DEFAULT_REQUIREMENTS]
        return context


class ComplianceItemDetailView(ProviderRequiredMixin, TemplateView):
    template_name = "providers/compliance_item_detail.html"
    write_family = Scope.COMPLIANCE

    def get_item(self):
        return _get_or_404(selectors.compliance_item_list(actor=self.actor), id=self.kwargs["item_id"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = kwargs.get("item") or self.get_item()
        context["item"] = item
        context["history"] = selectors.compliance_item_history(item=item)
        context["can_edit"] = self.actor.can_write(Scope.COMPLIANCE)
        context["required"] = item.kind in requirements_for(item.worker.country).kinds
        context.setdefault(
            "form",
            ComplianceItemForm(
                initial={
                    "status": item.status,
                    "expires_on": item.expires_on,
                    "evidence_reference": item.evidence_reference,
                    "notes": item.notes,
                    "updated_at": item.updated_at.isoformat(),
                }
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        item = self.get_item()
        form = ComplianceItemForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.compliance_item_update(
                    actor=self.actor, instance=item, expected_updated_at=data.pop("updated_at"), **data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Compliance item saved.")
                return redirect("providers:compliance-item", item_id=item.id)
        return self.render_to_response(self.get_context_data(item=item, form=form))


class ComplianceItemCreateView(ProviderRequiredMixin, TemplateView):
    """Record an item for one of the provider's workers (e.g. a required kind still missing)."""

    template_name = "providers/compliance_item_new.html"
    write_family = Scope.COMPLIANCE

    def get_worker(self):
        return _get_or_404(selectors.employed_worker_list(actor=self.actor), id=self.kwargs["worker_id"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        worker = kwargs.get("worker") or self.get_worker()
        context["worker"] = worker
        context.setdefault("form", ComplianceItemCreateForm(initial={"kind": self.request.GET.get("kind")}))
        return context

    def post(self, request, *args, **kwargs):
        worker = self.get_worker()
        form = ComplianceItemCreateForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("updated_at", None)
            try:
                item = services.compliance_item_create(actor=self.actor, worker=worker, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Compliance item recorded.")
                return redirect("providers:compliance-item", item_id=item.id)
        return self.render_to_response(self.get_context_data(worker=worker, form=form))


class CsvImportListView(ProviderRequiredMixin, FilteredListView):
    template_name = "providers/import_list.html"
    filterset_class = CsvImportFilterSet
    context_object_name = "imports"
    sort_options = {
        "file": ("file_name",),
        "kind": ("kind",),
        "status": ("status",),
        "rows": ("total_rows",),
        "errors": ("error_rows",),
        "uploaded": ("created_at",),
    }
    csv_filename = "csv-imports"
    csv_columns = [
        ("File", "file_name"),
        ("Kind", lambda j: j.get_kind_display()),
        ("Status", lambda j: j.get_status_display()),
        ("Rows", "total_rows"),
        ("Rows with errors", "error_rows"),
        ("Rows applied", "applied_rows"),
        ("Uploaded", lambda j: j.created_at.isoformat(timespec="minutes")),
    ]

    def get_queryset(self):
        return selectors.csv_import_list(actor=self.actor).order_by("-created_at", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", CsvUploadForm())
        context["examples"] = csv_import.EXAMPLES
        context["kinds"], context["statuses"] = CsvImportKind.choices, CsvImportStatus.choices
        context["columns"] = {CsvImportKind(k).label: v for k, v in csv_import.TEMPLATE_COLUMNS.items()}
        return context

    def post(self, request, *args, **kwargs):
        form = CsvUploadForm(request.POST, request.FILES)
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            if not self.actor.can_write(IMPORT_FAMILY[kind]):
                raise PermissionDenied("Your role cannot change this.")
            try:
                job = csv_import.csv_import_create(
                    actor=self.actor,
                    kind=kind,
                    file_name=form.cleaned_data["file"].name,
                    content=form.cleaned_data["content"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                csv_import_dispatch.csv_import_start_check(job=job)
                return redirect("providers:import", import_id=job.id)
        return self.render_to_response(self.get_context_data(form=form))


REPORT_PAGE_SIZE = 200


class CsvImportDetailView(ProviderRequiredMixin, TemplateView):
    """The dry run report (row by row), the progress of a large file, and the apply buttons."""

    template_name = "providers/import_detail.html"

    def get_job(self) -> CsvImport:
        try:
            return selectors.csv_import_get(actor=self.actor, import_id=self.kwargs["import_id"])
        except CsvImport.DoesNotExist as error:
            raise Http404("No such import.") from error

    def get_template_names(self):
        if self.request.htmx and self.request.GET.get("progress"):
            return ["providers/_import_progress.html"]
        return [self.template_name]

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if request.htmx and request.GET.get("progress") and not response.context_data.get("busy", True):
            # Done: htmx reloads the whole page, which then shows the report.
            response["HX-Refresh"] = "true"
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.get_job()
        rows = job.report or []
        show = self.request.GET.get("show", "errors" if job.error_rows else "changes")
        if show == "errors":
            rows = [r for r in rows if r["action"] == "error"]
        elif show == "changes":
            rows = [r for r in rows if r["action"] in ("create", "update")]
        page = Paginator(rows, REPORT_PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            job=job,
            page=page,
            rows=page.object_list,
            show=show,
            querystring=f"show={show}",
            busy=job.status in (CsvImportStatus.UPLOADED, CsvImportStatus.CHECKING, CsvImportStatus.APPLYING),
            can_apply=job.status == CsvImportStatus.CHECKED and self.actor.can_write(IMPORT_FAMILY[job.kind]),
        )
        return context

    def post(self, request, *args, **kwargs):
        job = self.get_job()
        if not self.actor.can_write(IMPORT_FAMILY[job.kind]):
            raise PermissionDenied("Your role cannot change this.")
        good_rows_only = request.POST.get("mode") == "good_rows_only"
        try:
            job = csv_import_dispatch.csv_import_start_apply(actor=self.actor, job=job, good_rows_only=good_rows_only)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if job.status == CsvImportStatus.APPLIED:
                messages.success(request, f"Applied: {job.applied_rows} row(s) written from {job.file_name}.")
        return redirect(reverse("providers:import", kwargs={"import_id": job.id}))


@login_required
def csv_template_view(request, kind: str):
    """A CSV template with the known columns and an example row."""
    if kind not in csv_import.EXAMPLES:
        raise Http404("No such template.")
    response = HttpResponse(csv_import.EXAMPLES[kind], content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
    return response


class ContractEditView(ProviderRequiredMixin, PreviewedServiceFormView):
    """Change an employment contract of one of the provider's workers. Warn before saving: the
    change is previewed by the risk rules first, and a change that raises flags saves only when
    confirmed."""

    template_name = "providers/contract_form.html"
    form_class = ContractForm
    write_family = Scope.CONTRACTS
    success_message = "Contract saved."

    def get_contract(self):
        if not hasattr(self, "_contract"):
            self._contract = _get_or_404(selectors.contract_list(actor=self.actor), id=self.kwargs["contract_id"])
        return self._contract

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "legal_entities": selectors.legal_entity_list(actor=self.actor)}

    def get_initial(self):
        contract = self.get_contract()
        return {name: getattr(contract, name) for name in ContractForm.base_fields}

    def get_context_data(self, **kwargs):
        contract = self.get_contract()
        return {**super().get_context_data(**kwargs), "contract": contract, "worker": contract.worker}

    def call_service(self, data):
        return services.contract_update(actor=self.actor, instance=self.get_contract(), **data)

    def success_url_for(self, contract):
        return reverse("workers:detail", args=[contract.worker_id])
