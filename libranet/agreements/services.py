"""State changes of cooperation agreements and their renewals, each with its rules, in one
transaction, audited. Every door (the back office, the API, the daily task, ``seed_demo``)
calls these; ``actor`` None is the system itself (the task, the demo), which no role limits.
"""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from libranet.audit.services import audit_record, model_changes
from libranet.network.models import Center, Institution, Region
from libranet.network.permissions import Capability, agreements_scope, can, can_on_agreement
from libranet.network.services import ScopeError
from libranet.revisions import revision_bump, revision_check

from .models import Agreement, Prolongation, Renewal, RenewalRound

Step = Renewal.Step
Status = Agreement.Status

AGREEMENT_FIELDS = (
    "number",
    "institution",
    "center",
    "signed_on",
    "starts_on",
    "ends_on",
    "prolongation",
    "notice_days",
    "notes",
)
# Each step of a renewal and the one that may follow it: in this order only.
NEXT_STEP: dict[str, str] = {
    Step.PENDING: Step.SENT,
    Step.SENT: Step.PARTNER_SIGNED,
    Step.PARTNER_SIGNED: Step.LIBRARY_SIGNED,
}
SCAN_TYPES = {  # the file's first bytes, by what a scan may be
    "pdf": b"%PDF-",
    "jpeg": b"\xff\xd8\xff",
    "png": b"\x89PNG\r\n\x1a\n",
}
SCAN_SUFFIXES = {"pdf": "pdf", "jpg": "jpeg", "jpeg": "jpeg", "png": "png"}


class AgreementError(ValidationError):
    """A rule of agreements was broken; carries messages by field like ValidationError."""


def _authorize(actor: Any, capability: Capability, center: Center | None, field: str) -> None:
    if actor is None or can_on_agreement(actor, capability, center):
        return
    raise ScopeError({field: _("Your role does not allow this for this agreement.")})


def _labels() -> dict[str, str]:
    fields = (Agreement._meta.get_field(name) for name in AGREEMENT_FIELDS)
    return {f.name: str(getattr(f, "verbose_name", f.name)) for f in fields}


def term_end(starts_on: datetime.date, years: int) -> datetime.date:
    """The last day of a term of ``years`` years from ``starts_on``."""
    try:
        return _add_years(starts_on, years) - datetime.timedelta(days=1)
    except (ValueError, OverflowError) as exc:
        raise AgreementError({"term_years": _("The term ends after the year 9999.")}) from exc


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def _day_after(day: datetime.date) -> datetime.date:
    try:
        return day + datetime.timedelta(days=1)
    except OverflowError as exc:
        raise AgreementError({"starts_on": _("Give the renewed agreement's start.")}) from exc


