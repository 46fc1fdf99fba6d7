"""The page shell's tags: the menu's current section and the pagination's window."""

import pytest
from django.core.paginator import Paginator
from django.template import Context, Template

from libranet.public.templatetags.site_nav import current_section, page_window


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/ru/office/", "/ru/office/"),
        ("/ru/office/centers/", "/ru/office/centers/"),
        ("/ru/office/centers/RU-TVE-RC/edit/", "/ru/office/centers/"),
        ("/ru/office/centers/import/", "/ru/office/centers/import/"),  # the deepest entry
        ("/ru/office/imports/3/", "/ru/office/"),
        ("/ru/centers/", ""),
    ],
)
def test_current_section_is_the_deepest_entry_above_the_page(path, current):
    urls = ("/ru/office/", "/ru/office/centers/", "/ru/office/centers/import/")
    assert current_section(path, *urls) == current


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        (1, [1, 2, 3, None, 20]),
        (10, [1, None, 8, 9, 10, 11, 12, None, 20]),
        (20, [1, None, 18, 19, 20]),
    ],
)
def test_page_window_keeps_first_last_and_neighbours(number, shown):
    page = Paginator(range(200), 10).page(number)
    window = page_window(page)
    assert [n for n, _far in window] == shown
    # A phone shows the current page and its direct neighbours; the rest is "far".
    assert [n for n, far in window if n and not far] == [
        n for n in (number - 1, number, number + 1) if 1 <= n <= 20
    ]


def test_pagination_keeps_the_query_and_marks_the_current_page():
    page = Paginator(range(200), 10).page(4)
    html = Template('{% include "public/_pagination.html" %}').render(
        Context({"page": page, "query": "kind=remote&q=tver"})
    )
    assert 'href="?kind=remote&amp;q=tver&amp;page=3" rel="prev"' in html
    assert 'href="?kind=remote&amp;q=tver&amp;page=20"' in html
    assert '<span aria-current="page">' in html and "page 4 of 20" in html
