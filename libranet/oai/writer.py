"""Writing OAI-PMH XML as text, piece by piece, so a response can stream: the envelope, errors
and sets. Records come rendered already (``libranet.resources.harvest``, which also escapes
text for both, in one place).
"""

import datetime as dt
from collections.abc import Iterable, Iterator

from libranet.resources.harvest import DC_OPEN, XSI_NS, datestamp, dc, text, uri_part

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_IDENTIFIER_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_IDENTIFIER_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"


def attr(value: str) -> str:
    """Escape an attribute value written between double quotes."""
    return text(value).replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")


def element(name: str, value: str) -> str:
    return f"<{name}>{text(value)}</{name}>"


def envelope(
    response_date: dt.datetime, base_url: str, request: dict[str, str], body: Iterable[str]
) -> Iterator[str]:
    """The OAI-PMH document around ``body``; ``request`` holds the attributes to echo."""
    attributes = "".join(f' {name}="{attr(value)}"' for name, value in request.items())
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="{XSI_NS}" '
        f'xsi:schemaLocation="{OAI_NS} {OAI_SCHEMA}">\n'
        f"<responseDate>{datestamp(response_date)}</responseDate>\n"
        f"<request{attributes}>{text(base_url)}</request>\n"
    )
    yield from body
    yield "</OAI-PMH>\n"


def error(code: str, message: str) -> str:
    return f'<error code="{code}">{text(message)}</error>\n'


def oai_identifier(repository_id: str, identifier: str) -> str:
    return f"oai:{repository_id}:{uri_part(identifier)}"


def set_description(name_en: str, description_ru: str, description_en: str) -> str:
    """A set's English name and its descriptions, as oai_dc (none: no setDescription)."""
    described = "".join(
        (
            dc("title", name_en, "en"),
            dc("description", description_ru, "ru"),
            dc("description", description_en, "en"),
        )
    )
    return f"<setDescription>{DC_OPEN}{described}</oai_dc:dc></setDescription>" if described else ""
