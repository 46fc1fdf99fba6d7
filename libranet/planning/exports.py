"""A round's plan as a download: XLSX (the registry's table writer: numbers stay numbers,
text never a formula) and PDF (fpdf2, with DejaVu Sans embedded for Cyrillic; the font comes
from the npm package ``dejavu-fonts-ttf``, copied with its licence by ``make vendor``). Both in
the active language, the same figures the page shows."""

import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from libranet.network.importexport import write_xlsx

from .selectors import Plan

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"
FONT_DIR = Path(settings.BASE_DIR) / "libranet" / "static" / "vendor" / "dejavu-fonts-ttf"


def _month(month: Any) -> str:
    return date_format(month, "M")


def plan_columns(plan: Plan) -> list[str]:
    columns = [_("Region")]
    for month in plan.months:
        columns += [
            _("{month}: planned").format(month=_month(month)),
            _("{month}: opened").format(month=_month(month)),
        ]
    return [*columns, _("Planned in all"), _("Opened in all")]


def plan_rows(plan: Plan) -> list[list[Any]]:
    """The table: a row per region, then the totals."""
    rows: list[list[Any]] = []
    for row in plan.rows:
        rows.append(
            [row.region.name, *[n for cell in row.cells for n in cell], row.planned, row.opened]
        )
    rows.append([_("Total"), *[n for cell in plan.totals for n in cell], plan.planned, plan.opened])
    return rows


def plan_xlsx(plan: Plan) -> bytes:
    columns = plan_columns(plan)
    return write_xlsx(
        [dict(zip(columns, row, strict=True)) for row in plan_rows(plan)],
        columns=columns,
        sheet_title=str(plan.round.year),
    )


def plan_pdf(plan: Plan) -> bytes:
    """A landscape A4 page: the title, the regions × months table (planned / opened in each
    cell), then the approved proposals with their planned month and state in the registry."""
    from fpdf import FPDF  # loaded only when a PDF is asked for

    pdf = FPDF(orientation="L", format="A4")
    pdf.set_title(str(plan.round))
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.cell(0, 8, str(plan.round), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(
        0,
        6,
        _("Planned against opened: {planned} planned, {opened} opened.").format(
            planned=plan.planned, opened=plan.opened
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 7)
    widths = (52, *([17] * 12), 17)
    with pdf.table(col_widths=widths, text_align="CENTER", line_height=5) as table:
        header = table.row()
        for title in [_("Region"), *[_month(m) for m in plan.months], _("Total")]:
            header.cell(title)
        for name, cells, planned, opened in [
            (r.region.name, r.cells, r.planned, r.opened) for r in plan.rows
        ] + [(_("Total"), plan.totals, plan.planned, plan.opened)]:
            line = table.row()
            line.cell(str(name), align="LEFT")
            for planned_here, opened_here in cells:
                line.cell(f"{planned_here} / {opened_here}" if planned_here else "")
            line.cell(f"{planned} / {opened}")
    pdf.ln(2)
    pdf.cell(0, 5, _("In each cell: planned / opened."), new_x="LMARGIN", new_y="NEXT")
    if plan.proposals:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(0, 6, _("Approved proposals"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 8)
        with pdf.table(col_widths=(45, 95, 30, 30, 40), line_height=5) as table:
            header = table.row()
            for title in (_("Region"), _("Center"), _("Planned month"), _("Code"), _("Status")):
                header.cell(title)
            for proposal in plan.proposals:
                line = table.row()
                line.cell(str(proposal.region.name))
                line.cell(proposal.name)
                line.cell(date_format(proposal.planned_month, "F Y"))
                line.cell(proposal.center.code if proposal.center else "")
                line.cell(str(proposal.center.get_status_display()) if proposal.center else "")
    buffer = io.BytesIO()
    pdf.output(buffer)
    return buffer.getvalue()
