"""Data in the page's language, with the other language's value shown as such when it is all
there is: ``{% load l10n_data %}{{ center|localized:"address" }}``."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from libranet.network.models import localized_pair

register = template.Library()


@register.filter
def localized(obj: object, field: str) -> str:
    """``field`` of ``obj`` (``name``, ``address``, ``hours``...) in the page's language; when
    only the other language has it, that value in a ``lang``-marked span with a visible note
    ("in Russian" on an English page, «на английском» on a Russian one); "" when neither."""
    if obj is None:
        return ""
    own, other = localized_pair(obj, field)
    if own or not other:
        return own
    if (get_language() or "ru").startswith("en"):
        other_lang, note = "ru", _("in Russian")
    else:
        other_lang, note = "en", _("in English")
    return format_html(
        '<span class="fallback" title="{note}"><span lang="{lang}">{value}</span> '
        '<small class="muted">({note})</small></span>',
        note=note,
        lang=other_lang,
        value=other,
    )
