import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from libranet.audit.models import AuditEntry
from libranet.campaigns.models import Answer, Campaign, Response
from libranet.campaigns.services import (
    CampaignError,
    campaign_copy,
    campaign_open,
    campaign_update,
    response_reopen,
    response_save,
    shift_dates,
)
from libranet.revisions import EditConflict

from .conftest import INDICATORS, by_name, full_answers, make_campaign

pytestmark = pytest.mark.django_db


def test_a_campaign_goes_draft_scheduled_open_closed_by_date(draft, clock):
    today = datetime.date(2026, 3, 10)
    assert draft.phase(today) == Campaign.Phase.DRAFT
    campaign_open(actor=None, campaign=draft)
    draft.refresh_from_db()
    assert draft.phase(datetime.date(2026, 2, 28)) == Campaign.Phase.SCHEDULED
    assert draft.phase(datetime.date(2026, 3, 1)) == Campaign.Phase.OPEN
    assert draft.phase(datetime.date(2026, 3, 20)) == Campaign.Phase.OPEN
    assert draft.phase(datetime.date(2026, 3, 21)) == Campaign.Phase.CLOSED
    assert AuditEntry.objects.filter(action="campaign.open").count() == 1


def test_a_draft_needs_indicators_and_a_deadline_to_come_to_open(centers):
    empty = make_campaign(indicators=[])
    with pytest.raises(CampaignError) as caught:
        campaign_open(actor=None, campaign=empty)
    assert "indicators" in caught.value.message_dict
    past = make_campaign(deadline=datetime.date(2026, 3, 9))
    with pytest.raises(CampaignError) as caught:
        campaign_open(actor=None, campaign=past)
    assert "deadline" in caught.value.message_dict


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"period_end": datetime.date(2025, 12, 1)}, "period_end"),
        ({"deadline": datetime.date(2026, 2, 1)}, "deadline"),
        ({"title_ru": ""}, "title_ru"),
        ({"coverage": "kinds", "kinds": []}, "kinds"),
        ({"coverage": "regions"}, "regions"),
        (
            {"indicators": [{"name_ru": "x", "type": "choice", "choices_ru": "один"}]},
            "indicators.0.choices_ru",
        ),
        (
            {"indicators": [{"name_ru": "x", "type": "integer", "min_value": 5, "max_value": 1}]},
            "indicators.0.max_value",
        ),
        (
            {"indicators": [{"name_ru": "x", "type": "text", "source": "usage:sessions"}]},
            "indicators.0.source",
        ),
        ({"indicators": [{"name_ru": "", "type": "text"}]}, "indicators.0.name_ru"),
        ({"indicators": [{"name_ru": "x", "type": "number"}]}, "indicators.0.type"),
    ],
)
def test_bad_campaigns_are_refused_with_the_field_named_and_nothing_saved(centers, fields, field):
    with pytest.raises(CampaignError) as caught:
        make_campaign(**fields)
    assert field in caught.value.message_dict
    assert not Campaign.objects.exists()


def test_only_the_department_manages_campaigns(centers, head_tver, operator_user, network_user):
    for user in (head_tver, operator_user):
        with pytest.raises(PermissionDenied):
            campaign_create_as(user)
    assert campaign_create_as(network_user).created_by == network_user


def campaign_create_as(user):
    from libranet.campaigns.services import campaign_create

    return campaign_create(
        actor=user,
        title_ru="Мониторинг",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        opens_on=datetime.date(2026, 3, 1),
        deadline=datetime.date(2026, 3, 20),
        indicators=INDICATORS[:1],
    )


def test_an_open_campaign_changes_only_its_titles_and_deadline(campaign):
    moved = campaign_update(
        actor=None,
        campaign=campaign,
        revision=campaign.revision,
        deadline=datetime.date(2026, 3, 25),
    )
    assert moved.deadline == datetime.date(2026, 3, 25)
    with pytest.raises(CampaignError) as caught:
        campaign_update(
            actor=None,
            campaign=moved,
            revision=moved.revision,
            period_start=datetime.date(2026, 2, 1),
        )
    assert "period_start" in caught.value.message_dict
    with pytest.raises(CampaignError) as caught:
        campaign_update(actor=None, campaign=moved, revision=moved.revision, indicators=[])
    assert "indicators" in caught.value.message_dict
    assert campaign.indicators.count() == len(INDICATORS)