def _validate(agreement: Agreement) -> None:
    """The agreement's fields and rules; a broken one is refused naming its field."""
    errors: dict[str, list[str]] = {}
    try:
        agreement.full_clean(exclude=["scan"], validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
    if agreement.starts_on and agreement.ends_on and agreement.ends_on < agreement.starts_on:
        errors.setdefault("ends_on", []).append(_("An agreement cannot end before it starts."))
    if agreement.center is not None and agreement.institution_id:
        if agreement.center.institution_id != agreement.institution_id:
            errors.setdefault("center", []).append(
                _("This center is hosted by another institution.")
            )
    if agreement.status == Status.ACTIVE and agreement.signed_on is None:
        errors.setdefault("signed_on", []).append(_("An active agreement has its signing date."))
    if agreement.number and agreement.institution_id and agreement.starts_on:
        same = Agreement.objects.filter(
            institution_id=agreement.institution_id,
            number__iexact=agreement.number.strip(),
            starts_on__year=agreement.starts_on.year,
        ).exclude(pk=agreement.pk)
        if same.exists():
            errors.setdefault("number", []).append(
                _("This partner already has an agreement № {number} of {year}.").format(
                    number=agreement.number, year=agreement.starts_on.year
                )
            )
    if errors:
        raise AgreementError(errors)


def _resolve_dates(fields: dict[str, Any], term_years: int | None) -> None:
    """``term_years`` instead of ``ends_on``: the end is the term's last day."""
    if term_years is None:
        return
    if term_years < 1 or term_years > 50:
        raise AgreementError({"term_years": _("A term is 1 to 50 years.")})
    if fields.get("starts_on") is None:
        raise AgreementError({"starts_on": _("This field is required.")})
    fields["ends_on"] = term_end(fields["starts_on"], term_years)


def _snapshot(agreement: Agreement) -> dict[str, Any]:
    return {name: getattr(agreement, name) for name in AGREEMENT_FIELDS}


@transaction.atomic
def agreement_create(
    *,
    actor: Any,
    number: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None = None,
    term_years: int | None = None,
    institution: Institution | None = None,
    center: Center | None = None,
    signed_on: datetime.date | None = None,
    prolongation: str = Prolongation.NONE,
    notice_days: int = 30,
    notes: str = "",
    active: bool = False,
    replaces: Agreement | None = None,
) -> Agreement:
    """Register an agreement (a draft, or ``active`` once signed). The partner is the
    institution, by default the center's host; the end is ``ends_on`` or ``term_years`` on."""
    _authorize(actor, Capability.MANAGE_AGREEMENTS, center, "center")
    fields: dict[str, Any] = {"starts_on": starts_on, "ends_on": ends_on}
    _resolve_dates(fields, term_years)
    if institution is None and center is not None:
        institution = center.institution
    if institution is None:
        raise AgreementError({"institution": _("Name the partner institution or the center.")})
    agreement = Agreement(
        number=(number or "").strip(),
        institution=institution,
        center=center,
        signed_on=signed_on,
        prolongation=prolongation,
        notice_days=notice_days,
        notes=notes,
        status=Status.ACTIVE if active else Status.DRAFT,
        replaces=replaces,
        **fields,
    )
    _validate(agreement)
    agreement.save()
    audit_record(
        actor=actor,
        action="agreement.create",
        obj=agreement,
        changes=model_changes({}, {**_snapshot(agreement), "status": agreement.status}),
    )
    return agreement


def _locked(agreement: Agreement) -> Agreement:
    # Only the agreement's row is locked: its center is an outer join, which PostgreSQL cannot lock.
    return (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("center")
        .get(pk=agreement.pk)
    )


@transaction.atomic
def agreement_update(
    *, actor: Any, agreement: Agreement, revision: int | None, **fields: Any
) -> Agreement:
    """Change the given fields of an agreement; ``revision`` is the one the editor was shown
    (a save from an older one is refused with ``EditConflict``). ``term_years`` may stand
    for ``ends_on``."""
    agreement = _locked(agreement)
    _authorize(actor, Capability.MANAGE_AGREEMENTS, agreement.center, "center")
    term_years = fields.pop("term_years", None)
    if term_years is not None:
        fields.setdefault("starts_on", agreement.starts_on)
        _resolve_dates(fields, term_years)
    unknown = set(fields) - set(AGREEMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown agreement fields: {', '.join(sorted(unknown))}")
    if "institution" in fields and fields["institution"] is None:
        center = fields.get("center", agreement.center)
        if center is not None:  # as on creation: the partner defaults to the center's host
            fields["institution"] = center.institution
    revision_check(agreement, revision, fields, _labels())
    if "center" in fields and fields["center"] != agreement.center:
        _authorize(actor, Capability.MANAGE_AGREEMENTS, fields["center"], "center")
    before = _snapshot(agreement)
    for name, value in fields.items():
        setattr(agreement, name, value.strip() if name == "number" else value)
    _validate(agreement)
    changes = model_changes(before, _snapshot(agreement))
    if changes:
        revision_bump(agreement)
        audit_record(actor=actor, action="agreement.update", obj=agreement, changes=changes)
    return agreement


@transaction.atomic
def agreement_activate(
    *, actor: Any, agreement: Agreement, signed_on: datetime.date | None
) -> Agreement:
    """A draft signed by both parties: it becomes active."""
    agreement = _locked(agreement)
    _authorize(actor, Capability.MANAGE_AGREEMENTS, agreement.center, "center")
    if agreement.status != Status.DRAFT:
        raise AgreementError({"status": _("Only a draft can be made active.")})
    agreement.signed_on = signed_on
    agreement.status = Status.ACTIVE
    _validate(agreement)
    revision_bump(agreement, ["signed_on", "status", "updated_at"])
    audit_record(
        actor=actor,
        action="agreement.activate",
        obj=agreement,
        changes={"status": [Status.DRAFT, Status.ACTIVE], "signed_on": [None, str(signed_on)]},
    )
    return agreement


def scan_check(file: UploadedFile) -> str:
    """The scan's kind (pdf, jpeg, png), from its name and its first bytes; else refused
    naming the field ``scan``."""
    limit = settings.LIBRANET_AGREEMENT_SCAN_MAX_BYTES
    if file.size is None or file.size == 0:
        raise AgreementError({"scan": _("The file is empty.")})
    if file.size > limit:
        raise AgreementError(
            {
                "scan": _("The file is larger than {size} MB.").format(
                    size=round(limit / 1024 / 1024, 1)
                )
            }
        )
    suffix = (file.name or "").rsplit(".", 1)[-1].lower() if "." in (file.name or "") else ""
    kind = SCAN_SUFFIXES.get(suffix)
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if kind is None or not head.startswith(SCAN_TYPES[kind]):
        raise AgreementError({"scan": _("A scan is a PDF, JPEG or PNG file.")})
    return kind


@transaction.atomic
def agreement_attach_scan(*, actor: Any, agreement: Agreement, file: UploadedFile) -> Agreement:
    """Keep the signed scan of an agreement (a PDF, JPEG or PNG up to the size limit),
    replacing the one it had."""
    agreement = _locked(agreement)
    _authorize(actor, Capability.MANAGE_AGREEMENTS, agreement.center, "scan")
    scan_check(file)
    old = agreement.scan.name if agreement.scan else ""
    agreement.scan.save(file.name, file, save=False)
    # No new revision: the scan is no field of the edit form, so an editor has nothing to lose.
    agreement.save(update_fields=["scan", "updated_at"])
    if old:
        storage = agreement.scan.storage
        transaction.on_commit(lambda: storage.delete(old), robust=True)  # a store down: logged
    audit_record(
        actor=actor,
        action="agreement.scan",
        obj=agreement,
        changes={"file": file.name, "size": file.size},
    )
    return agreement


@transaction.atomic
def agreement_terminate(
    *, actor: Any, agreement: Agreement, terminated_on: datetime.date | None, note: str = ""
) -> Agreement:
    """End an agreement before its term (or withdraw a draft); the record stays."""
    agreement = _locked(agreement)
    _authorize(actor, Capability.MANAGE_AGREEMENTS, agreement.center, "center")
    if agreement.status not in (Status.DRAFT, Status.ACTIVE):
        raise AgreementError({"status": _("This agreement is no longer in force.")})
    if terminated_on is None:
        raise AgreementError({"terminated_on": _("This field is required.")})
    if terminated_on < agreement.starts_on:
        raise AgreementError(
            {"terminated_on": _("An agreement cannot be terminated before it starts.")}
        )
    before = agreement.status
    agreement.status = Status.TERMINATED
    agreement.terminated_on = terminated_on
    if note:
        agreement.notes = f"{agreement.notes}\n{note}".strip()
    revision_bump(agreement, ["status", "terminated_on", "notes", "updated_at"])
    audit_record(
        actor=actor,
        action="agreement.terminate",
        obj=agreement,
        changes={"status": [before, Status.TERMINATED], "terminated_on": str(terminated_on)},
    )
    return agreement


def prolonged_end(agreement: Agreement, today: datetime.date) -> datetime.date:
    """The end after as many automatic prolongations as reach ``today``: by a year each, or
    by the agreement's own term (from its start to its end, as signed)."""
    ends_on = agreement.ends_on
    term = ends_on - agreement.starts_on + datetime.timedelta(days=1)
    years = 0
    while ends_on < today:
        if agreement.prolongation == Prolongation.YEARLY:
            years += 1
            ends_on = _add_years(agreement.ends_on, years)
        else:
            ends_on += term
    return ends_on


def agreements_prolong(*, today: datetime.date | None = None) -> list[Agreement]:
    """Extend every active agreement with automatic prolongation whose end has passed, by its
    term as many times as needed to cover ``today`` (the daily task; safe to run twice)."""
    today = today or timezone.localdate()
    done = []
    due = Agreement.objects.filter(status=Status.ACTIVE, ends_on__lt=today).exclude(
        prolongation=Prolongation.NONE
    )
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            agreement = Agreement.objects.select_for_update().get(pk=pk)
            if agreement.status != Status.ACTIVE or agreement.ends_on >= today:
                continue
            before = agreement.ends_on
            agreement.ends_on = prolonged_end(agreement, today)
            revision_bump(agreement, ["ends_on", "updated_at"])
            audit_record(
                actor=None,
                action="agreement.prolong",
                obj=agreement,
                changes={"ends_on": [str(before), str(agreement.ends_on)]},
            )
            done.append(agreement)
    return done


# --- renewal rounds ----------------------------------------------------------------------------


@transaction.atomic
def renewal_round_create(
    *,
    actor: Any,
    title: str,
    year: int,
    deadline: datetime.date | None,
    expiring_before: datetime.date | None = None,
    region: Region | None = None,
) -> RenewalRound:
    """Start a renewal round: one renewal for every active agreement the actor manages that
    ends before ``expiring_before`` and/or concerns a center of ``region`` (those already in an
    unfinished round are left to it)."""
    if actor is not None and not can(actor, Capability.MANAGE_AGREEMENTS):
        raise ScopeError(_("Your role does not allow this change."))
    round_ = RenewalRound(
        title=(title or "").strip(),
        year=year,
        deadline=deadline,  # type: ignore[misc]  # missing: full_clean names the field
        expiring_before=expiring_before,
        region=region,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    errors: dict[str, list[str]] = {}
    try:
        round_.full_clean()
    except ValidationError as exc:
        errors = exc.message_dict
    if year is not None and not 2000 <= year <= 2100:
        errors.setdefault("year", []).append(_("Give a year between 2000 and 2100."))
    if expiring_before is None and region is None:
        errors.setdefault("expiring_before", []).append(
            _("Choose the agreements: those ending before a date, those of a region, or both.")
        )
    if errors:
        raise AgreementError(errors)
    covered = Agreement.objects.filter(status=Status.ACTIVE).exclude(
        renewals__step__in=[Step.PENDING, Step.SENT, Step.PARTNER_SIGNED]
    )
    if actor is not None:
        covered = covered.filter(agreements_scope(actor, Capability.MANAGE_AGREEMENTS))
    if expiring_before is not None:
        covered = covered.filter(ends_on__lt=expiring_before)
    if region is not None:
        covered = covered.filter(center__region=region)
    agreements = list(covered.order_by("ends_on", "pk"))
    if not agreements:
        raise AgreementError(
            {"expiring_before": _("No active agreement you manage matches this choice.")}
        )
    round_.save()
    Renewal.objects.bulk_create(Renewal(round=round_, agreement=a) for a in agreements)
    audit_record(
        actor=actor,
        action="renewal_round.create",
        obj=round_,
        changes={"agreements": [a.number for a in agreements]},
    )
    return round_


def renewal_step_allowed(user: Any, renewal: Renewal, step: str) -> bool:
    """May ``user`` record ``step`` of ``renewal``? The partner's signature: whoever records
    it for the agreement's center (a regional-center head for their region); the other steps:
    those who manage the agreement."""
    capability = (
        Capability.RECORD_PARTNER_SIGNATURE
        if step == Step.PARTNER_SIGNED
        else Capability.MANAGE_AGREEMENTS
    )
    return can_on_agreement(user, capability, renewal.agreement.center)


@transaction.atomic
def renewal_advance(
    *,
    actor: Any,
    renewal: Renewal,
    step: str,
    on: datetime.date | None = None,
    note: str = "",
    number: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    term_years: int | None = None,
    scan: UploadedFile | None = None,
) -> Renewal:
    """Record the next step of a renewal, dated ``on`` (default today). Steps go in order
    only. The Library's signature completes it: the renewed agreement (``number``, its dates,
    its signed ``scan`` if given) is made active in place of the old one, which is marked
    renewed."""
    renewal = (
        Renewal.objects.select_for_update(of=("self",))
        .select_related("agreement__center", "agreement__institution", "round")
        .get(pk=renewal.pk)
    )
    if step not in Step.values:
        raise AgreementError({"step": _("Unknown step.")})
    if actor is not None and not renewal_step_allowed(actor, renewal, step):
        raise ScopeError({"step": _("Your role does not allow this for this agreement.")})
    expected = NEXT_STEP.get(renewal.step)
    if step != expected:
        if expected is None:
            message = _("This renewal is complete.")
        else:
            message = _("The renewal is at “{current}”: the next step is “{next}”.").format(
                current=Step(renewal.step).label, next=Step(expected).label
            )
        raise AgreementError({"step": message})
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise AgreementError({"on": _("A step cannot be dated in the future.")})
    previous = renewal.partner_signed_on or renewal.sent_on
    if previous and on < previous:
        raise AgreementError({"on": _("A step cannot be dated before the step before it.")})
    by = actor if getattr(actor, "pk", None) else None
    before = renewal.step
    if step == Step.SENT:
        renewal.sent_on, renewal.sent_by = on, by
    elif step == Step.PARTNER_SIGNED:
        renewal.partner_signed_on, renewal.partner_signed_by = on, by
    else:
        old = renewal.agreement
        if not (number or "").strip():
            raise AgreementError({"number": _("Give the renewed agreement's number.")})
        renewed = agreement_create(
            actor=actor,
            number=number,
            institution=old.institution,
            center=old.center,
            signed_on=on,
            starts_on=starts_on or _day_after(old.ends_on),
            ends_on=ends_on,
            term_years=term_years if ends_on is None else None,
            prolongation=old.prolongation,
            notice_days=old.notice_days,
            active=True,
            replaces=old,
        )
        if scan is not None:
            agreement_attach_scan(actor=actor, agreement=renewed, file=scan)
        Agreement.objects.filter(pk=old.pk).update(status=Status.RENEWED)
        audit_record(
            actor=actor,
            action="agreement.renew",
            obj=old,
            changes={"status": [old.status, Status.RENEWED], "renewed": renewed.number},
        )
        renewal.library_signed_on, renewal.library_signed_by = on, by
        renewal.renewed = renewed
    renewal.step = step
    if note:
        renewal.note = note[:500]
    renewal.save()
    audit_record(
        actor=actor,
        action="renewal.step",
        obj=renewal,
        changes={"step": [before, step], "on": str(on)},
    )
    return renewal
