"""Demo monitoring campaigns, dated from today: last quarter's, closed, most centers answered and
its results sent; and one of last month, taking answers for ten more days, partly filled."""

import datetime
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.formats import date_format

from libranet.network.models import Center
from libranet.usage.models import DailyCenterUsage, Metric
from libranet.usage.reports import add_months

from .models import Answer, Campaign, Indicator, Response
from .selectors import covered_centers
from .services import campaign_create, campaign_open, parse_answer, response_save

INDICATORS: list[dict[str, Any]] = [
    {
        "name_ru": "Количество мероприятий",
        "name_en": "Events held",
        "type": Indicator.Type.INTEGER,
        "min_value": Decimal(0),
        "max_value": Decimal(500),
    },
    {
        "name_ru": "Число зарегистрированных пользователей",
        "name_en": "Registered users",
        "type": Indicator.Type.INTEGER,
        "unit": "чел.",
        "min_value": Decimal(0),
    },
    {
        "name_ru": "Число сессий за период",
        "name_en": "Sessions in the period",
        "type": Indicator.Type.INTEGER,
        "min_value": Decimal(0),
        "source": Indicator.Source.SESSIONS,
    },
    {
        "name_ru": "Есть ли отдельное помещение ЦУД",
        "name_en": "Does the center have a room of its own",
        "type": Indicator.Type.BOOLEAN,
    },
    {
        "name_ru": "Тип подключения к интернету",
        "name_en": "Internet connection",
        "type": Indicator.Type.CHOICE,
        "choices_ru": "Оптоволокно\nADSL\nМобильная связь\nСпутниковая связь",
        "choices_en": "Fibre\nADSL\nMobile network\nSatellite",
    },
    {
        "name_ru": "Проблемы и предложения",
        "name_en": "Problems and suggestions",
        "type": Indicator.Type.TEXT,
        "required": False,
    },
]
CONNECTIONS = ["Оптоволокно", "ADSL", "Мобильная связь", "Спутниковая связь"]
REMARKS = [
    "Нужен второй компьютер для читателей.",
    "Просим провести вебинар по работе с фондом Президентской библиотеки.",
    "Низкая скорость интернета в вечерние часы.",
    "Помещение делим с читальным залом, нужен отдельный вход.",
    "Предлагаем совместную выставку к Дню народного единства.",
    "",
    "",
]


def _sessions(centers: list[Center], start: datetime.date, end: datetime.date) -> dict[int, int]:
    rows = (
        DailyCenterUsage.objects.filter(
            center__in=centers, metric=Metric.SESSIONS, day__gte=start, day__lte=end
        )
        .values("center_id")
        .annotate(total=Sum("value"))
        .order_by()
    )
    return {row["center_id"]: row["total"] or 0 for row in rows}


def _values(rng: random.Random, sessions: int) -> list[Any]:
    return [
        rng.randint(0, 12),
        rng.randint(20, 900),
        sessions if rng.random() < 0.8 else sessions + rng.randint(0, 40),
        rng.random() < 0.6,
        rng.choices(CONNECTIONS, [6, 2, 2, 1])[0],
        rng.choice(REMARKS),
    ]


@transaction.atomic
def seed_campaigns(*, seed: int = 2018) -> str:
    """Seed the two campaigns; returns a line saying what was made."""
    rng = random.Random(seed)  # noqa: S311 (demo data, repeatable from the seed)
    today = timezone.localdate()
    quarter = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    last_start = add_months(quarter, -3)
    last_end = quarter - datetime.timedelta(days=1)
    deadline = min(last_end + datetime.timedelta(days=20), today - datetime.timedelta(days=3))
    number = (last_start.month - 1) // 3 + 1
    closed = campaign_create(
        actor=None,
        title_ru=f"Оперативный мониторинг ЦУД, {'I' * number if number < 4 else 'IV'} квартал "
        f"{last_start.year} г.",
        title_en=f"Operational monitoring of the centers, Q{number} {last_start.year}",
        period_start=last_start,
        period_end=last_end,
        opens_on=min(last_end - datetime.timedelta(days=9), deadline),
        deadline=deadline,
        indicators=INDICATORS,
    )
    # A past campaign is history: written as it ended (the services take answers only while a
    # campaign is open), with its results already sent.
    Campaign.objects.filter(pk=closed.pk).update(
        state=Campaign.State.OPEN,
        results_sent_at=timezone.now() - datetime.timedelta(days=1),
    )
    indicators = list(closed.indicators.all())
    centers = list(covered_centers(closed).order_by("code"))
    sessions = _sessions(centers, last_start, last_end)
    submitted_at = timezone.now() - datetime.timedelta(days=(today - deadline).days + 2)
    answered = [c for c in centers if rng.random() < 0.86]
    responses = Response.objects.bulk_create(
        Response(
            campaign=closed,
            center=center,
            state=Response.State.SUBMITTED,
            submitted_at=submitted_at,
        )
        for center in answered
    )
    answers = []
    for response, center in zip(responses, answered, strict=True):
        for indicator, value in zip(
            indicators, _values(rng, sessions.get(center.pk, 0)), strict=True
        ):
            answer = parse_answer(indicator, value)
            if answer is not None:
                answer.response = response
                answers.append(answer)
    Answer.objects.bulk_create(answers)

    month_end = today.replace(day=1) - datetime.timedelta(days=1)
    month_start = month_end.replace(day=1)
    current = campaign_create(
        actor=None,
        title_ru=f"Оперативный мониторинг ЦУД за {_month_name(month_start, 'ru').lower()} "
        f"{month_start.year} г.",
        title_en=f"Operational monitoring of the centers, {_month_name(month_start, 'en')} "
        f"{month_start.year}",
        period_start=month_start,
        period_end=month_end,
        opens_on=today - datetime.timedelta(days=5),
        deadline=today + datetime.timedelta(days=10),
        indicators=INDICATORS,
    )
    current = campaign_open(actor=None, campaign=current)
    indicators = list(current.indicators.all())
    sessions = _sessions(centers, month_start, month_end)
    filled = 0
    for center in centers:
        draw = rng.random()
        if draw > 0.55:
            continue
        values = _values(rng, sessions.get(center.pk, 0))
        if draw > 0.4:  # a draft: the first answers only
            values = values[:2] + [None] * (len(values) - 2)
        response_save(
            actor=None,
            campaign=current,
            center=center,
            answers={i.pk: v for i, v in zip(indicators, values, strict=True)},
            revision=None,
            submit=draw <= 0.4,
        )
        filled += 1
    return (
        f"Seeded 2 monitoring campaigns: “{closed.title_ru}” (closed, {len(answered)} of "
        f"{len(centers)} centers answered) and “{current.title_ru}” (open until "
        f"{current.deadline}, {filled} centers started)."
    )


def _month_name(day: datetime.date, language: str) -> str:
    """The month's name as the calendar gives it in ``language`` («ноябрь», "November")."""
    with translation.override(language):
        return date_format(day, "F")
