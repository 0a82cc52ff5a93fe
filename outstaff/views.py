"""Page plumbing shared by every app's views; it knows nothing of the domain."""

import csv
from collections.abc import Callable, Iterator
from decimal import Decimal
from operator import attrgetter

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from django.views.generic import TemplateView

PAGE_SIZE = 50


class ActorRequiredMixin(LoginRequiredMixin):
    """A logged-in user with a membership; `self.actor` is who acts (see accounts.middleware).
    `write_family`, when set, is the family the user's role must be allowed to write."""

    write_family: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        actor = request.actor
        if not actor:
            raise Http404("You are not a member of any organization.")
        self.actor = actor
        if (
            self.write_family
            and request.method not in ("GET", "HEAD", "OPTIONS")
            and not actor.can_write(self.write_family)
        ):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("Your role cannot change this.")
        return super().dispatch(request, *args, **kwargs)


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection, OWASP): such a
# cell is written with a leading apostrophe, which spreadsheets show as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_CHUNK = 2000


def csv_safe(value) -> str:
    if isinstance(value, int | float | Decimal):
        return str(value)  # a number a spreadsheet reads as a number ("-3 days left"), never a formula
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    """csv.writer writes each row here and gets the line back, so rows stream one by one."""

    def write(self, value: str) -> str:
        return value


def csv_stream(rows, columns: list[tuple[str, Callable]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([header for header, _ in columns])
    for row in rows:
        yield writer.writerow([csv_safe(value(row)) for _, value in columns])


class FilteredListView(ActorRequiredMixin, TemplateView):
    """A page listing a selector's rows through the same FilterSet the API uses, paginated so the
    number of queries does not depend on the number of rows.

    With `csv_columns` — (header, "dotted.attribute" or callable) pairs — `?format=csv` streams every
    filtered row (not only one page) as a CSV download, in chunks, formula-injection-safe."""

    filterset_class = None
    selector = None
    context_object_name = "rows"
    csv_columns: list[tuple[str, str | Callable]] = []
    csv_filename = "export"
    # `?sort=<key>` (or `-<key>` for descending) orders by these fields; headers link to them with
    # `{% sort_header "key" "Label" %}` from outstaff's `lists` template tags.
    sort_options: dict[str, tuple[str, ...]] = {}

    def get_queryset(self):
        return type(self).selector(actor=self.actor)

    def get_filterset(self):
        return self.filterset_class(self.request.GET or None, queryset=self.get_queryset())

    def filtered_queryset(self, filterset):
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else self.get_queryset()
        key, descending = self.current_sort()
        if key:
            fields = self.sort_options[key]
            queryset = queryset.order_by(*(f"-{field}" if descending else field for field in fields), "pk")
        return queryset

    def paginated_queryset(self, queryset):
        """The part of the filtered rows the page shows page by page (a board may lay the rest out
        otherwise); the CSV always has every filtered row."""
        return queryset

    def page_rows(self, object_list):
        """What the page lists for one page of the filtered rows (by default the rows themselves)."""
        return object_list

    def csv_rows(self, queryset):
        """Every filtered row for the CSV, fetched in chunks."""
        return queryset.iterator(chunk_size=CSV_CHUNK)

    def current_sort(self) -> tuple[str, bool]:
        """The requested sort key and direction, or ("", False) when none or an unknown one."""
        wanted = self.request.GET.get("sort", "")
        key = wanted.removeprefix("-")
        return (key, wanted.startswith("-")) if key in self.sort_options else ("", False)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv" and self.csv_columns:
            return self.csv_response()
        return super().get(request, *args, **kwargs)

    def csv_response(self) -> StreamingHttpResponse:
        columns = [
            (header, attrgetter(value) if isinstance(value, str) else value) for header, value in self.csv_columns
        ]
        rows = self.csv_rows(self.filtered_queryset(self.get_filterset()))
        response = StreamingHttpResponse(csv_stream(rows, columns), content_type="text/csv; charset=utf-8")
        filename = f"{self.csv_filename}-{timezone.localdate().isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.get_filterset()
        queryset = self.paginated_queryset(self.filtered_queryset(filterset))
        page = Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        csv_query = query.copy()
        csv_query["format"] = "csv"
        context.update(
            filterset=filterset,
            page=page,
            querystring=query.urlencode(),
            csv_url="?" + csv_query.urlencode() if self.csv_columns else "",
            sort=self.current_sort(),
        )
        context[self.context_object_name] = self.page_rows(page.object_list)
        return context
