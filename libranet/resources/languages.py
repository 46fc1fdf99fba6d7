"""Languages of resources named for people, in the page's language."""

import pycountry
from babel import Locale
from django.utils.translation import get_language, to_locale


def language_name(code: str) -> str:
    """The language of a resource by its code (ISO 639-1 ``cu`` or 639-2/3 ``chu``), named in
    the page's language by Babel's CLDR data («церковнославянский», "Church Slavic"); a
    language CLDR does not name gets ISO 639's English name; an unknown code stays as it is."""
    code = (code or "").strip().lower()
    if not code:
        return ""
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else None
    if found is None and len(code) == 3:
        found = pycountry.languages.get(alpha_3=code)
    names = Locale.parse(to_locale(get_language() or "ru")).languages
    for candidate in (code, getattr(found, "alpha_2", None), getattr(found, "alpha_3", None)):
        if candidate and candidate in names:
            return names[candidate]
    return found.name if found is not None else code
