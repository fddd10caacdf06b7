"""One way to sort and paginate every django-tables2 table, safe against odd query strings."""

from django.core.paginator import EmptyPage
from django_tables2 import RequestConfig
from django_tables2.data import TableQuerysetData

PER_PAGE_CHOICES = (25, 50, 100)


class CappedCount(TableQuerysetData):
    """Table data that counts at most `cap` rows, for lists over millions of rows (spend
    payments): the paginator's COUNT(*) stops at cap + 1 rows instead of reading them all, and
    pages end at the cap. `capped` says whether more rows match; export gives every one."""

    cap = 10_000

    def __len__(self):
        if getattr(self, "_length", None) is None:
            self._length = self.data.order_by()[: self.cap + 1].count()
        return min(self._length, self.cap)

    @property
    def capped(self) -> bool:
        len(self)
        return self._length > self.cap


def page_size(request, default: int = 25) -> int:
    """The requested page size if it is one we offer, else the default."""
    try:
        size = int(request.GET.get("per_page", default))
    except (TypeError, ValueError):
        return default
    return size if size in PER_PAGE_CHOICES else default


def configure_table(request, table, *, per_page: int = 25):
    """Apply ?sort= (unknown columns are ignored by django-tables2) and a bounded ?per_page=.

    A page number that is not a number shows page 1; a page past the end shows the last page.
    """
    RequestConfig(request, paginate=False).configure(table)
    size = page_size(request, per_page)
    page = _page_number(request.GET.get(table.prefixed_page_field, "1"))
    try:
        table.paginate(page=page, per_page=size)
    except EmptyPage:
        table.paginate(page=table.paginator.num_pages, per_page=size)
    return table


def _page_number(raw: str) -> int:
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)
