from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Cursor pagination (stable under concurrent inserts, cheap at any depth). `page_size` defaults
    to 50, at most 500. Ordered by creation time then id, so the order is total."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = ("-created_at", "-id")
