"""The monthly zero-usage mailing (the 2020 resolution): for a past month, each regional center's
head gets the list of the centers their regional center coordinates that recorded zero
indicators that month (``reports.zero_usage``), and the network department gets the network's
summary (counts per region, totals). On the schedule (``LIBRANET_SCHEDULE``, by default on day
``LIBRANET_ZERO_USAGE_MAILING_DAY`` at ``LIBRANET_ZERO_USAGE_MAILING_HOUR``) for the month
before, or by hand (``manage.py send_zero_usage_mailing --month 2026-10``).

Who gets a regional center's message: every active regional-center head of its region (a
``StaffRole`` of the region) with an e-mail address, in their language; when the region has no
such head, the regional center's own e-mail address, in Russian. A regional center with neither
is named in the network department's summary, so that someone gives it an address. Every open
regional center gets its message, also when none of its centers had zero indicators: the
message says so, and its coming shows that the monitoring ran.

Every message goes through the outbox with the key ``zero-usage:<month>`` (``:<regional center
code>`` for a head's), unique per template and recipient: running the mailing twice for a month
queues nothing the second time.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from libranet import dates
from libranet.mail.models import OutgoingMail
from libranet.mail.services import mail_send_once
from libranet.network.models import Center, StaffRole

from .models import RolledUpDay
from .reports import (
    INDICATOR_NAMES,
    ZeroUsageReport,
    ZeroUsageRow,
    add_months,
    month_end,
    zero_usage,
)

HEAD_TEMPLATE = "zero_usage"
SUMMARY_TEMPLATE = "zero_usage_summary"
TEMPLATES = (HEAD_TEMPLATE, SUMMARY_TEMPLATE)
Role = StaffRole.Role


class MailingError(ValueError):
    """A mailing that cannot be sent as asked (a month that is not over yet)."""


@dataclass(frozen=True)
class MailingOutcome:
    month: datetime.date
    queued: int  # messages stored in the outbox by this run
    already: int  # the month's other messages in the outbox (an earlier or a racing run's)
    # Open regional centers that got no message: no head with an address, no address of their own
    without_address: list[Center] = field(default_factory=list)


def mailing_key(month: datetime.date) -> str:
    return f"zero-usage:{dates.month_text(month)}"


def mailing_month(month: datetime.date | None = None) -> datetime.date:
    """The month to mail (its first day): the one given, or the month before this one. A month
    that is not over yet is refused: its figures are still growing."""
    this_month = timezone.localdate().replace(day=1)
    if month is None:
        return add_months(this_month, -1)
    month = month.replace(day=1)
    if month >= this_month:
        raise MailingError(
            _("{month} is not over yet: the mailing is sent for a past month.").format(
                month=dates.month_text(month)
            )
        )
    return month


def parse_month(text: str) -> datetime.date:
    """``2026-10`` as the first day of that month, or a clear error."""
    try:
        return dates.parse_month(text, parameter="month")
    except dates.DateInputError as exc:
        raise MailingError(exc.reason) from exc


def mailing_messages(month: datetime.date) -> QuerySet[OutgoingMail]:
    """The outbox's messages of ``month``'s mailing."""
    key = mailing_key(month)
    return OutgoingMail.objects.filter(
        Q(key=key) | Q(key__startswith=f"{key}:"), template__in=TEMPLATES
    )


@dataclass(frozen=True)
class MailingSummary:
    month: datetime.date
    total: int
    states: dict[str, int]  # messages per outbox state


def mailing_summaries() -> list[MailingSummary]:
    """The months that have a mailing in the outbox, latest first, with their messages' states
    (one query)."""
    counts = (
        OutgoingMail.objects.filter(template__in=TEMPLATES, key__startswith="zero-usage:")
        .values("key", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    states: dict[datetime.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in counts:
        states[parse_month(row["key"].split(":")[1])][row["state"]] += row["n"]
    return [
        MailingSummary(month, sum(by_state.values()), dict(by_state))
        for month, by_state in sorted(states.items(), reverse=True)
    ]


def _roll_up_missing_days(month: datetime.date) -> None:
    """Roll up the month's days that are not yet (the roll-up is re-runnable): a mailing must
    never call a center idle for lack of a roll-up, since it is sent only once."""
    from .rollup import rollup_day

    last = month_end(month)
    done = set(
        RolledUpDay.objects.filter(day__gte=month, day__lte=last).values_list("day", flat=True)
    )
    for number in range(1, last.day + 1):
        day = month.replace(day=number)
        if day not in done:
            rollup_day(day)


def _link(name: str, language: str, query: str = "", **kwargs: Any) -> str:
    with translation.override(language):
        path = reverse(name, kwargs=kwargs or None)
    return settings.LIBRANET_SITE_URL + path + (f"?{query}" if query else "")


def _staff_addresses(roles: QuerySet[StaffRole]) -> dict[int | None, list[tuple[str, str]]]:
    """(address, language) of the active users holding ``roles`` who have an address, once
    per address, by the role's region (None for roles of no region); one query."""
    held = (
        roles.filter(user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__username")
    )
    by_region: dict[int | None, dict[str, tuple[str, str]]] = defaultdict(dict)
    for role in held:
        email = role.user.email
        by_region[role.region_id][email.lower()] = (email, role.user.preferred_language)
    return {region: list(addresses.values()) for region, addresses in by_region.items()}


def _head_addresses(
    regional_center: Center, heads: dict[int | None, list[tuple[str, str]]]
) -> list[tuple[str, str]]:
    """Who gets this regional center's message: its region's heads, else its own address."""
    addresses = heads.get(regional_center.region_id, [])
    if not addresses and regional_center.email:
        addresses = [(regional_center.email, settings.LANGUAGE_CODE)]
    return addresses


def _row_context(row: ZeroUsageRow, report: ZeroUsageReport, language: str) -> dict[str, Any]:
    return {
        "center": row.center,
        "days_open": row.days_open,
        "values": [(INDICATOR_NAMES[m], row.values[m], m in row.zero) for m in report.indicators],
        "link": _link("public:center", language, code=row.center.code),
    }


def _summary_by_area(report: ZeroUsageReport) -> list[dict[str, Any]]:
    """Per region (per country, for foreign centers): the centers with zero indicators, and how
    many of them had each indicator at zero."""
    rows = [row for group in report.groups for row in group.rows]
    places = Center.objects.filter(pk__in=[row.center.pk for row in rows]).select_related(
        "region", "country"
    )
    place_of = {c.pk: c.region or c.country for c in places}
    areas: dict[Any, dict[str, Any]] = {}
    for row in rows:
        place = place_of[row.center.pk]
        area = areas.setdefault(place, {"place": place, "centers": 0, "zero": defaultdict(int)})
        area["centers"] += 1
        for metric in row.zero:
            area["zero"][metric] += 1
    return [
        {**area, "zero": [area["zero"][m] for m in report.indicators]}
        for area in sorted(areas.values(), key=lambda a: str(a["place"]))
    ]


def zero_usage_mailing_send(*, month: datetime.date | None = None) -> MailingOutcome:
    """Queue the month's zero-usage mailing in the outbox (see the module's docstring); the
    messages a previous run queued are not queued again. ``month``: default the month before
    this one; a month not over yet raises ``MailingError``."""
    month = mailing_month(month)
    _roll_up_missing_days(month)
    report = zero_usage(month=month)
    by_coordinator = {g.regional_center.pk: g for g in report.groups if g.regional_center}
    regional_centers = Center.objects.filter(
        kind=Center.Kind.REGIONAL, status=Center.Status.OPEN
    ).select_related("region")
    stats_query = f"month={dates.month_text(month)}"
    key = mailing_key(month)
    without_address: list[Center] = []
    # Counted by what this run's inserts did, not by the outbox before and after: a run on
    # another server at the same moment queues some of the messages (README "Several servers").
    queued = 0

    def send(to: str, language: str, template: str, message_key: str, context: dict) -> None:
        # A message an earlier (or a racing) run queued has this key: it is not queued again.
        nonlocal queued
        report_link = _link("stats:zero_usage", language, stats_query)
        _mail, queued_now = mail_send_once(
            to=to,
            template=template,
            context={**context, "month": month, "report_link": report_link},
            language=language,
            key=message_key,
        )
        queued += queued_now

    with transaction.atomic():
        heads = _staff_addresses(StaffRole.objects.filter(role=Role.REGIONAL_HEAD))
        for regional_center in regional_centers.order_by("code"):
            addresses = _head_addresses(regional_center, heads)
            if not addresses:
                without_address.append(regional_center)
            group = by_coordinator.get(regional_center.pk)
            rows = [r for r in group.rows if r.center != regional_center] if group else []
            for to, language in addresses:
                send(
                    to,
                    language,
                    HEAD_TEMPLATE,
                    f"{key}:{regional_center.code}",
                    {
                        "regional_center": regional_center,
                        "indicators": [INDICATOR_NAMES[m] for m in report.indicators],
                        "rows": [_row_context(row, report, language) for row in rows],
                    },
                )
        areas = _summary_by_area(report)
        zero_centers = sum(area["centers"] for area in areas)
        department = _staff_addresses(StaffRole.objects.filter(role=Role.NETWORK_DEPARTMENT))
        for to, language in department.get(None, []):
            send(
                to,
                language,
                SUMMARY_TEMPLATE,
                key,
                {
                    "indicators": [INDICATOR_NAMES[m] for m in report.indicators],
                    "areas": areas,
                    "centers_judged": report.centers_judged,
                    "zero_centers": zero_centers,
                    "zero_totals": [
                        (INDICATOR_NAMES[metric], sum(area["zero"][i] for area in areas))
                        for i, metric in enumerate(report.indicators)
                    ],
                    "without_address": without_address,
                },
            )
        already = mailing_messages(month).count() - queued
    return MailingOutcome(
        month=month, queued=queued, already=already, without_address=without_address
    )
