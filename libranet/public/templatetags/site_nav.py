"""Tags of the page shell: which menu entry the page belongs to, and the pagination's window."""

from django import template
from django.core.paginator import Page

register = template.Library()


@register.simple_tag
def current_section(path: str, *urls: str) -> str:
    """Of the menu's ``urls``, the one the page at ``path`` belongs to (its own page or the
    deepest one above it), for the menu's aria-current; "" when none."""
    above = [url for url in urls if path == url or (url.endswith("/") and path.startswith(url))]
    return max(above, key=len, default="")


@register.filter
def page_window(page: Page) -> list[tuple[int | None, bool]]:
    """The page numbers the pagination shows: the first, the last and two on each side of the
    current one, ``None`` for a gap. Each comes with whether it is far from the current page
    (a phone shows only the near ones)."""
    paginator = page.paginator
    numbers = paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return [
        (None, False) if number == paginator.ELLIPSIS else (number, abs(number - page.number) > 1)
        for number in numbers
    ]
