"""Schema.org data (JSON-LD) of public pages, for search engines: a center as a ``Library``."""

import json
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from libranet.network.models import Center, localized_pair

register = template.Library()
# A JSON string may hold "</script>": these characters are escaped as in Django's json_script.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data: dict[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


def _localized(center: Center, field: str) -> str:
    own, other = localized_pair(center, field)
    return own or other


@register.simple_tag(takes_context=True)
def library_json_ld(context: Any, center: Center) -> str:
    """The center as a Schema.org ``Library``: name, address, geo, telephone, url, hours."""
    request = context["request"]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Library",
        "name": center.name,
        "url": request.build_absolute_uri(reverse("public:center", args=[center.code])),
    }
    address = _localized(center, "address")
    if address:
        place = str(center.region or center.country)
        data["address"] = {
            "@type": "PostalAddress",
            "streetAddress": address,
            "addressRegion": place,
            "addressCountry": center.country.code if center.country else "RU",
        }
    if center.latitude is not None and center.longitude is not None:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(center.latitude),
            "longitude": float(center.longitude),
        }
    if center.phone:
        data["telephone"] = center.phone
    if center.website:
        data["sameAs"] = center.website
    hours = _localized(center, "hours")
    if hours:
        data["openingHours"] = hours
    return json_ld(data)
