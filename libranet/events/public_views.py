"""The public calendar of the network's events, an event's page and its photos."""

import json
from typing import Any

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from libranet.network.models import Center, Country, Region
from libranet.network.permissions import events_scope
from libranet.news.selectors import published_articles
from libranet.videos.selectors import published_videos

from . import selectors
from .models import Event, EventPhoto

PAGE_SIZE = 20


def read_filters(request: Any) -> selectors.EventFilters:
    kind = request.GET.get("kind", "")
    return selectors.EventFilters(
        region=(request.GET.get("region") or "")[:10].upper(),
        center=(request.GET.get("center") or "")[:32].upper(),
        kind=kind if kind in Event.Kind.values else "",
        past=request.GET.get("when") == "past",
    )


@require_safe
def event_list(request):
    filters = read_filters(request)
    page = Paginator(selectors.public_events(filters), PAGE_SIZE).get_page(
        request.GET.get("page") or "1"
    )
    query = request.GET.copy()
    query.pop("page", None)
    feed_query = query.copy()
    feed_query.pop("when", None)
    feed_query.pop("kind", None)
    return render(
        request,
        "events/list.html",
        {
            "page": page,
            "query": query.urlencode(),
            "filters": filters,
            "kinds": Event.Kind.choices,
            "regions": Region.objects.filter(centers__events__isnull=False).distinct(),
            "countries": Country.objects.filter(centers__events__isnull=False).distinct(),
            "centers": Center.objects.filter(events__isnull=False).distinct().order_by("code"),
            "calendar_url": reverse("events:calendar")
            + (f"?{feed_query.urlencode()}" if feed_query else ""),
            "upcoming_query": _with(query, "when", ""),
            "past_query": _with(query, "when", "past"),
            "crumbs": [(_("Events"), None)],
        },
    )


def _with(query: Any, name: str, value: str) -> str:
    query = query.copy()
    query.pop(name, None)
    if value:
        query[name] = value
    return query.urlencode()


def description_text(event: Event, length: int = 300) -> str:
    return Truncator(" ".join(strip_tags(event.description).split())).chars(length)


@require_safe
def event_detail(request, pk: int):
    event = get_object_or_404(
        Event.objects.prefetch_related("centers", "photos"), pk=pk, published=True
    )
    photos = list(event.photos.all())
    url = request.build_absolute_uri(reverse("events:detail", args=[event.pk]))
    image = (
        request.build_absolute_uri(reverse("events:photo", args=[photos[0].pk])) if photos else ""
    )
    json_ld = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "startDate": event.starts_at.isoformat(),
        "endDate": event.ends_at.isoformat(),
        "description": description_text(event, 1000),
        "url": url,
        "eventAttendanceMode": "https://schema.org/"
        + ("OnlineEventAttendanceMode" if event.online else "OfflineEventAttendanceMode"),
        "organizer": [
            {
                "@type": "Organization",
                "name": c.name,
                "url": request.build_absolute_uri(reverse("public:center", args=[c.code])),
            }
            for c in event.centers.all()
        ],
        "location": (
            {"@type": "VirtualLocation", "url": event.online_link or url}
            if event.online and not event.venue
            else {"@type": "Place", "name": event.venue or event.title, "address": event.venue}
        ),
    }
    if image:
        json_ld["image"] = [image]
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "photos": photos,
            "articles": published_articles().filter(events=event),
            "videos": published_videos().filter(event=event),
            # "</" never closes the script element early: the JSON is safe inside <script>.
            "json_ld": json.dumps(json_ld, ensure_ascii=False).replace("</", "<\\/"),
            "og_description": description_text(event),
            "og_image": image,
            "og_url": url,
            "crumbs": [(_("Events"), reverse("events:list")), (event.title, None)],
        },
    )


@require_safe
def event_photo(request, pk: int):
    """A published event's photo (public, as the event is); an unpublished one's to those who
    edit the event (the back office's form shows it)."""
    photo = get_object_or_404(EventPhoto.objects.select_related("event"), pk=pk)
    if not photo.event.published and not (
        Event.objects.filter(events_scope(request.user), pk=photo.event_id).exists()
    ):
        raise Http404
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "public, max-age=86400" if photo.event.published else "private"
    response["X-Content-Type-Options"] = "nosniff"
    return response
