"""Reminders of cooperation agreements, through the mail outbox (the daily task and
``manage.py send_agreement_reminders``).

- **Expiring.** An active agreement that ends within ``LIBRANET_AGREEMENT_REMINDER_DAYS``
  (90 and 30 days by default) is named once at each of those marks (the agreement keeps which
  mark it was last named at, for its current end date: a prolonged agreement starts over). The
  network department gets every such agreement; international relations those of foreign
  centers; each regional-center head those of their region's centers.
- **Renewals stuck.** A renewal still short of the Library's signature after its round's
  deadline is named once a week (ISO week in the key): to the department all, to a head those
  of their region waiting for the partner's signature (their step), to international
  relations the foreign ones.

Each recipient gets one message per run listing what concerns them, in their language.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from libranet.mail.models import OutgoingMail
from libranet.mail.services import mail_send
from libranet.network.models import Center, StaffRole

from .models import Agreement, Renewal

Role = StaffRole.Role
EXPIRING_TEMPLATE = "agreements_expiring"
OVERDUE_TEMPLATE = "agreements_overdue"


@dataclass(frozen=True)
class ReminderOutcome:
    expiring: int  # agreements named in this run's expiring reminders
    overdue: int  # renewals past their round's deadline
    queued: int  # messages stored in the outbox by this run


def reminder_mark(days_left: int) -> int | None:
    """The nearest reminder mark (days before the end) that ``days_left`` has reached."""
    reached = [mark for mark in settings.LIBRANET_AGREEMENT_REMINDER_DAYS if days_left <= mark]
    return min(reached) if reached else None


def _recipients() -> list[tuple[str, str, StaffRole]]:
    """(address, language, role) of every active staff member with an address who gets
    agreement reminders: the network department, international relations, regional heads."""
    roles = (
        StaffRole.objects.filter(
            role__in=[Role.NETWORK_DEPARTMENT, Role.INTERNATIONAL, Role.REGIONAL_HEAD],
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__username", "pk")
    )
    return [(r.user.email, r.user.preferred_language, r) for r in roles]


def _concerns(role: StaffRole, center: Center | None) -> bool:
    if role.role == Role.NETWORK_DEPARTMENT:
        return True
    if center is None:
        return False
    if role.role == Role.INTERNATIONAL:
        return center.kind == Center.Kind.FOREIGN
    return center.kind != Center.Kind.FOREIGN and center.region_id == role.region_id


def _link(language: str, name: str, **kwargs: Any) -> str:
    with translation.override(language):
        return settings.LIBRANET_SITE_URL + reverse(name, kwargs=kwargs)


def _group(
    items: list[Any], center_of: Any, *, only: Any = None
) -> dict[tuple[str, str], list[Any]]:
    """The items each (address, language) gets, once per address whatever its roles."""
    by_address: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for email, language, role in _recipients():
        for item in items:
            if _concerns(role, center_of(item)) and (only is None or only(role, item)):
                if item not in by_address[(email, language)]:
                    by_address[(email, language)].append(item)
    return by_address


def agreement_reminders_send(*, today: datetime.date | None = None) -> ReminderOutcome:
    """Queue the day's reminders (see the module's docstring); safe to run twice a day."""
    today = today or timezone.localdate()
    outbox = OutgoingMail.objects.filter(template__in=[EXPIRING_TEMPLATE, OVERDUE_TEMPLATE])
    already_queued = outbox.count()
    with transaction.atomic():
        horizon = max(settings.LIBRANET_AGREEMENT_REMINDER_DAYS, default=0)
        candidates = (
            Agreement.objects.with_relations()
            .select_for_update(of=("self",))
            .expiring_within(horizon, today)
            .order_by("ends_on", "pk")
        )
        due = []
        for agreement in candidates:
            mark = reminder_mark((agreement.ends_on - today).days)
            already = (
                agreement.reminded_ends_on == agreement.ends_on
                and agreement.reminded_days is not None
                and agreement.reminded_days <= (mark or 0)
            )
            if mark is not None and not already:
                agreement.reminded_days, agreement.reminded_ends_on = mark, agreement.ends_on
                agreement.save(update_fields=["reminded_days", "reminded_ends_on"])
                due.append(agreement)
        for (email, language), agreements in _group(due, lambda a: a.center).items():
            mail_send(
                to=email,
                template=EXPIRING_TEMPLATE,
                language=language,
                key=f"agreements-expiring:{today.isoformat()}",
                context={
                    "today": today,
                    "rows": [
                        {
                            "agreement": a,
                            "days_left": (a.ends_on - today).days,
                            "link": _link(language, "agreements:detail", pk=a.pk),
                        }
                        for a in agreements
                    ],
                    "list_link": _link(language, "agreements:list"),
                },
            )
        overdue = list(
            Renewal.objects.filter(round__deadline__lt=today)
            .exclude(step=Renewal.Step.LIBRARY_SIGNED)
            .select_related("round", "agreement__institution", "agreement__center")
            .order_by("round__deadline", "round_id", "pk")
        )
        year, week, _day = today.isocalendar()

        def head_step(role: StaffRole, renewal: Renewal) -> bool:
            # A head is reminded only of the step that is theirs: the partner's signature.
            return role.role != Role.REGIONAL_HEAD or renewal.step == Renewal.Step.SENT

        grouped = _group(overdue, lambda r: r.agreement.center, only=head_step)
        for (email, language), renewals in grouped.items():
            mail_send(
                to=email,
                template=OVERDUE_TEMPLATE,
                language=language,
                key=f"agreements-overdue:{year}-W{week:02d}",
                context={
                    "today": today,
                    "rows": [
                        {
                            "renewal": r,
                            "link": _link(language, "agreements:round", pk=r.round_id),
                        }
                        for r in renewals
                    ],
                },
            )
        queued = outbox.count() - already_queued
    return ReminderOutcome(expiring=len(due), overdue=len(overdue), queued=queued)
