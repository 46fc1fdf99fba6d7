"""Demo agreements (``manage.py seed_demo``): one for every regional center and for most remote
access and foreign centers' host institutions, their ends spread so that some end within 90
days and a few have ended; a renewal round of this year with agreements at each step; a small
generated PDF scan for a few. Dates are relative to today: the demo runs on any day."""

import datetime
import random
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from libranet.network.models import Center

from .models import Agreement, Prolongation, Renewal
from .services import (
    agreement_attach_scan,
    agreement_create,
    renewal_advance,
    renewal_round_create,
    term_end,
)

SCANS = 8  # agreements given a generated scan


@dataclass(frozen=True)
class SeededAgreements:
    agreements: int
    renewals: int
    scans: int


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF saying ``text`` (ASCII), with a correct cross-reference table."""
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
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


def _end_offset(rng: random.Random) -> int:
    """Days from today to an agreement's end: a few past, some within 90 days, most later."""
    draw = rng.random()
    if draw < 0.08:
        return -rng.randint(5, 300)
    if draw < 0.28:
        return rng.randint(3, 90)
    return rng.randint(91, 1700)


def seed_agreements(*, seed: int = 2018) -> SeededAgreements:
    """The demo's agreements and this year's renewal round (see the module's docstring)."""
    rng = random.Random(seed)  # noqa: S311 (deterministic demo data, not secrets)
    today = timezone.localdate()
    centers = Center.objects.filter(
        status__in=[Center.Status.OPEN, Center.Status.SUSPENDED]
    ).select_related("institution", "region")
    made: list[Agreement] = []
    seen_institutions: set[int] = set()
    for number, center in enumerate(centers.order_by("kind_rank", "code"), start=1):
        # Most remote access and foreign centers' hosts, every regional center (and branch).
        if center.kind in (Center.Kind.REMOTE, Center.Kind.FOREIGN) and rng.random() < 0.15:
            continue
        if center.institution_id in seen_institutions and center.kind != Center.Kind.REGIONAL:
            continue  # one agreement per host institution
        seen_institutions.add(center.institution_id)
        ends_on = today + datetime.timedelta(days=_end_offset(rng))
        years = rng.choice((3, 5, 5, 5))
        starts_on = term_end(ends_on, -years) + datetime.timedelta(days=2)
        while starts_on > today - datetime.timedelta(days=30):  # in force: signed before today
            years += 1
            starts_on = term_end(ends_on, -years) + datetime.timedelta(days=2)
        made.append(
            agreement_create(
                actor=None,
                number=f"{number:03d}/{starts_on.year}-ПБ",
                center=center,
                signed_on=starts_on - datetime.timedelta(days=rng.randint(1, 20)),
                starts_on=starts_on,
                ends_on=ends_on,
                prolongation=rng.choice(
                    (Prolongation.NONE, Prolongation.NONE, Prolongation.YEARLY)
                ),
                active=True,
                notes="" if rng.random() < 0.8 else "Подлинник хранится в ОМиМС.",
            )
        )
    for agreement in made[:SCANS]:
        pdf = minimal_pdf(f"Cooperation agreement No {agreement.pk}")
        agreement_attach_scan(
            actor=None,
            agreement=agreement,
            file=SimpleUploadedFile("scan.pdf", pdf, content_type="application/pdf"),
        )
    renewals = 0
    if any(a.ends_on < today + datetime.timedelta(days=120) for a in made):
        round_ = renewal_round_create(
            actor=None,
            title=f"Перезаключение соглашений {today.year}",
            year=today.year,
            deadline=today + datetime.timedelta(days=45),
            expiring_before=today + datetime.timedelta(days=120),
        )
        steps = ["sent", "partner_signed", "library_signed"]
        for index, renewal in enumerate(round_.renewals.select_related("agreement")):
            # About a third still pending, the rest spread over the three steps.
            reach = index % 6 - 2
            for position, step in enumerate(steps[: max(reach, 0)]):
                on = today - datetime.timedelta(days=30 - 10 * position)
                extra = {}
                if step == Renewal.Step.LIBRARY_SIGNED:
                    extra = {"number": f"{renewal.agreement.number}-Н", "term_years": 5}
                renewal_advance(actor=None, renewal=renewal, step=step, on=on, **extra)
        renewals = round_.renewals.count()
    return SeededAgreements(agreements=len(made), renewals=renewals, scans=min(SCANS, len(made)))
