"""The demo collections' files, generated here and never downloaded: small, deterministic for
the same input, and what they say they are.

- PDFs with real text in Russian and English, written by hand. The font is not embedded: a
  monospaced one, Liberation Mono (free, with Cyrillic; a reader without it takes a monospaced
  font of its own). Its encoding gives the bytes of Windows-1251 the Cyrillic glyphs and a
  ToUnicode map gives every byte its character, so the text copies and extracts exactly (the
  search indexes it through ``libranet.resources.pdf``).
- Page images and covers drawn with Pillow (the drawn text's font is whatever the machine has,
  so their pixels may differ between machines, never their number or size).
- A short WAV tone, with the standard library.
- A few seconds of WebM video (VP8, through PyAV): a title card with a bar moving across it.
"""

import io
import math
import struct
import wave
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import av
from PIL import Image, ImageDraw, ImageFont

PAPER = (250, 245, 230)

_LATIN = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch  y  e yu ya".split(" "),
        strict=True,
    )
)


def transliterate(text: str) -> str:
    """Russian in Latin letters (for fonts without Cyrillic)."""
    out = []
    for char in text:
        latin = _LATIN.get(char.lower())
        if latin is None:
            out.append(char if char.isascii() else "-" if char in "–—" else "")
        else:
            out.append(latin.capitalize() if char.isupper() else latin)
    return "".join(out)


# --- PDF ------------------------------------------------------------------------------------------

PDF_FONT = "LiberationMono"
PDF_FONT_SIZE = 11
PDF_LEADING = 15
PDF_MARGIN = 56  # points: about 2 cm
PDF_LINE_CHARS = 72  # a monospaced glyph is 0.6 em: 72 of them fill A4 between the margins
PDF_PAGE_LINES = 48
# The characters of Windows-1251's upper half, by byte (0x98 has none).
_UPPER = {code: bytes([code]).decode("cp1251", "ignore") for code in range(0x80, 0x100)}


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, broken between words."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def _pdf_string(line: str) -> bytes:
    """A line as a PDF literal string in the font's encoding (Windows-1251), with every byte
    outside printable ASCII written as an octal escape, so the file stays plain ASCII."""
    out = bytearray(b"(")
    for byte in line.encode("cp1251", "replace"):
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif 0x20 <= byte < 0x7F:
            out.append(byte)
        else:
            out += b"\\%03o" % byte
    return bytes(out + b")")


def _to_unicode() -> bytes:
    """The ToUnicode CMap: printable ASCII as itself, the upper half as Windows-1251 reads."""
    upper = [(code, char) for code, char in _UPPER.items() if char]
    blocks = []
    for start in range(0, len(upper), 100):  # at most 100 entries in a block
        chunk = upper[start : start + 100]
        entries = "\n".join(f"<{code:02X}> <{ord(char):04X}>" for code, char in chunk)
        blocks.append(f"{len(chunk)} beginbfchar\n{entries}\nendbfchar")
    body = "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange\n<00> <FF>\nendcodespacerange",
            "1 beginbfrange\n<20> <7E> <0020>\nendbfrange",
            *blocks,
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    ).encode()
    return b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream"


def text_pdf(pages: Sequence[Sequence[str]]) -> bytes:
    """A valid PDF (A4) with one page per list of lines (longer lines are wrapped, a page holds
    at most ``PDF_PAGE_LINES``), with a correct cross-reference table."""
    differences = " ".join(
        f"/uni{ord(char):04X}" if char else "/.notdef" for char in _UPPER.values()
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (6 + 2 * n) for n in range(len(pages))), len(pages)),
        (
            f"<< /Type /Font /Subtype /TrueType /BaseFont /{PDF_FONT} /FirstChar 32 "
            f"/LastChar 255 /Widths [{' '.join(['600'] * 224)}] /FontDescriptor 4 0 R "
            "/ToUnicode 5 0 R /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding "
            f"/Differences [128 {differences}] >> >>"
        ).encode(),
        (
            f"<< /Type /FontDescriptor /FontName /{PDF_FONT} /Flags 33 "  # fixed pitch, Latin
            "/FontBBox [-20 -300 620 833] /ItalicAngle 0 /Ascent 833 /Descent -300 "
            "/CapHeight 658 /StemV 80 >>"
        ).encode(),
        _to_unicode(),
    ]
    for number, lines in enumerate(pages):
        wrapped = [part for line in lines for part in (wrap(line, PDF_LINE_CHARS) or [""])]
        ops = [
            b"BT",
            b"/F1 %d Tf" % PDF_FONT_SIZE,
            b"%d TL" % PDF_LEADING,
            b"%d %d Td" % (PDF_MARGIN, 842 - PDF_MARGIN),
        ]
        ops += [_pdf_string(line) + b" Tj T*" for line in wrapped[:PDF_PAGE_LINES]]
        ops.append(b"ET")
        stream = b"\n".join(ops)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (7 + 2 * number)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# --- sound, images, video ---------------------------------------------------------------------


