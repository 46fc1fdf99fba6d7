"""The monthly zero-usage mailing, through the outbox to a real SMTP server: each regional
center's heads get its coordinated centers with zero indicators, the network department the
summary; running it twice for a month queues nothing the second time."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from libranet.mail.models import OutgoingMail
from libranet.network.models import Center, Region, StaffRole
from libranet.network.services import staff_role_assign
from libranet.usage.mailing import MailingError, mailing_month, zero_usage_mailing_send
from libranet.usage.mailing_tasks import zero_usage_mailing
from libranet.usage.models import (
    Action,
    DailyCenterUsage,
    Metric,
    ReaderKind,
    RolledUpDay,
    UsageEvent,
)

pytestmark = pytest.mark.django_db
OCTOBER = datetime.date(2026, 10, 1)
SITE = "https://network.example.org"
Role = StaffRole.Role


def october(day: int) -> datetime.date:
    return OCTOBER.replace(day=day)


def use(center, day, *, sessions=0, requests=0):
    rows = [
        DailyCenterUsage(day=day, center=center, metric=metric, value=value)
        for metric, value in ((Metric.SESSIONS, sessions), (Metric.TOTAL_ITEM_REQUESTS, requests))
        if value
    ]
    DailyCenterUsage.objects.bulk_create(rows)


@pytest.fixture(autouse=True)
def _november_3rd(time_machine, settings):
    """The mailing's default slot: November 3rd, 10:00 in Moscow, for October."""
    time_machine.move_to(datetime.datetime(2026, 11, 3, 7, 0, tzinfo=datetime.UTC), tick=False)
    settings.LIBRANET_SITE_URL = SITE
    settings.LIBRANET_ZERO_USAGE_INDICATORS = ["Sessions", "Total_Item_Requests"]


@pytest.fixture
def network(make_center, make_staff):
    """Tver: a regional center with two heads (one reading English) and two remote centers, one
    idle; Penza: a regional center with no head but an address of its own, one idle remote
    center; Belgorod: a regional center nobody can be mailed at. October is rolled up."""
    old = datetime.date(2020, 1, 1)
    tver, penza, belgorod = (Region.objects.get(code=c) for c in ("RU-TVE", "RU-PNZ", "RU-BEL"))

    def center(code, region, **fields):
        return make_center(code=code, region=region, opened_on=old, **fields)

    c = {
        "tver_rc": center("RU-TVE-RC", tver, kind=Center.Kind.REGIONAL),
        "penza_rc": center("RU-PNZ-RC", penza, kind=Center.Kind.REGIONAL, email="rc@penza.example"),
        "belgorod_rc": center("RU-BEL-RC", belgorod, kind=Center.Kind.REGIONAL),
    }
    c["tver_busy"] = center("RU-TVE-BUSY", tver)
    c["tver_idle"] = center("RU-TVE-IDLE", tver, name_ru="Библиотека в Торжке")
    c["tver_no_requests"] = center("RU-TVE-NOREQ", tver)
    c["penza_idle"] = center("RU-PNZ-IDLE", penza)
    assert c["tver_idle"].regional_center == c["tver_rc"]  # coordinated by its region's
    use(c["tver_rc"], october(2), sessions=40, requests=90)
    use(c["tver_busy"], october(5), sessions=3, requests=4)
    use(c["tver_no_requests"], october(7), sessions=9)
    use(c["penza_rc"], october(9), sessions=1, requests=1)
    use(c["belgorod_rc"], october(9), sessions=1, requests=1)
    RolledUpDay.objects.bulk_create(
        RolledUpDay(day=october(n), rolled_up_at=timezone.now()) for n in range(1, 32)
    )

    def staff(username, role, email, region=None, **fields):
        user = make_staff(username, role, region=region)
        for name, value in {"email": email, **fields}.items():
            setattr(user, name, value)
        user.save()
        return user

    staff("head.tver", Role.REGIONAL_HEAD, "head@tver.example", tver)
    staff("deputy.tver", Role.REGIONAL_HEAD, "deputy@tver.example", tver, preferred_language="en")
    staff("gone.tver", Role.REGIONAL_HEAD, "gone@tver.example", tver, is_active=False)
    staff("silent.tver", Role.REGIONAL_HEAD, "", tver)
    staff("network", Role.NETWORK_DEPARTMENT, "network@library.example")
    staff("operator", None, "operator@tver.example")
    return c


