from django import template

from libranet.events.selectors import center_upcoming

register = template.Library()


@register.inclusion_tag("events/_center_events.html")
def center_events(center):
    """A center's upcoming events, for its public page."""
    return {"center": center, "events": list(center_upcoming(center.pk))}
