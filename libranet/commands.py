"""What the bulk commands share in how they answer the person at the terminal."""

from collections.abc import Sequence
from typing import Any

from django.core.management.base import CommandError


def import_refused(stderr: Any, errors: Sequence[Any], *, unit: str) -> CommandError:
    """Write each error of a refused import on its line (``<unit> N, column: message``) and
    return the error that ends the command: nothing was written."""
    for error in errors:
        where = f"{unit} {error.row}" + (f", {error.column}" if error.column else "")
        stderr.write(f"{where}: {error.message}")
    return CommandError(
        f"{len(errors)} error{'s' if len(errors) != 1 else ''}; nothing was imported."
    )
