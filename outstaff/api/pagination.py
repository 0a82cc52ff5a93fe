from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from rest_framework import exceptions, pagination
from rest_framework.pagination import _reverse_ordering


class InvalidCursor(exceptions.ValidationError):
    """One answer for every bad cursor: a 400 naming the parameter. (DRF answers a garbage cursor
    with 404 and a well-formed one with a bad position with the database's own message.)"""

    def __init__(self):
        super().__init__({"cursor": "Invalid cursor: pass back a `next` or `previous` link unchanged."})


# What a forged cursor position raises where it is compared with the ordering column (not a
# timestamp, out of range): the request's cursor is then invalid.
_POSITION_ERRORS = (DjangoValidationError, ValueError, TypeError, OverflowError, DataError)


class CursorPagination(pagination.CursorPagination):
    """Cursor pagination (stable under concurrent inserts, cheap at any depth). `page_size` defaults
    to 50, at most 500. Ordered by creation time then id, so the order is total."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = ("-created_at", "-id")

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value in (None, ""):
            return self.page_size
        if not (value.isascii() and value.isdigit()) or int(value) < 1:
            raise exceptions.ValidationError({self.page_size_query_param: "Give a whole number of at least 1."})
        return min(int(value), self.max_page_size)  # more is capped

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = (
                    f"Rows per page (default {self.page_size}, at most {self.max_page_size}; more is capped)."
                )
        return parameters

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as error:
            raise InvalidCursor() from error
        except (UnicodeError, ValueError) as error:  # e.g. non-ASCII after base64 decoding
            raise InvalidCursor() from error

    lean_position_index: int | None = None

    def _get_position_from_instance(self, instance, ordering):
        if self.lean_position_index is not None and type(instance) is tuple:
            attr = instance[self.lean_position_index]
            return str(attr)
        return super()._get_position_from_instance(instance, ordering)

    def paginate_rows(self, request, view, fetch):
        """DRF's `paginate_queryset` (the same cursor, positions and links) over rows that
        `fetch(ordering=..., position_filter=..., position=..., offset=..., limit=...)` reads for the
        page: the ordering the cursor's direction asks for, the `<column>__lt`/`__gt` filter its
        position asks for, the offset and page size + 1. `fetch` returns None when it cannot serve
        the page (the caller then paginates its queryset). Rows are tuples; `fetch` sets
        `lean_position_index`, where the ordering's first column is in them."""
        self.lean_position_index = None
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, None, view)
        self.cursor = self.decode_cursor(request)
        offset, reverse, current_position = (0, False, None) if self.cursor is None else self.cursor
        ordering = tuple(_reverse_ordering(self.ordering)) if reverse else tuple(self.ordering)
        position_filter = None
        if current_position is not None:
            order = self.ordering[0]
            is_reversed = order.startswith("-")
            # (cursor reversed) XOR (queryset reversed), as DRF has it
            position_filter = order.lstrip("-") + ("__lt" if self.cursor.reverse != is_reversed else "__gt")
        try:
            results = fetch(
                ordering=ordering,
                position_filter=position_filter,
                position=current_position,
                offset=offset,
                limit=self.page_size + 1,
            )
        except _POSITION_ERRORS as error:
            if self.cursor is not None:
                raise InvalidCursor() from error
            raise
        if results is None:
            return None
        self.page = list(results[: self.page_size])
        if len(results) > len(self.page):
            has_following_position = True
            following_position = self._get_position_from_instance(results[-1], self.ordering)
        else:
            has_following_position = False
            following_position = None
        if reverse:
            self.page = list(reversed(self.page))
            self.has_next = (current_position is not None) or (offset > 0)
            self.has_previous = has_following_position
            if self.has_next:
                self.next_position = current_position
            if self.has_previous:
                self.previous_position = following_position
        else:
            self.has_next = has_following_position
            self.has_previous = (current_position is not None) or (offset > 0)
            if self.has_next:
                self.next_position = following_position
            if self.has_previous:
                self.previous_position = current_position
        if (self.has_previous or self.has_next) and self.template is not None:
            self.display_page_controls = True
        return self.page

    def paginate_queryset(self, queryset, request, view=None):
        self.lean_position_index = None
        cursor_given = request.query_params.get(self.cursor_query_param) is not None
        try:
            return super().paginate_queryset(queryset, request, view)
        except _POSITION_ERRORS as error:
            if cursor_given:
                raise InvalidCursor() from error
            raise
