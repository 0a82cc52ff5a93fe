from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from rest_framework import exceptions, pagination


class InvalidCursor(exceptions.ValidationError):
    """One answer for every bad cursor: a 400 naming the parameter. (DRF answers a garbage cursor
    with 404 and a well-formed one with a bad position with the database's own message.)"""

    def __init__(self):
        super().__init__({"cursor": "Invalid cursor: pass back a `next` or `previous` link unchanged."})


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

    def paginate_queryset(self, queryset, request, view=None):
        cursor_given = request.query_params.get(self.cursor_query_param) is not None
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, TypeError, OverflowError, DataError) as error:
            # The cursor's position is compared with the ordering column: a forged position that
            # is not a timestamp fails there.
            if cursor_given:
                raise InvalidCursor() from error
            raise
