"""Resources from catalogue files: CSV, Dublin Core XML and MARCXML, with their files from a
folder or a ZIP archive.

As for the registry's import of centers (``libranet.network.importexport``): a batch is all or
nothing, in two phases (``batch``). First every record is checked by the rules the collections'
services apply (their ``resource_check_*`` functions), against the catalogue read once, reading
only: no write lock is taken. If any record failed, nothing is written and the report lists
every error by its row (CSV: the line in the file) or record (XML: its place in the file, from
1). Else the files are stored and everything is written in one short transaction. Records are
matched by identifier: a new one creates a resource, a known one updates it, and a record that
changes nothing writes nothing, so an import run twice leaves the catalogue as it was.

The formats (README, "Collections: resources and import"):

- CSV: the columns of ``CSV_COLUMNS``; lists (creators, subjects, collections, files) are
  separated by ";". A missing optional column leaves that field of an existing resource as
  it is; an empty ``files`` cell leaves its files.
- Dublin Core: every ``oai_dc:dc`` element (as in an OAI-PMH response) or every ``record``
  element whose children are ``dc:`` elements. A record is a full description: fields it
  lacks are emptied on update. ``dc:title``/``dc:description`` go by ``xml:lang`` (``en`` to
  the English fields, anything else to the Russian ones). Libranet's own elements, in the
  namespace ``urn:libranet:import``, may give ``collection`` (repeated, codes),
  ``accessLevel`` and ``file`` (repeated, paths); else the import's defaults apply.
- MARCXML (pymarc): 001 (else 035 $a) identifier, 245 $a $b $n $p title, 242 with $y eng the
  English title, 100/110/111/700/710/711 $a creators, 260/264 $c date (else 008/07-14),
  650/651 subjects, 041 $a (else 008/35-37) language, 520 $a description, 540/506 $a rights,
  856 $u (a relative path) files; the type from leader/06-07; collections and access level
  from the import's defaults.

The parts: ``base`` (the batch, its records, the report, the limits), ``formats`` (telling the
format; CSV and Dublin Core), ``marc`` (MARCXML), ``sources`` (a folder or a ZIP archive of
files), ``check`` (phase 1), ``batch`` (``import_resources``, phase 2). Callers import from this
package.
"""

from .base import (
    CSV_COLUMNS,
    DC_NS,
    FORMATS,
    LIBRANET_NS,
    MAX_FILE_BYTES,
    MAX_RECORDS,
    REQUIRED_COLUMNS,
    Batch,
    ImportFileError,
    Record,
    ResourceImportReport,
    megabytes,
)
from .batch import import_resources
from .formats import detect_format, read_batch, read_upload
from .sources import FileSource, FolderSource, ZipSource, open_file_source

__all__ = [
    "CSV_COLUMNS",
    "DC_NS",
    "FORMATS",
    "LIBRANET_NS",
    "MAX_FILE_BYTES",
    "MAX_RECORDS",
    "REQUIRED_COLUMNS",
    "Batch",
    "FileSource",
    "FolderSource",
    "ImportFileError",
    "Record",
    "ResourceImportReport",
    "ZipSource",
    "detect_format",
    "import_resources",
    "megabytes",
    "open_file_source",
    "read_batch",
    "read_upload",
]
