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


class GroupedRows:
    """The rows of a list ordered by group first (a provider's workers by client, then country), paged
    without sorting every row: the groups come in the list's order with their sizes (one query that
    an index answers), so a page's rows are the slices of the few groups it overlaps, each read in
    the within-group order an index serves, then the page's rows themselves in the list's full order
    (one query, sorting at most a page). A Paginator takes it as its object list; `count()` is the
    sum of the groups' sizes (no COUNT query of its own).

    `groups` are (lookups, size) pairs in the list's order (lookups: a dict for `filter()`, built into
    a condition only for the groups a page overlaps); `order_within` the ORDER BY of the
    rows inside one group (the list's ordering without its group keys). The query count is the same
    whatever the number of groups a page spans: the slices are one UNION ALL subquery."""

    def __init__(self, queryset, *, groups: list[tuple], order_within: tuple[str, ...]):
        self.queryset = queryset
        self.groups = groups
        self.order_within = order_within
        self.total = sum(size for _, size in groups)

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, self.total if index.stop is None else min(index.stop, self.total)
        slices, offset = [], 0
        for lookups, size in self.groups:
            low, high = max(start - offset, 0), min(stop - offset, size)
            if low < high:
                group_rows = self.queryset.filter(**lookups).order_by(*self.order_within)
                slices.append(group_rows.values("pk")[low:high])
            offset += size
            if offset >= stop:
                break
        if not slices:
            return []
        ids = slices[0].union(*slices[1:], all=True) if len(slices) > 1 else slices[0]
        return list(self.queryset.filter(pk__in=ids))


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
        # Without valid filters, the queryset the FilterSet was given (the selector runs once a request).
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
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
