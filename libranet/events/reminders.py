"""Reminders of the joint-event reports: on each of ``LIBRANET_JOINT_EVENT_REMINDER_DAYS``
before a round's deadline (and on the deadline's day), the heads of the regional centers whose
report is still pending get a message, through the outbox with the key
``joint-events:<round>:<center>:<days>``, so a second run the same day queues nothing."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from libranet.campaigns.mailing import head_addresses
from libranet.mail.models import OutgoingMail
from libranet.mail.services import mail_send

from .models import JointEventReport, ReportingRound

TEMPLATE = "joint_event_reminder"


@dataclass
class ReminderOutcome:
    queued: int = 0
    already: int = 0


def _link(report: JointEventReport, language: str) -> str:
    with translation.override(language):
        path = reverse("events_office:report", kwargs={"pk": report.pk})
    return settings.LIBRANET_SITE_URL + path


def reminder_days() -> set[int]:
    return {int(d) for d in settings.LIBRANET_JOINT_EVENT_REMINDER_DAYS} | {0}


@transaction.atomic
def joint_event_reminders_send(*, today: datetime.date | None = None) -> ReminderOutcome:
    today = today or timezone.localdate()
    outcome = ReminderOutcome()
    days = reminder_days()
    for round_ in ReportingRound.objects.filter(deadline__gte=today):
        days_left = (round_.deadline - today).days
        if days_left not in days:
            continue
        pending = round_.reports.filter(state=JointEventReport.State.PENDING).select_related(
            "regional_center"
        )
        for report in pending:
            center = report.regional_center
            key = f"joint-events:{round_.pk}:{center.code}:{days_left}"
            for to, language in head_addresses(center.region_id, fallback=center):
                if OutgoingMail.objects.filter(template=TEMPLATE, recipient=to, key=key).exists():
                    outcome.already += 1
                    continue
                context: dict[str, Any] = {
                    "round": round_,
                    "center": center,
                    "days_left": days_left,
                    "link": _link(report, language),
                }
                mail_send(to=to, template=TEMPLATE, context=context, language=language, key=key)
                outcome.queued += 1
    return outcome
