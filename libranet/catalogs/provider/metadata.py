"""A synthetic record as its library's catalog writes it: MARC 21 in MARCXML, RUSMARC carried
in MARCXML (UNIMARC field numbers), or Dublin Core, with the punctuation catalogs use."""

import zlib

from lxml import etree

from .catalogs import Library, Record

MARC_NS = "http://www.loc.gov/MARC21/slim"
MARC_SCHEMA = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# prefix: (schema, namespace)
FORMATS = {
    "marc21": (MARC_SCHEMA, MARC_NS),
    "rusmarc": (MARC_SCHEMA, MARC_NS),
    "oai_dc": (OAI_DC_SCHEMA, OAI_DC_NS),
}
LANGUAGE_NAMES = {"rus": "ru", "eng": "en", "ger": "de", "fre": "fr"}  # ISO 639-1 for DC


# MARC country codes of the places of publication (the 008 field); the rest are Russian.
COUNTRIES = {"Cambridge": "enk", "Stuttgart": "gw ", "Paris": "fr "}


def _title(library: Library, text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е") if library.yo_as_e else text


class _Marc:
    def __init__(self, leader: str) -> None:
        self.root = etree.Element(f"{{{MARC_NS}}}record", nsmap={None: MARC_NS, "xsi": XSI})
        self.root.set(f"{{{XSI}}}schemaLocation", f"{MARC_NS} {MARC_SCHEMA}")
        etree.SubElement(self.root, f"{{{MARC_NS}}}leader").text = leader

    def control(self, tag: str, value: str) -> None:
        etree.SubElement(self.root, f"{{{MARC_NS}}}controlfield", tag=tag).text = value

    def field(self, tag: str, indicators: str, *subfields: tuple[str, str]) -> None:
        subfields = tuple((code, value) for code, value in subfields if value)
        if not subfields:
            return
        element = etree.SubElement(
            self.root, f"{{{MARC_NS}}}datafield", tag=tag, ind1=indicators[0], ind2=indicators[1]
        )
        for code, value in subfields:
            etree.SubElement(element, f"{{{MARC_NS}}}subfield", code=code).text = value


def marc21(library: Library, record: Record) -> etree._Element:
    edition, work = record.edition, record.edition.work
    marc = _Marc("00000nam a2200000 i 4500")
    marc.control("001", record.local_id)
    marc.control("003", library.repository_id)
    marc.control("005", record.datestamp.strftime("%Y%m%d%H%M%S.0"))
    country = COUNTRIES.get(edition.city, "ru ")
    fixed = (
        f"{record.datestamp:%y%m%d}s{edition.year}    {country}           000 1 {work.language} d"
    )
    marc.control("008", fixed)
    marc.field("020", "  ", ("a", edition.isbn))
    marc.field("041", "0 ", ("a", work.language))
    first, *others = work.authors or (None,)
    if first:
        marc.field("100", "1 ", ("a", first.inverted + ","), ("d", first.dates), ("e", "автор."))
    title = _title(library, work.title)
    statement = ", ".join(a.short for a in work.authors)
    marc.field(
        "245",
        ("1" if first else "0") + "0",
        ("a", title + (" :" if work.subtitle else " /" if statement else ".")),
        ("b", work.subtitle + (" /" if statement else ".") if work.subtitle else ""),
        ("c", statement + "." if statement else ""),
    )
    marc.field(
        "264",
        " 1",
        ("a", edition.city + " :"),
        ("b", edition.publisher.name + ","),
        ("c", f"{edition.year}."),
    )
    marc.field("300", "  ", ("a", f"{edition.pages} с."))
    for subject in work.subjects:
        if work.place and subject.startswith(work.place):
            marc.field("651", " 4", ("a", work.place), ("x", "История."))
        else:
            marc.field("650", " 4", ("a", subject + "."))
    for other in others:
        marc.field("700", "1 ", ("a", other.inverted + ","), ("d", other.dates), ("e", "автор."))
    return marc.root


def rusmarc(library: Library, record: Record) -> etree._Element:
    edition, work = record.edition, record.edition.work
    marc = _Marc("00000nam0 2200000   450 ")
    marc.control("001", record.local_id)
    marc.control("005", record.datestamp.strftime("%Y%m%d%H%M%S.0"))
    marc.field("010", "  ", ("a", edition.isbn))
    general = f"{record.datestamp:%Y%m%d}d{edition.year}    k  y0{work.language}y50      ca"
    marc.field("100", "  ", ("a", general))
    marc.field("101", "0 ", ("a", work.language))
    marc.field(
        "200",
        "1 ",
        ("a", _title(library, work.title)),
        ("e", work.subtitle),
        ("f", ", ".join(a.short for a in work.authors)),
    )
    marc.field(
        "210", "  ", ("a", edition.city), ("c", edition.publisher.name), ("d", str(edition.year))
    )
    marc.field("215", "  ", ("a", f"{edition.pages} с."))
    for subject in work.subjects:
        if work.place and subject.startswith(work.place):
            marc.field("607", "  ", ("a", work.place), ("x", "История"))
        else:
            marc.field("606", "1 ", ("a", subject))
    first, *others = work.authors or (None,)
    for tag, person in ([("700", first)] if first else []) + [("701", o) for o in others]:
        marc.field(
            tag,
            " 1",
            ("a", person.family),
            ("b", person.initials),
            ("g", person.given),
            ("f", person.dates),
        )
    return marc.root


def oai_dc(library: Library, record: Record) -> etree._Element:
    edition, work = record.edition, record.edition.work
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")

    def dc(name: str, value: str) -> None:
        if value:
            etree.SubElement(root, f"{{{DC_NS}}}{name}").text = value

    dc("title", _title(library, work.full_title))
    for person in work.authors:
        dc("creator", person.inverted)
    for subject in work.subjects:
        dc("subject", subject)
    dc("publisher", edition.publisher.name)
    dc("date", str(edition.year))
    dc("type", "Text")
    dc("format", f"{edition.pages} с.")
    # A small catalog's Dublin Core often leaves the ISBN out (about one record in seven here): the
    # union search still finds its copy under the work by title, author and year.
    if zlib.crc32(record.local_id.encode()) % 7:
        dc("identifier", edition.isbn)
    dc("language", LANGUAGE_NAMES.get(work.language, work.language))
    dc("coverage", work.place)
    return root


WRITERS = {"marc21": marc21, "rusmarc": rusmarc, "oai_dc": oai_dc}


def metadata(library: Library, record: Record, prefix: str) -> etree._Element:
    return WRITERS[prefix](library, record)
