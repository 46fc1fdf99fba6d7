"""Bar charts drawn on the server as inline SVG: no script, no outside library. The geometry is
computed here; the templates draw it, each chart with its <title> and a table of its figures
for those who cannot see it."""

from dataclasses import dataclass

from .formatting import format_number

COLUMN_WIDTH, COLUMN_HEIGHT = 720, 240  # the monthly columns' drawing, in SVG units
BAR_HEIGHT, LABEL_WIDTH, BAR_AREA = 22, 160, 420  # one horizontal bar per group
TOP_GROUPS = 20  # the groups drawn: the largest, the table lists them all


@dataclass(frozen=True)
class Bar:
    label: str  # what the axis has room for
    title: str  # the full name, in the tooltip
    value: int
    text: str  # the value as the language writes it
    x: float
    y: float
    width: float
    height: float

    @property
    def middle(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def end(self) -> float:
        return round(self.x + self.width, 1)

    @property
    def lines(self) -> list[str]:
        """The label in words, one a line under a column ("Mar", "2026")."""
        return self.label.split()


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    baseline: float  # the y of the axis (columns) or the x where bars start (bars)


def _scale(values: list[int]) -> float:
    return max([*values, 1])


def columns(points: list[tuple[str, int]]) -> Chart:
    """Vertical columns in time order, e.g. one per month; the label goes under each."""
    top, bottom = 20, 40  # room for the value above and the label's two lines below
    plot = COLUMN_HEIGHT - top - bottom
    slot = COLUMN_WIDTH / max(len(points), 1)
    peak = _scale([value for _, value in points])
    bars = []
    for index, (label, value) in enumerate(points):
        height = plot * value / peak
        bars.append(
            Bar(
                label=label,
                title=label,
                value=value,
                text=format_number(value),
                x=round(index * slot + slot * 0.15, 1),
                y=round(top + plot - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
            )
        )
    return Chart(COLUMN_WIDTH, COLUMN_HEIGHT, bars, baseline=top + plot)


def bars(points: list[tuple[str, str, int]]) -> Chart:
    """Horizontal bars, largest first, the ``TOP_GROUPS`` largest: one per group, labelled
    with its short name (the full one in its tooltip)."""
    ranked = sorted(points, key=lambda point: -point[2])[:TOP_GROUPS]
    peak = _scale([value for _, _, value in ranked])
    drawn = [
        Bar(
            label=label,
            title=title,
            value=value,
            text=format_number(value),
            x=LABEL_WIDTH,
            y=index * BAR_HEIGHT,
            width=round(BAR_AREA * value / peak, 1),
            height=BAR_HEIGHT - 6,
        )
        for index, (label, title, value) in enumerate(ranked)
    ]
    width = LABEL_WIDTH + BAR_AREA + 100  # room for the value after the longest bar
    return Chart(width, max(len(drawn), 1) * BAR_HEIGHT, drawn, baseline=LABEL_WIDTH)