def run(capture, *args):
    out, err = io.StringIO(), io.StringIO()
    with capture(execute=True):
        call_command("send_zero_usage_mailing", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def test_each_head_gets_their_centers_and_the_network_the_summary(
    network, smtp_server, django_capture_on_commit_callbacks
):
    out, err = run(django_capture_on_commit_callbacks, "--month", "2026-10")
    assert out.strip() == (
        "Zero-usage mailing 2026-10: 4 messages queued now, 0 already in the outbox for that month."
    )
    assert "RU-BEL-RC" in err  # no head with an address, no address of its own
    by_recipient = {m["To"]: m for m in smtp_server.messages}
    assert set(by_recipient) == {
        "head@tver.example",
        "deputy@tver.example",
        "rc@penza.example",
        "network@library.example",
    }
    assert OutgoingMail.objects.filter(state="sent").count() == 4

    head = text_of(by_recipient["head@tver.example"])
    assert "Октябрь 2026" in head  # in the head's language (Russian)
    assert "Библиотека в Торжке (RU-TVE-IDLE)" in head
    assert f"{SITE}/ru/centers/RU-TVE-IDLE/" in head
    assert "RU-TVE-NOREQ" in head  # sessions, but no file requests
    assert "RU-TVE-BUSY" not in head and "RU-PNZ" not in head
    assert "(RU-TVE-RC)" in head  # named as the regional center, not listed as idle
    assert f"{SITE}/ru/stats/zero-usage/?month=2026-10" in head
    html = by_recipient["head@tver.example"].get_body(preferencelist=("html",)).get_content()
    assert f'href="{SITE}/ru/centers/RU-TVE-IDLE/"' in html

    deputy = text_of(by_recipient["deputy@tver.example"])
    assert "October 2026" in deputy and f"{SITE}/en/centers/RU-TVE-IDLE/" in deputy
    assert f"{SITE}/en/stats/zero-usage/?month=2026-10" in deputy

    penza = text_of(by_recipient["rc@penza.example"])
    assert "RU-PNZ-IDLE" in penza and "Октябрь 2026" in penza and "RU-TVE" not in penza

    summary = text_of(by_recipient["network@library.example"])
    assert "Октябрь 2026" in summary
    # Judged: the 3 regional and 4 remote centers. Zero: Tver's idle and no-requests centers,
    # Penza's idle one; per region, with the count per indicator (sessions, requests).
    assert ": 7\n" in summary and ": 3\n" in summary
    assert "- Пензенская область: 1 (1, 1)" in summary
    assert "- Тверская область: 2 (1, 2)" in summary
    assert "- Белгородская" not in summary  # no center with zero indicators there
    assert "(RU-BEL-RC)" in summary  # named as unreachable
    assert f"{SITE}/ru/stats/zero-usage/?month=2026-10" in summary

    stored = OutgoingMail.objects.get(recipient="head@tver.example")
    assert (stored.template, stored.key, stored.language) == (
        "zero_usage",
        "zero-usage:2026-10:RU-TVE-RC",
        "ru",
    )


def test_running_twice_queues_nothing_the_second_time(
    network, smtp_server, django_capture_on_commit_callbacks
):
    run(django_capture_on_commit_callbacks, "--month", "2026-10")
    out, _err = run(django_capture_on_commit_callbacks, "--month", "2026-10")
    assert "0 messages queued now, 4 already in the outbox for that month" in out
    assert len(smtp_server.messages) == 4 and OutgoingMail.objects.count() == 4
    # A head who changed their address since is a new recipient: that one message is queued.
    head = StaffRole.objects.get(user__username="head.tver").user
    head.email = "new.address@tver.example"
    head.save()
    out, _err = run(django_capture_on_commit_callbacks, "--month", "2026-10")
    assert "1 messages queued now, 4 already" in out
    assert [m["To"] for m in smtp_server.messages[4:]] == ["new.address@tver.example"]


def test_the_default_month_is_the_one_before(network, django_capture_on_commit_callbacks):
    assert mailing_month() == OCTOBER
    with django_capture_on_commit_callbacks(execute=False):
        outcome = zero_usage_mailing.enqueue().return_value
    assert outcome == {"month": "2026-10", "queued": 4, "already": 0}


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-11", "2026-11 is not over yet: the mailing is sent for a past month."),
        ("2027-01", "2027-01 is not over yet"),
        ("2026-13", "--month: “2026-13” names month 13: months run from 01 to 12."),
        ("2026-1", "--month: “2026-1” is not a month: give it as YYYY-MM in digits 0–9"),
        ("October", "“October” is not a month"),
    ],
)
def test_a_month_not_over_or_malformed_is_refused(month, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("send_zero_usage_mailing", "--month", month)
    assert not OutgoingMail.objects.exists()


def test_the_service_refuses_the_running_month():
    with pytest.raises(MailingError, match="not over yet"):
        zero_usage_mailing_send(month=datetime.date(2026, 11, 1))


def test_a_day_not_yet_rolled_up_is_rolled_up_before_judging(
    network, smtp_server, django_capture_on_commit_callbacks, settings
):
    """October 20th's events were loaded but never rolled up: the mailing rolls the day up
    first, instead of calling a center idle that was not."""
    settings.LIBRANET_ZERO_USAGE_INDICATORS = ["Sessions"]
    RolledUpDay.objects.filter(day=october(20)).delete()
    UsageEvent.objects.create(
        occurred_at=datetime.datetime(2026, 10, 20, 12, 0, tzinfo=datetime.UTC),
        center=network["penza_idle"],
        reader_kind=ReaderKind.ANONYMOUS,
        session="s1",
        action=Action.SESSION,
    )
    run(django_capture_on_commit_callbacks, "--month", "2026-10")
    assert RolledUpDay.objects.filter(day=october(20)).exists()
    penza = next(m for m in smtp_server.messages if m["To"] == "rc@penza.example")
    assert "RU-PNZ-IDLE" not in text_of(penza)
    # The days rolled up before keep their figures (they are not rolled up again).
    assert DailyCenterUsage.objects.filter(center=network["tver_busy"]).exists()


def test_a_head_of_two_regions_gets_both_messages(
    network, smtp_server, django_capture_on_commit_callbacks
):
    head = StaffRole.objects.get(user__username="head.tver").user
    staff_role_assign(
        actor=None, user=head, role=Role.REGIONAL_HEAD, region=Region.objects.get(code="RU-PNZ")
    )
    run(django_capture_on_commit_callbacks, "--month", "2026-10")
    keys = OutgoingMail.objects.filter(recipient="head@tver.example").values_list("key", flat=True)
    assert sorted(keys) == ["zero-usage:2026-10:RU-PNZ-RC", "zero-usage:2026-10:RU-TVE-RC"]
    # Penza now has a head with an address: its own address is no longer used.
    assert not OutgoingMail.objects.filter(recipient="rc@penza.example").exists()
