"""The public site: home with the live summary, the directory, a center's page, the map."""

import hashlib
import re
from functools import wraps

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import etag, require_safe

from libranet.network.cache import cache_state, cached, registry_version
from libranet.network.models import Center
from libranet.network.selectors import (
    CenterFilters,
    center_facets,
    center_list,
    map_centers,
    nearest_centers,
    network_summary,
    regional_center_of,
)
from libranet.resources.search.log import index_lag
from libranet.worker.selectors import last_heartbeat, queue_state

PAGE_SIZE = 50


def _carries_state(request) -> bool:
    """A visitor with a session or pending messages may see a page of their own."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies


def anonymous_page_cache(view):
    """Serve a registry page to anonymous visitors from the cache: for them a URL always shows
    the same page, until the registry's version changes (the cache key holds it)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if _carries_state(request) or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)

        def build() -> tuple[int, bytes, list[tuple[str, str]]]:
            response = view(request, *args, **kwargs)
            return response.status_code, response.content, list(response.headers.items())

        status, content, headers = cached("page", (request.get_full_path(),), build)
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response.headers[name] = value
        return response

    return wrapper


@require_safe
def healthz(request):
    """200 when the database answers, 503 when it does not: for load balancers. The JSON also
    tells how the task worker and its queue are (the latest heartbeat of any worker, the age of
    the oldest task waiting), whether the cache answers, and how far each search index is behind
    the change log, for monitoring; a stopped worker, an unavailable cache or an index behind
    does not make it fail (pages are served from the database)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        queue = queue_state(counts=False)
        workers = last_heartbeat()
        search_indexes = [lag.as_json() for lag in index_lag()]
    except Exception:  # any database failure means "take me out of rotation"
        return JsonResponse({"database": "unavailable"}, status=503)
    return JsonResponse(
        {
            "database": "ok",
            "cache": cache_state(),
            "workers": workers,
            "queue": {
                "ready": queue.ready,
                "age_seconds": None if queue.age_seconds is None else round(queue.age_seconds, 1),
            },
            "search_indexes": search_indexes,
        }
    )


@require_safe
def livez(request):
    """200 while the process serves requests (liveness; touches nothing else)."""
    return HttpResponse("ok\n", content_type="text/plain")


@require_safe
@anonymous_page_cache
def home(request):
    summary = cached("summary", (), network_summary)
    return render(request, "public/home.html", {"summary": summary})


@require_safe
@anonymous_page_cache
def directory(request):
    filters = CenterFilters.from_mapping(request.GET)
    query = request.GET.copy()
    query.pop("page", None)
    page = Paginator(center_list(filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "facets": center_facets(filters=filters),
        "page": page,
        "query": query.urlencode(),
    }
    return render(request, "public/directory.html", context)


@require_safe
@anonymous_page_cache
def center_detail(request, code: str):
    center = get_object_or_404(
        Center.objects.with_relations().prefetch_related("status_history"), code=code.upper()
    )
    coordinated = center.coordinated_centers.order_by("code") if center.kind == "regional" else []
    if center.region:
        place = (center.region.name, f"{reverse('public:directory')}?region={center.region.code}")
    else:
        place = (
            center.country.name,
            f"{reverse('public:directory')}?country={center.country.code}",
        )
    context = {
        "center": center,
        "coordinated": coordinated,
        "regional_center": regional_center_of(center),
        "nearest": nearest_centers(center=center),
        "phone_uri": _tel_uri(center.phone),
        "crumbs": [
            (_("Directory of centers"), reverse("public:directory")),
            place,
            (center.name, None),
        ],
        **_map_settings(),
    }
    return render(request, "public/center.html", context)


def _tel_uri(phone: str) -> str:
    """A tel: link for the first number of a phone field ("+7 (4822) 34-12-00, доб. 5")."""
    first = re.split(r"[,;]|доб|ext", phone, maxsplit=1)[0]
    digits = re.sub(r"[^\d+]", "", first)
    return f"tel:{digits}" if len(digits.lstrip("+")) >= 5 else ""


def _map_settings() -> dict[str, str]:
    return {
        "tile_url": settings.LIBRANET_MAP_TILE_URL,
        "tile_attribution": settings.LIBRANET_MAP_ATTRIBUTION,
    }


@require_safe
@anonymous_page_cache
def center_map(request):
    filters = CenterFilters.from_mapping(request.GET)
    context = {
        "filters": filters,
        "facets": center_facets(filters=CenterFilters()),
        "kinds": Center.Kind.choices,
        "statuses": Center.Status.choices,
        **_map_settings(),
    }
    return render(request, "public/map.html", context)


def _map_data_etag(request) -> str:
    # The registry's version names the data; the path holds the language and the filters.
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:16]
    return f'"{registry_version()}-{digest}"'


@require_safe
@gzip_page
@cache_control(max_age=60)
@etag(_map_data_etag)
@anonymous_page_cache
def map_data(request):
    """Every center with coordinates as columns (see ``map_centers``): the map filters it in the
    browser, so one cached answer serves every visitor; compressed, 16,000 centers are ~0.3 MB."""
    return JsonResponse(
        map_centers(filters=CenterFilters.from_mapping(request.GET)),
        # Cyrillic as UTF-8 rather than \\u escapes, no spaces: far fewer bytes to compress.
        json_dumps_params={"separators": (",", ":"), "ensure_ascii": False},
    )
