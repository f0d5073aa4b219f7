from rest_framework.pagination import PageNumberPagination


class PagePagination(PageNumberPagination):
    """``?page=N&page_size=M`` (M ≤ 200) → {count, next, previous, results} (SPEC §3)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
