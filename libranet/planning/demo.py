"""The opening plan's demo: next year's round open (deadline 1 December, or three weeks ahead
once 1 December has passed) with proposals of the Tver and Penza regions in every state, and
this year's round, collected last year and closed, whose approved proposals became planned
centers, some of them opened since. Dates are relative to today."""

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from libranet.network.models import Center, CenterStatusChange, Region
from libranet.network.services import center_change_status

from .models import PlanningRound, Proposal
from .services import proposal_create, proposal_decide, proposal_submit, round_close, round_create

State = Proposal.State

# region, name (ru, en), host (ru, kind, address), month, premises, justification, story
PROPOSALS_NEXT = [
    (
        "RU-TVE",
        ("ЦУД в Торжокской центральной библиотеке", "Remote access center, Torzhok Library"),
        ("Торжокская центральная городская библиотека", "library", "Торжок, ул. Дзержинского, 2"),
        3,
        "Читальный зал на 2 этаже: 14 мест, 4 рабочих места, проектор",
        "В городе 45 тыс. жителей и нет центра удалённого доступа; библиотека готова выделить "
        "сотрудника.",
        ["submit"],
    ),
    (
        "RU-TVE",
        ("ЦУД в Ржевском колледже", "Remote access center, Rzhev College"),
        ("Ржевский колледж", "school", "Ржев, ул. Ленина, 20"),
        9,
        "Компьютерный класс: 12 рабочих мест",
        "Студенты изучают историю и право по первоисточникам.",
        ["submit", "return:Уточните, кто будет вести учёт посещений и режим работы центра."],
    ),
    (
        "RU-TVE",
        ("ЦУД в Вышневолоцкой библиотеке", "Remote access center, Vyshny Volochyok Library"),
        ("Вышневолоцкая центральная библиотека", "library", "Вышний Волочёк, пр. Казанский, 39"),
        5,
        "Отдел краеведения: 8 мест, 3 рабочих места",
        "Краеведческие фонды и запросы школ района.",
        ["submit", "approved"],
    ),
    (
        "RU-TVE",
        ("ЦУД в Кимрской библиотеке", "Remote access center, Kimry Library"),
        ("Кимрская центральная библиотека", "library", "Кимры, ул. Урицкого, 7"),
        10,
        "Зал периодики: 6 мест, 2 рабочих места",
        "Черновик: уточняем помещение с администрацией.",
        [],
    ),
    (
        "RU-PNZ",
        ("ЦУД в Кузнецкой библиотеке", "Remote access center, Kuznetsk Library"),
        ("Кузнецкая центральная библиотека", "library", "Кузнецк, ул. Ленина, 225"),
        4,
        "Читальный зал: 10 мест, 4 рабочих места",
        "Второй по величине город области без центра удалённого доступа.",
        ["submit"],
    ),
    (
        "RU-PNZ",
        ("ЦУД в Пензенском университете", "Remote access center, Penza State University"),
        ("Пензенский государственный университет", "university", "Пенза, ул. Красная, 40"),
        2,
        "Научная библиотека: 20 мест, 8 рабочих мест",
        "Университет просит доступ для студентов-историков.",
        ["submit", "rejected:В Пензе уже работает региональный центр; предложите район области."],
    ),
    (
        "RU-PNZ",
        ("ЦУД в Сердобской библиотеке", "Remote access center, Serdobsk Library"),
        ("Сердобская районная библиотека", "library", "Сердобск, ул. Ленина, 90"),
        6,
        "Читальный зал: 8 мест, 3 рабочих места",
        "Библиотека — культурный центр района; помещение отремонтировано в этом году.",
        ["submit", "return:Приложите план помещения.", "submit"],
    ),
]

