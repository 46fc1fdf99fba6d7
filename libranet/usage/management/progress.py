"""The progress bar of the usage commands: a line every two seconds at most (and at the end),
readable in a log and alive on a terminal."""

import time
from typing import Any

BAR_WIDTH = 30


class ProgressBar:
    def __init__(self, stdout: Any, *, unit: str = "", enabled: bool = True) -> None:
        self.stdout = stdout
        self.unit = unit
        self.enabled = enabled
        self.started = self.last = time.monotonic()

    def __call__(self, done: int, total: int, label: object = "") -> None:
        now = time.monotonic()
        if not self.enabled or (now - self.last < 2 and done < total and done):
            return
        self.last = now
        filled = min(BAR_WIDTH * done // max(total, 1), BAR_WIDTH)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        elapsed = now - self.started
        self.stdout.write(
            f"[{bar}] {done}/{total} {self.unit} ({100 * done // max(total, 1)}%), "
            f"{elapsed:.1f} s{f', {label}' if label != '' else ''}"
        )
