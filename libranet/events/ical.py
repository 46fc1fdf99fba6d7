"""The iCalendar feeds of the network's events: the whole network, a region (``?region=CODE``)
or a center (``?center=CODE``), for a calendar application to subscribe to."""

import datetime
import zoneinfo

import icalendar
from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from . import selectors
from .public_views import read_filters


@require_safe
def calendar_feed(request):
    filters = read_filters(request)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Presidential Library//Libranet events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Libranet")
    host = request.get_host().split(":")[0] or "libranet"
    language = get_language() or settings.LANGUAGE_CODE
    for event in selectors.calendar_events(filters):
        zone = zoneinfo.ZoneInfo(event.time_zone)
        entry = icalendar.Event()
        # Stable across edits and languages: the event's number and the site.
        entry.add("uid", f"event-{event.pk}@{host}")
        entry.add("dtstamp", event.updated_at.astimezone(datetime.UTC))
        entry.add("dtstart", event.starts_at.astimezone(zone))
        entry.add("dtend", event.ends_at.astimezone(zone))
        entry.add("summary", event.title)
        text = " ".join(strip_tags(event.description).split())
        if text:
            entry.add("description", text)
        location = event.venue or (event.online_link if event.online else "")
        if location:
            entry.add("location", location)
        entry.add("url", request.build_absolute_uri(reverse("events:detail", args=[event.pk])))
        entry.add("categories", [event.get_kind_display()])
        entry.add("sequence", event.revision)
        calendar.add_component(entry)
    calendar.add_missing_timezones()
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="libranet-events-{language}.ics"'
    return response