def tone_wav(*, seconds: float = 0.5, frequency: float = 440.0, rate: int = 8000) -> bytes:
    """A short sine tone as an 8-bit mono WAV (some 4 kB)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(1)
        sound.setframerate(rate)
        frames = int(seconds * rate)
        sound.writeframes(
            struct.pack(
                f"{frames}B",
                *(
                    int(128 + 90 * math.sin(2 * math.pi * frequency * i / rate))
                    for i in range(frames)
                ),
            )
        )
    return buffer.getvalue()


_FONT_FILES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
]


@cache
def _font(size: int) -> tuple[Any, bool]:
    """A font and whether it draws Cyrillic (else the text is transliterated)."""
    for path in _FONT_FILES:
        if Path(path).is_file():
            return ImageFont.truetype(path, size), True
    return ImageFont.load_default(size=size), False


def card(title: str, caption: str, color: tuple[int, int, int], size: tuple[int, int]) -> bytes:
    """A page or cover: the title drawn on a coloured ground, as a three-colour PNG (about
    1.5 kB; drawn in palette mode, which is ten times faster than quantizing a colour image)."""
    image = Image.new("P", size, 0)
    image.putpalette([*color, *PAPER, 235, 225, 200])
    draw = ImageDraw.Draw(image)
    font, cyrillic = _font(max(size[0] // 18, 10))
    small, _c = _font(max(size[0] // 28, 8))
    text = title if cyrillic else transliterate(title)
    margin = size[0] // 12
    frame = [margin // 2, margin // 2, size[0] - margin // 2, size[1] - margin // 2]
    draw.rectangle(frame, outline=2, width=2)
    y = margin
    for line in wrap(text, 22)[:6]:
        draw.text((margin, y), line, fill=1, font=font)
        y += int(size[0] / 14)
    draw.text((margin, size[1] - 2 * margin), caption, fill=2, font=small)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def title_video(
    title: str,
    caption: str,
    color: tuple[int, int, int],
    *,
    size: tuple[int, int] = (320, 180),
    seconds: float = 3.0,
    rate: int = 12,
) -> bytes:
    """A title card as a WebM video (VP8, some 20 kB): the title on a coloured ground, the
    caption below, and a bar moving across the foot of the picture for ``seconds``.

    The same arguments give the same bytes: the encoder runs on one thread and the muxer
    writes no random segment identifier ("bitexact")."""
    width, height = size
    base = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(base)
    font, cyrillic = _font(max(height // 10, 10))
    small, _c = _font(max(height // 16, 8))
    margin = width // 14
    y = margin
    for line in wrap(title if cyrillic else transliterate(title), 26)[:4]:
        draw.text((margin, y), line, fill=PAPER, font=font)
        y += height // 8
    draw.text((margin, height - 3 * margin), caption, fill=(235, 225, 200), font=small)
    frames = max(2, round(seconds * rate))
    bar = width // 6
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="webm", options={"fflags": "+bitexact"}) as container:
        stream = container.add_stream("libvpx", rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"threads": "1", "deadline": "realtime", "cpu-used": "8", "b": "150k"}
        for number in range(frames):
            picture = base.copy()
            x = margin + (width - 2 * margin - bar) * number // (frames - 1)
            ImageDraw.Draw(picture).rectangle(
                [x, height - margin - 6, x + bar, height - margin], fill=PAPER
            )
            for packet in stream.encode(av.VideoFrame.from_image(picture)):
                container.mux(packet)
        for packet in stream.encode():  # what the encoder still holds
            container.mux(packet)
    return buffer.getvalue()
