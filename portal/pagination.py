"""A paginator told its number of objects, for lists whose count is already known (the worklist's tab counts,
the reviewer queue's counts): Django's Paginator would count the list a second time."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CountedPaginator(Paginator):
    """``Paginator`` with ``count`` given. ``object_list`` is only sliced (``[bottom:top]``) for the page asked
    for, so it may be any sliceable: a queryset, or an object that reads one page's ids on demand."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = max(int(count), 0)

    @cached_property
    def count(self) -> int:
        return self._known_count