# This year's plan, approved last year: (region, name, host, month, opened)
PROPOSALS_THIS = [
    ("RU-TVE", "ЦУД в Бежецкой библиотеке", "Бежецкая центральная библиотека", 2, True),
    ("RU-TVE", "ЦУД в Осташковской библиотеке", "Осташковская центральная библиотека", 4, True),
    ("RU-TVE", "ЦУД в Конаковской библиотеке", "Конаковская центральная библиотека", 11, False),
    ("RU-PNZ", "ЦУД в Никольской библиотеке", "Никольская районная библиотека", 3, True),
    ("RU-PNZ", "ЦУД в Каменской библиотеке", "Каменская центральная библиотека", 10, False),
]


def _user(username: str) -> Any:
    return get_user_model().objects.filter(username=username).first()


def next_deadline(today: datetime.date) -> datetime.date:
    """1 December of this year, or three weeks ahead once it has passed."""
    first_december = datetime.date(today.year, 12, 1)
    return first_december if today <= first_december else today + datetime.timedelta(days=21)


def _story(proposal: Proposal, steps: list[str], proposer: Any, department: Any) -> None:
    for step in steps:
        if step == "submit":
            proposal = proposal_submit(actor=proposer, proposal=proposal)
        else:
            decision, _sep, comment = step.partition(":")
            decision = {"return": State.RETURNED}.get(decision, decision)
            proposal = proposal_decide(
                actor=department, proposal=proposal, decision=decision, comment=comment
            )


@transaction.atomic
def seed_planning() -> dict[str, int]:
    """The two rounds (see the module); returns how many proposals each has."""
    today = timezone.localdate()
    regions = {r.code: r for r in Region.objects.filter(code__in=["RU-TVE", "RU-PNZ"])}
    department = _user("network")
    heads = {"RU-TVE": _user("head.tver"), "RU-PNZ": _user("head.penza")}

    this_year = round_create(
        actor=None, year=today.year, deadline=datetime.date(today.year - 1, 12, 1)
    )
    agreed = datetime.date(today.year - 1, 12, 15)
    for code, name, host, month, opened in PROPOSALS_THIS:
        planned = datetime.date(today.year, month, 1)
        proposal = proposal_create(
            actor=None,
            round=this_year,
            region=regions[code],
            new_institution_name=host,
            new_institution_kind="library",
            new_institution_address=f"{regions[code].name_ru}",
            name_ru=name,
            name_en="",
            address=f"{regions[code].name_ru}, {host}",
            planned_month=planned,
            premises="Читальный зал: 8 мест, 3 рабочих места",
            justification="Район без центра удалённого доступа.",
        )
        _story(proposal, ["submit", "approved"], None, department)
        proposal.refresh_from_db()
        center = proposal.center
        # The plan was agreed last December: its centers were planned then (the registry dates
        # a new status today, which a demo of last year's round moves back).
        CenterStatusChange.objects.filter(center=center).update(changed_on=agreed)
        if opened and planned <= today:
            opened_on = max(min(planned + datetime.timedelta(days=12), today), agreed)
            center_change_status(
                actor=None, center=center, status=Center.Status.APPROVED, changed_on=agreed
            )
            center_change_status(
                actor=None, center=center, status=Center.Status.OPEN, changed_on=opened_on
            )
    round_close(actor=None, round=this_year)

    next_year = round_create(actor=None, year=today.year + 1, deadline=next_deadline(today))
    for code, names, host, month, premises, justification, steps in PROPOSALS_NEXT:
        proposer = heads[code]
        proposal = proposal_create(
            # After the deadline only the department enters proposals (as it does late ones).
            actor=proposer if today <= next_year.deadline else None,
            round=next_year,
            region=regions[code],
            new_institution_name=host[0],
            new_institution_kind=host[1],
            new_institution_address=host[2],
            name_ru=names[0],
            name_en=names[1],
            address=host[2],
            planned_month=datetime.date(next_year.year, month, 1),
            premises=premises,
            justification=justification,
        )
        _story(proposal, steps, proposer, department)
    rounds = PlanningRound.objects.filter(pk__in=[this_year.pk, next_year.pk])
    return {str(r.year): r.proposals.count() for r in rounds}
