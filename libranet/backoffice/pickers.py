"""The pickers' searches: what a back-office field offers while the person types (centers,
institutions, regions, countries), each limited to what the permission module lets this user
reach, 20 at a time, as JSON for Tom Select (``libranet/static/js/pickers.js``).

Without JavaScript the same fields stay plain selects or code inputs (see ``forms.Picker``).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import JsonResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from libranet.network.models import Center, Country, Institution, Region
from libranet.network.permissions import Capability, centers_for, regions_for
from libranet.network.services import normalize_search

from .access import requires

LIMIT = 20
QUERY_MAX = 100


def _english() -> bool:
    return (get_language() or "ru").startswith("en")


def _words(q: str) -> list[str]:
    return normalize_search(q[:QUERY_MAX]).split()[:8]


def picker_centers(*, user: Any, q: str, kind: str = "") -> list[Center]:
    """The centers the back office shows ``user`` whose code, name, institution or address
    holds every word of ``q`` (in either language: the search column keeps both)."""
    queryset = centers_for(user, Capability.EDIT_CENTER_CONTACTS)
    if kind in Center.Kind.values:
        queryset = queryset.filter(kind=kind)
    for word in _words(q):
        queryset = queryset.filter(search_text__contains=word)
    return list(queryset.order_by("kind_rank", "code")[:LIMIT])


def _named(queryset: QuerySet, q: str) -> list[Any]:
    """Rows of a small reference table whose name in the active language (or code) holds every
    word of ``q``. Filtered here: SQLite's LIKE folds ASCII only, and these tables are small."""
    words = _words(q)
    field = "name_en" if _english() else "name_ru"
    found = []
    for obj in queryset.order_by(field, "pk"):
        text = normalize_search(f"{obj.name} {getattr(obj, 'code', '')}")
        if all(word in text for word in words):
            found.append(obj)
            if len(found) == LIMIT:
                break
    return found


def picker_institutions(*, q: str) -> list[Institution]:
    return _named(Institution.objects.all(), q)


def picker_regions(*, user: Any, q: str) -> list[Region]:
    return _named(regions_for(user), q)


def picker_countries(*, q: str) -> list[Country]:
    return _named(Country.objects.all(), q)


def center_label(center: Center) -> str:
    return f"{center.name} ({center.code})"


def _json(rows: list[tuple[Any, str]]) -> JsonResponse:
    return JsonResponse({"results": [{"value": value, "text": text} for value, text in rows]})


@require_safe
@requires(Capability.VIEW_BACKOFFICE)
def centers_json(request):
    found = picker_centers(
        user=request.user, q=request.GET.get("q", ""), kind=request.GET.get("kind", "")
    )
    # A center is picked by its code (what the staff and SUSHI forms take) or by its key.
    by_key = request.GET.get("value") == "pk"
    return _json([(c.pk if by_key else c.code, center_label(c)) for c in found])


@require_safe
@requires(Capability.EDIT_CENTER)
def institutions_json(request):
    return _json([(i.pk, i.name) for i in picker_institutions(q=request.GET.get("q", ""))])


@require_safe
@requires(Capability.VIEW_BACKOFFICE)
def regions_json(request):
    found = picker_regions(user=request.user, q=request.GET.get("q", ""))
    return _json([(r.pk, f"{r.name} ({r.code})") for r in found])


@require_safe
@requires(Capability.EDIT_CENTER)
def countries_json(request):
    found = picker_countries(q=request.GET.get("q", ""))
    return _json([(c.pk, f"{c.name} ({c.code})") for c in found])