def test_a_draft_campaign_edited_from_a_stale_copy_is_refused(draft):
    campaign_update(actor=None, campaign=draft, revision=1, title_ru="Первый")
    with pytest.raises(EditConflict) as caught:
        campaign_update(actor=None, campaign=draft, revision=1, title_ru="Второй")
    assert [(d.stored, d.submitted) for d in caught.value.differences] == [("Первый", "Второй")]


def test_indicators_are_reordered_edited_and_removed_in_a_draft(draft):
    first, second = list(draft.indicators.all())[:2]
    campaign_update(
        actor=None,
        campaign=draft,
        revision=draft.revision,
        indicators=[
            {"id": second.pk, "name_ru": "Сессии"},
            {"id": first.pk},
            {"name_ru": "Новый", "type": "text"},
        ],
    )
    assert [(i.pk, i.position, i.name_ru) for i in draft.indicators.all()] == [
        (second.pk, 1, "Сессии"),
        (first.pk, 2, "Количество мероприятий"),
        (draft.indicators.get(name_ru="Новый").pk, 3, "Новый"),
    ]


def test_a_copy_moves_a_quarter_to_the_next_with_its_indicators(campaign, network_user):
    assert shift_dates(campaign) == {
        "period_start": datetime.date(2026, 4, 1),
        "period_end": datetime.date(2026, 6, 30),
        "opens_on": datetime.date(2026, 6, 1),
        "deadline": datetime.date(2026, 6, 20),
    }
    copy = campaign_copy(actor=network_user, source=campaign)
    assert copy.state == Campaign.State.DRAFT and copy.copied_from == campaign
    assert copy.period_end == datetime.date(2026, 6, 30)
    assert [i.name_ru for i in copy.indicators.all()] == [i["name_ru"] for i in INDICATORS]
    assert copy.indicators.get(position=2).source == "usage:sessions"


def test_a_period_of_days_moves_by_its_length(centers):
    week = make_campaign(
        period_start=datetime.date(2026, 3, 2),
        period_end=datetime.date(2026, 3, 8),
        opens_on=datetime.date(2026, 3, 9),
        deadline=datetime.date(2026, 3, 12),
    )
    assert shift_dates(week)["period_start"] == datetime.date(2026, 3, 9)
    assert shift_dates(week)["deadline"] == datetime.date(2026, 3, 19)


