"""The text of a PDF file, for full-text search (pypdf).

Bounded, so that no PDF can stall an import: at most ``MAX_PAGES`` pages, ``MAX_CHARACTERS``
characters and about ``MAX_SECONDS`` of work (the text of a book's first hundred pages is
plenty for a search to find it). A PDF that cannot be read, damaged, encrypted or not a PDF
at all, gives the text read so far (usually none) and a warning in the log, never an error:
its file is stored and its resource indexed without the text.
"""

import logging
import re
import time
import warnings
from typing import IO

logger = logging.getLogger(__name__)

MAX_PAGES = 100
MAX_CHARACTERS = 200_000
MAX_SECONDS = 10.0

# Control characters other than tab and line breaks: nothing to search, and PostgreSQL refuses
# NUL in text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANKS = re.compile(r"[ \t]+")


def pdf_text(file: IO[bytes], *, name: str = "") -> str:
    """The text of the PDF in ``file`` (read from its start, left at its start), page after
    page, within the bounds above; "" when it has none that can be read."""
    # Here, not at the top: every process imports the services, few of them read PDFs, and
    # pypdf weighs some ten megabytes in each that loads it.
    from pypdf import PdfReader

    started = time.monotonic()
    parts: list[str] = []
    size = 0
    file.seek(0)
    try:
        with warnings.catch_warnings():
            # pypdf warns of every quirk of a file; what matters is logged below.
            warnings.simplefilter("ignore")
            reader = PdfReader(file)
            if reader.is_encrypted:
                reader.decrypt("")  # many are, with an empty password; the others fail below
            for number, page in enumerate(reader.pages):
                if number == MAX_PAGES or time.monotonic() - started > MAX_SECONDS:
                    logger.info("The text of %s is read up to page %d", name, number)
                    break
                text = _clean(page.extract_text() or "")
                parts.append(text[: MAX_CHARACTERS - size])
                size += len(parts[-1]) + 1
                if size >= MAX_CHARACTERS:
                    break
    except Exception as exc:  # a damaged PDF can fail in any of pypdf's ways
        logger.warning("The text of the PDF %s cannot be read (%s): indexed without it", name, exc)
    finally:
        file.seek(0)
    return "\n".join(part for part in parts if part)[:MAX_CHARACTERS]


def _clean(text: str) -> str:
    # Lone surrogates (from broken font maps) cannot be stored as UTF-8.
    text = text.encode("utf-8", "replace").decode("utf-8")
    return _BLANKS.sub(" ", _CONTROL.sub(" ", text)).strip()
