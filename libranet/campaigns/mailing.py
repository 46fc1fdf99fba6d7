"""The mail of monitoring campaigns, through the outbox (``mail_send`` with a key, so that each
message is queued once however often the job runs):

- reminders (``campaign_reminders_send``, daily on the schedule): to each center of an open
  campaign that has not submitted, ``LIBRANET_CAMPAIGN_REMINDER_DAYS`` days before the deadline
  (the nearest such day reached: a missed day is caught up, a reminder never sent twice); once
  after the deadline, to the late centers and their regional-center heads;
- the results (``campaign_results_send``, the department's button or a command): the summary,
  the network's and their region's, to each regional center's heads (decision 3 of the 2020
  resolution).

A center is mailed at its operators' addresses, else its own; a regional center at its
region's heads' addresses, else its own (as the zero-usage mailing does).
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from libranet.audit.services import audit_record
from libranet.mail.models import OutgoingMail
from libranet.mail.services import mail_send
from libranet.network.models import Center, StaffRole

from .models import Campaign, Response
from .selectors import Completion, campaign_results, covered_centers
from .services import require_manager

Role = StaffRole.Role
REMINDER_TEMPLATE = "campaign_reminder"
LATE_TEMPLATE = "campaign_late"
RESULTS_TEMPLATE = "campaign_results"


def _link(name: str, language: str, **kwargs: Any) -> str:
    with translation.override(language):
        path = reverse(name, kwargs=kwargs)
    return settings.LIBRANET_SITE_URL + path


def staff_addresses(roles: Any) -> list[tuple[str, str]]:
    """(address, language) of the active holders of ``roles`` with an address, once each."""
    seen: dict[str, tuple[str, str]] = {}
    for role in roles.filter(user__is_active=True).exclude(user__email="").select_related("user"):
        seen.setdefault(role.user.email.lower(), (role.user.email, role.user.preferred_language))
    return sorted(seen.values())


def center_addresses(center: Center) -> list[tuple[str, str]]:
    """Who answers for a center: its operators, else the center's own address (in Russian)."""
    addresses = staff_addresses(StaffRole.objects.filter(role=Role.CENTER_OPERATOR, center=center))
    if not addresses and center.email:
        addresses = [(center.email, settings.LANGUAGE_CODE)]
    return addresses


def head_addresses(region_id: int | None, fallback: Center | None = None) -> list[tuple[str, str]]:
    """A region's regional-center heads, else the regional center's own address."""
    addresses = (
        staff_addresses(StaffRole.objects.filter(role=Role.REGIONAL_HEAD, region_id=region_id))
        if region_id
        else []
    )
    if not addresses and fallback is not None and fallback.email:
        addresses = [(fallback.email, settings.LANGUAGE_CODE)]
    return addresses


@dataclass
class ReminderOutcome:
    queued: int = 0
    already: int = 0
    without_address: list[Center] = field(default_factory=list)


def _reminder_day(days_left: int) -> int | None:
    """The reminder due with ``days_left`` days to the deadline: the nearest configured one
    reached (so a day the job did not run is caught up), None before the first."""
    reached = [n for n in settings.LIBRANET_CAMPAIGN_REMINDER_DAYS if n >= days_left]
    return min(reached) if reached else None