def test_an_operator_saves_a_draft_then_submits_then_corrects(campaign, centers, operator_tver_lib):
    center = centers["tver_lib"]
    draft = response_save(
        actor=operator_tver_lib,
        campaign=campaign,
        center=center,
        answers={by_name(campaign)["Events held"].pk: "5"},
        revision=None,
    )
    assert draft.state == Response.State.DRAFT and draft.answers.count() == 1
    submitted = response_save(
        actor=operator_tver_lib,
        campaign=campaign,
        center=center,
        answers=full_answers(campaign),
        revision=draft.revision,
        submit=True,
    )
    assert submitted.state == Response.State.SUBMITTED
    assert submitted.submitted_by == operator_tver_lib
    stored = {a.indicator.name_en: a for a in submitted.answers.select_related("indicator")}
    assert stored["Events held"].number == 12
    assert stored["Separate room for the center"].flag is True
    assert stored["Share of hours open"].number == Decimal("87.5")
    assert stored["Internet connection"].text == "Оптоволокно"
    corrected = response_save(
        actor=operator_tver_lib,
        campaign=campaign,
        center=center,
        answers=full_answers(campaign, **{"Events held": "13"}),
        revision=submitted.revision,
    )
    assert corrected.state == Response.State.SUBMITTED
    assert Answer.objects.get(response=corrected, indicator__name_en="Events held").text == "13"
    actions = list(
        AuditEntry.objects.filter(action__startswith="campaign.response")
        .values_list("action", flat=True)
        .order_by("pk")
    )
    assert actions == [
        "campaign.response_save",
        "campaign.response_submit",
        "campaign.response_save",
    ]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("Events held", "1001", "Events held: the value must be at most 1000."),
        ("Events held", "-1", "Events held: the value must be at least 0."),
        ("Events held", "2.5", "Events held: give a whole number."),
        ("Events held", "много", "Events held: give a whole number."),
        ("Events held", True, "Events held: give a whole number."),
        ("Share of hours open", "100.01", "Share of hours open: the value must be at most 100."),
        (
            "Separate room for the center",
            "maybe",
            "Separate room for the center: answer yes or no.",
        ),
        ("Internet connection", "Спутник", "Internet connection: choose one of the choices."),
        ("Events held", "", "Events held: an answer is required to submit."),
    ],
)
def test_bad_answers_are_refused_naming_the_indicator_and_nothing_saved(
    campaign, centers, name, value, message
):
    indicator = by_name(campaign)[name]
    with pytest.raises(CampaignError) as caught:
        response_save(
            actor=None,
            campaign=campaign,
            center=centers["tver_lib"],
            answers=full_answers(campaign, **{name: value}),
            revision=None,
            submit=True,
        )
    assert caught.value.message_dict == {f"indicator_{indicator.pk}": [message]}
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_an_unknown_indicator_is_refused(campaign, centers):
    with pytest.raises(CampaignError) as caught:
        response_save(
            actor=None,
            campaign=campaign,
            center=centers["tver_lib"],
            answers={999999: "1"},
            revision=None,
        )
    assert "answers" in caught.value.message_dict


def test_after_the_deadline_answers_are_refused_until_the_department_reopens(
    campaign, centers, clock, network_user, operator_tver_lib
):
    center = centers["tver_lib"]
    clock.move_to(datetime.datetime(2026, 3, 21, 9, 0, tzinfo=datetime.UTC), tick=False)
    with pytest.raises(CampaignError) as caught:
        response_save(
            actor=operator_tver_lib,
            campaign=campaign,
            center=center,
            answers=full_answers(campaign),
            revision=None,
        )
    assert caught.value.message_dict == {
        "deadline": [
            "The deadline was 20 March 2026; ask the network department to reopen the form."
        ]
    }
    assert not Response.objects.exists()
    with pytest.raises(PermissionDenied):
        response_reopen(
            actor=operator_tver_lib,
            campaign=campaign,
            center=center,
            until=datetime.date(2026, 3, 25),
        )
    with pytest.raises(CampaignError) as caught:
        response_reopen(
            actor=network_user, campaign=campaign, center=center, until=datetime.date(2026, 3, 20)
        )
    assert "until" in caught.value.message_dict
    response_reopen(
        actor=network_user, campaign=campaign, center=center, until=datetime.date(2026, 3, 25)
    )
    saved = response_save(
        actor=operator_tver_lib,
        campaign=campaign,
        center=center,
        answers=full_answers(campaign),
        revision=None,
        submit=True,
    )
    assert saved.state == Response.State.SUBMITTED
    clock.move_to(datetime.datetime(2026, 3, 26, 9, 0, tzinfo=datetime.UTC), tick=False)
    with pytest.raises(CampaignError) as caught:
        response_save(
            actor=operator_tver_lib,
            campaign=campaign,
            center=center,
            answers=full_answers(campaign),
            revision=None,
        )
    assert "25 March 2026" in caught.value.message_dict["deadline"][0]


def test_no_answers_before_the_opening_day_nor_to_a_draft(draft, centers, clock):
    with pytest.raises(CampaignError) as caught:
        response_save(
            actor=None, campaign=draft, center=centers["tver_lib"], answers={}, revision=None
        )
    assert "state" in caught.value.message_dict
    campaign_open(actor=None, campaign=draft)
    clock.move_to(datetime.datetime(2026, 2, 27, 9, 0, tzinfo=datetime.UTC), tick=False)
    draft.refresh_from_db()
    with pytest.raises(CampaignError) as caught:
        response_save(
            actor=None, campaign=draft, center=centers["tver_lib"], answers={}, revision=None
        )
    assert "opens_on" in caught.value.message_dict


