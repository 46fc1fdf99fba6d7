"""What the import's parts share: the batch, its records, the report, the limits."""

import re
from dataclasses import dataclass, field
from typing import Any

from pymarc.marcxml import MARC_XML_NS

from libranet.network.importexport import ImportReport, megabytes  # noqa: F401 (re-exported)

from ..models import Resource
from ..services import (
    ResourceError,
)

FORMATS = ("csv", "dc", "marcxml")
CSV_COLUMNS = (
    "identifier",
    "title_ru",
    "title_en",
    "creators",
    "date",
    "type",
    "subjects",
    "language",
    "description_ru",
    "description_en",
    "collections",
    "rights",
    "access_level",
    "files",
)
REQUIRED_COLUMNS = ("identifier", "title_ru", "type")
LIST_SEPARATOR = ";"

MAX_RECORDS = 50_000
MAX_FILE_BYTES = 2 * 1024**3  # one file of a resource (a long video)
# An archive: how many members, how much once unpacked, and the largest compression ratio of
# a large member (scans, PDFs and media barely compress; a bomb compresses a thousandfold).
MAX_ARCHIVE_MEMBERS = 100_000
MAX_UNPACKED_BYTES = 50 * 1024**3
MAX_RATIO = 100
RATIO_CHECKED_ABOVE = 10 * 1024**2

DC_NS = "http://purl.org/dc/elements/1.1/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
LIBRANET_NS = "urn:libranet:import"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MARC_NS = MARC_XML_NS

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DOCTYPE_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

# The DCMI Type Vocabulary, as our types (our own codes are accepted as they are).
DCMI_TYPES = {
    "text": Resource.Type.BOOK,
    "image": Resource.Type.PHOTOGRAPH,
    "stillimage": Resource.Type.PHOTOGRAPH,
    "sound": Resource.Type.SOUND,
    "movingimage": Resource.Type.VIDEO,
    "physicalobject": Resource.Type.OTHER,
    "collection": Resource.Type.OTHER,
    "dataset": Resource.Type.OTHER,
}


class ImportFileError(ResourceError):
    """The file (or the archive of files, or an option) cannot be read as a batch."""


@dataclass
class Record:
    """One resource as a file describes it: the service's arguments it gives, its files, the
    names of its columns or elements (for the report), and what could not be read."""

    number: int
    fields: dict[str, Any] = field(default_factory=dict)
    files: list[tuple[str, str]] = field(default_factory=list)  # (path, label)
    columns: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def identifier(self) -> str:
        return str(self.fields.get("identifier") or "").strip()

    def column(self, name: str) -> str:
        return self.columns.get(name, name)


@dataclass
class Batch:
    format: str
    records: list[Record]

    @property
    def unit(self) -> str:
        """What a number in the report counts: the rows of a CSV, the records of XML."""
        return "row" if self.format == "csv" else "record"


@dataclass
class ResourceImportReport(ImportReport):
    format: str = ""
    unit: str = "row"
    files: int = 0