def campaign_reminders_send(*, today: datetime.date | None = None) -> ReminderOutcome:
    """Queue the reminders due ``today`` (default: today) for every open campaign."""
    today = today or timezone.localdate()
    outcome = ReminderOutcome()
    campaigns = Campaign.objects.filter(
        state=Campaign.State.OPEN, opens_on__lte=today, results_sent_at__isnull=True
    )
    with transaction.atomic():
        for campaign in campaigns:
            days_left = (campaign.deadline - today).days
            late = days_left < 0
            which = "late" if late else _reminder_day(days_left)
            if which is None:
                continue
            submitted = Response.objects.filter(
                campaign=campaign, state=Response.State.SUBMITTED
            ).values("center_id")
            reopened = Response.objects.filter(campaign=campaign, reopened_until__gte=today).values(
                "center_id"
            )
            waiting = covered_centers(campaign).exclude(pk__in=submitted)
            if late:  # a center reopened is not late until its new day passes
                waiting = waiting.exclude(pk__in=reopened)
            for center in waiting.order_by("code"):
                addresses = center_addresses(center)
                if late and center.kind != Center.Kind.FOREIGN:
                    addresses += [a for a in head_addresses(center.region_id) if a not in addresses]
                if not addresses:
                    outcome.without_address.append(center)
                key = f"campaign:{campaign.pk}:{center.code}:{which if late else f'd{which}'}"
                for to, language in addresses:
                    known = OutgoingMail.objects.filter(
                        template=LATE_TEMPLATE if late else REMINDER_TEMPLATE, recipient=to, key=key
                    ).exists()
                    mail_send(
                        to=to,
                        template=LATE_TEMPLATE if late else REMINDER_TEMPLATE,
                        context={
                            "campaign": campaign,
                            "center": center,
                            "days_left": days_left,
                            "link": _link(
                                "campaigns:response",
                                language,
                                pk=campaign.pk,
                                code=center.code,
                            ),
                        },
                        language=language,
                        key=key,
                    )
                    if known:
                        outcome.already += 1
                    else:
                        outcome.queued += 1
    return outcome


@dataclass
class ResultsOutcome:
    queued: int = 0
    already: int = 0
    without_address: list[Center] = field(default_factory=list)


def _summary(campaign: Campaign, centers: list[Center], submitted: set[int]) -> dict[str, Any]:
    return {
        "completion": Completion("", sum(c.pk in submitted for c in centers), len(centers)),
        "results": campaign_results(campaign, centers),
    }


def campaign_results_send(*, actor: Any, campaign: Campaign) -> ResultsOutcome:
    """Mail the campaign's results to every open regional center: the network's summary and
    their region's; once per campaign and recipient. Records when they were first sent."""
    require_manager(actor)
    outcome = ResultsOutcome()
    centers = list(covered_centers(campaign))
    submitted = set(
        Response.objects.filter(campaign=campaign, state=Response.State.SUBMITTED).values_list(
            "center_id", flat=True
        )
    )
    networks: dict[str, dict[str, Any]] = {}  # the network's summary, in each language
    regional_centers = Center.objects.filter(
        kind=Center.Kind.REGIONAL, status=Center.Status.OPEN
    ).select_related("region")
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        for regional_center in regional_centers.order_by("code"):
            addresses = head_addresses(regional_center.region_id, regional_center)
            if not addresses:
                outcome.without_address.append(regional_center)
                continue
            own = [
                c
                for c in centers
                if c.region_id == regional_center.region_id and c.kind != Center.Kind.FOREIGN
            ]
            key = f"campaign-results:{campaign.pk}:{regional_center.code}"
            for to, language in addresses:
                if OutgoingMail.objects.filter(
                    template=RESULTS_TEMPLATE, recipient=to, key=key
                ).exists():
                    outcome.already += 1
                    continue
                with translation.override(language):
                    region = _summary(campaign, own, submitted)
                    if language not in networks:
                        networks[language] = _summary(campaign, centers, submitted)
                mail_send(
                    to=to,
                    template=RESULTS_TEMPLATE,
                    context={
                        "campaign": campaign,
                        "regional_center": regional_center,
                        "network": networks[language],
                        "region": region,
                        "link": _link("campaigns:results", language, pk=campaign.pk),
                    },
                    language=language,
                    key=key,
                )
                outcome.queued += 1
        if outcome.queued:
            first = campaign.results_sent_at is None
            if first:
                campaign.results_sent_at = timezone.now()
                campaign.save(update_fields=["results_sent_at"])
            audit_record(
                actor=actor,
                action="campaign.results_send",
                obj=campaign,
                changes={"messages": [None, outcome.queued]},
            )
    return outcome