@pytest.mark.parametrize(
    ("user", "center", "allowed"),
    [
        ("operator_tver_lib", "tver_lib", True),
        ("operator_tver_lib", "tver_rc", False),
        ("head_tver", "tver_lib", True),
        ("head_tver", "penza_lib", False),
        ("head_tver", "foreign", False),
        ("international_user", "foreign", True),
        ("international_user", "tver_lib", False),
        ("network_user", "penza_lib", True),
        ("reader_user", "tver_lib", False),
    ],
)
def test_who_answers_for_which_center(request, campaign, centers, user, center, allowed):
    actor = request.getfixturevalue(user)

    def save():
        return response_save(
            actor=actor,
            campaign=campaign,
            center=centers[center],
            answers=full_answers(campaign),
            revision=None,
        )

    if allowed:
        assert save().answers.count() == len(INDICATORS)
    else:
        with pytest.raises(PermissionDenied):
            save()


def test_a_center_the_campaign_does_not_cover_is_refused(centers):
    from libranet.network.models import Region

    campaign = make_campaign(coverage="regions", regions=[Region.objects.get(code="RU-PNZ")])
    campaign_open(actor=None, campaign=campaign)
    with pytest.raises(CampaignError) as caught:
        response_save(
            actor=None, campaign=campaign, center=centers["tver_lib"], answers={}, revision=None
        )
    assert "center" in caught.value.message_dict


def test_two_people_saving_one_form_the_later_is_told_the_difference(
    campaign, centers, head_tver, operator_tver_lib
):
    center = centers["tver_lib"]
    events = by_name(campaign)["Events held"]
    first = response_save(
        actor=operator_tver_lib,
        campaign=campaign,
        center=center,
        answers={events.pk: "5"},
        revision=None,
    )
    shown = first.revision
    response_save(
        actor=head_tver, campaign=campaign, center=center, answers={events.pk: "7"}, revision=shown
    )
    with pytest.raises(EditConflict) as caught:
        response_save(
            actor=operator_tver_lib,
            campaign=campaign,
            center=center,
            answers={events.pk: "9"},
            revision=shown,
        )
    assert [(d.label, d.stored, d.submitted) for d in caught.value.differences] == [
        ("Events held", "7", "9")
    ]
    assert Answer.objects.get(indicator=events).text == "7"


def test_the_demo_seeds_a_closed_and_an_open_campaign(centers):
    from libranet.campaigns.demo import seed_campaigns

    line = seed_campaigns(seed=1)
    closed, current = Campaign.objects.order_by("pk")
    today = datetime.date(2026, 3, 10)
    assert closed.phase(today) == Campaign.Phase.CLOSED and closed.results_sent_at
    assert current.phase(today) == Campaign.Phase.OPEN
    assert current.deadline == datetime.date(2026, 3, 20)
    assert closed.period_start == datetime.date(2025, 10, 1)
    assert closed.responses.filter(state=Response.State.SUBMITTED).exists()
    assert "Seeded 2 monitoring campaigns" in line


def test_libranet_knows_the_usage_of_the_period_and_the_registry(campaign, centers):
    from libranet.campaigns.models import Indicator
    from libranet.campaigns.selectors import known_figures
    from libranet.network.models import Workstation
    from libranet.usage.models import DailyCenterUsage, Metric

    center = centers["tver_lib"]
    for day, value in [
        (datetime.date(2025, 12, 31), 100),
        (datetime.date(2026, 1, 5), 7),
        (datetime.date(2026, 3, 9), 5),
    ]:
        DailyCenterUsage.objects.create(center=center, day=day, metric=Metric.SESSIONS, value=value)
    Workstation.objects.create(center=center, name="ПК 1", secret_hash="a" * 64)
    sessions = by_name(campaign)["Sessions"]
    assert known_figures(campaign, center) == {sessions.pk: 12}
    Indicator.objects.filter(pk=sessions.pk).update(source=Indicator.Source.WORKSTATIONS)
    assert known_figures(campaign, center) == {sessions.pk: 1}
