"""Numbers as each language writes them: Russian groups thousands with a thin (narrow
no-break) space and has a decimal comma; English a comma and a point. Minus is a true minus."""

from django.utils.translation import get_language

_SEPARATORS = {"ru": ("\u202f", ","), "en": (",", ".")}
MINUS = "\u2212"


def format_number(value: float, *, decimals: int = 0, signed: bool = False) -> str:
    thousands, point = _SEPARATORS.get((get_language() or "ru")[:2], _SEPARATORS["ru"])
    text = f"{abs(value):,.{decimals}f}".replace(",", "\0").replace(".", point)
    text = text.replace("\0", thousands)
    if value < 0 and any(digit in text for digit in "123456789"):  # never "−0"
        return MINUS + text
    return ("+" + text) if signed and value > 0 else text


def format_percent(value: float) -> str:
    return format_number(value, decimals=1, signed=True) + "\u00a0%"
