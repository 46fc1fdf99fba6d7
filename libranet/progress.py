"""The progress bar of every bulk command (imports, index rebuilds, roll-ups, synthetic data):
a line every two seconds at most, and at the end; readable in a log, alive on a terminal,
whatever the size of the work."""

import time
from typing import Any

BAR_WIDTH = 30


class ProgressBar:
    """Call it with (done, total[, label]) as the work goes; ``enabled=False`` (verbosity 0)
    writes nothing."""

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
        unit = f" {self.unit}" if self.unit else ""
        note = f", {label}" if label != "" else ""
        self.stdout.write(
            f"[{bar}] {done}/{total}{unit} ({100 * done // max(total, 1)}%), "
            f"{now - self.started:.1f} s{note}"
        )

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started
