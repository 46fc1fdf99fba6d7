import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from libranet.campaigns.models import Campaign, Response
from libranet.campaigns.services import response_save

from .conftest import INDICATORS, by_name, full_answers

pytestmark = pytest.mark.django_db


def url(name, *args, lang="en"):
    from django.utils import translation

    with translation.override(lang):
        return reverse(f"campaigns:{name}", args=args)


def sign_in(client, user):
    client.force_login(user)
    return client


# Every page and write, and who may use it: (name, args, method, allowed roles).
ROLES = ("network_user", "admin_user", "head_tver", "operator_tver_lib", "international_user")
MANAGERS = {"network_user", "admin_user"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "allowed"),
    [
        ("list", "get", set(ROLES)),
        ("new", "get", MANAGERS),
        ("detail", "get", set(ROLES)),
        ("edit", "get", MANAGERS),
        ("results", "get", set(ROLES)),
        ("results_download", "get", set(ROLES)),
        ("copy", "post", MANAGERS),
        ("send_results", "post", MANAGERS),
        ("response", "get", MANAGERS | {"head_tver", "operator_tver_lib"}),
        ("response", "post", MANAGERS | {"head_tver", "operator_tver_lib"}),
        ("reopen", "post", MANAGERS),
    ],
)
def test_every_role_against_every_page(
    request, client, campaign, centers, role, name, method, allowed
):
    user = request.getfixturevalue(role)
    sign_in(client, user)
    args = {
        "list": (),
        "new": (),
        "results_download": (campaign.pk, "xlsx"),
        "response": (campaign.pk, "RU-TVE-LIB"),
        "reopen": (campaign.pk, "RU-TVE-LIB"),
    }.get(name, (campaign.pk,))
    data = {"until": "2026-03-25"} if name == "reopen" else {}
    if name == "response" and method == "post":
        data = {
            "revision": "1",
            "save": "1",
            f"indicator_{by_name(campaign)['Events held'].pk}": "3",
        }
    answer = getattr(client, method)(url(name, *args), data)
    if role in allowed:
        assert answer.status_code in (200, 302), answer.content[:500]
    else:
        assert answer.status_code in (403, 404)
    if name == "response" and method == "post" and role not in allowed:
        assert not Response.objects.exists()


def test_a_signed_out_visitor_is_sent_to_sign_in(client, campaign):
    answer = client.get(url("list"))
    assert answer.status_code == 302 and "/login/" in answer["Location"]


def test_the_department_creates_a_campaign_with_indicators(client, network_user, centers):
    sign_in(client, network_user)
    form = {
        "title_ru": "Мониторинг II квартала",
        "title_en": "",
        "period_start": "2026-04-01",
        "period_end": "2026-06-30",
        "coverage": "all",
        "opens_on": "2026-06-20",
        "deadline": "2026-07-10",
        "indicators-TOTAL_FORMS": "3",
        "indicators-INITIAL_FORMS": "0",
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "100",
        "indicators-0-position": "2",
        "indicators-0-name_ru": "Проблемы",
        "indicators-0-type": "text",
        "indicators-1-position": "1",
        "indicators-1-name_ru": "Количество мероприятий",
        "indicators-1-type": "integer",
        "indicators-1-required": "on",
        "indicators-1-min_value": "0",
        # The empty form for one more, as a browser sends it untouched.
        "indicators-2-type": "",
        "indicators-2-required": "on",
        "indicators-2-source": "",
    }
    answer = client.post(url("new"), form)
    campaign = Campaign.objects.get()
    assert answer.status_code == 302 and answer["Location"] == url("detail", campaign.pk)
    assert [i.name_ru for i in campaign.indicators.all()] == ["Количество мероприятий", "Проблемы"]
    # Bad bounds: the indicator's field named, nothing saved.
    form["indicators-1-max_value"] = "-5"
    form["title_ru"] = "Второй"
    answer = client.post(url("new"), form)
    assert answer.status_code == 200
    assert "The largest value cannot be below the smallest." in answer.content.decode()
    assert Campaign.objects.count() == 1


def test_the_department_opens_and_copies(client, network_user, draft):
    sign_in(client, network_user)
    client.post(url("open", draft.pk))
    draft.refresh_from_db()
    assert draft.state == Campaign.State.OPEN
    answer = client.post(url("copy", draft.pk))
    copy = Campaign.objects.exclude(pk=draft.pk).get()
    assert answer["Location"] == url("edit", copy.pk)
    page = client.get(url("edit", copy.pk)).content.decode()
    assert "2026-06-30" in page and "Количество мероприятий" in page


def test_an_open_campaign_form_offers_only_its_titles_and_deadline(client, network_user, campaign):
    sign_in(client, network_user)
    page = client.get(url("edit", campaign.pk)).content.decode()
    assert 'name="deadline"' in page and 'name="period_start"' not in page
    answer = client.post(
        url("edit", campaign.pk),
        {
            "title_ru": campaign.title_ru,
            "title_en": "Q1",
            "deadline": "2026-03-27",
            "revision": str(campaign.revision),
        },
    )
    assert answer.status_code == 302
    campaign.refresh_from_db()
    assert campaign.deadline == datetime.date(2026, 3, 27)


def test_an_operator_fills_saves_and_submits_with_libranet_s_figure_beside(
    client, operator_tver_lib, campaign, centers
):
    sign_in(client, operator_tver_lib)
    page = client.get(url("response", campaign.pk, "RU-TVE-LIB")).content.decode()
    assert "Libranet knows: 0" in page and "Use this value" in page
    ids = by_name(campaign)
    data = {
        "revision": "1",
        f"indicator_{ids['Events held'].pk}": "4",
        f"indicator_{ids['Sessions'].pk}": "120",
        f"indicator_{ids['Separate room for the center'].pk}": "no",
        f"indicator_{ids['Internet connection'].pk}": "ADSL",
    }
    answer = client.post(url("response", campaign.pk, "RU-TVE-LIB"), data | {"submit": "1"})
    assert answer.status_code == 302
    assert Response.objects.get().state == Response.State.SUBMITTED
    # Out of bounds: the field named, the stored answers unchanged.
    data[f"indicator_{ids['Events held'].pk}"] = "5000"
    data["revision"] = str(Response.objects.get().revision)
    answer = client.post(url("response", campaign.pk, "RU-TVE-LIB"), data | {"submit": "1"})
    assert answer.status_code == 200
    assert "Events held: the value must be at most 1000." in answer.content.decode()
    assert Response.objects.get().answers.get(indicator=ids["Events held"]).text == "4"


def test_a_stale_form_shows_the_difference_and_keeps_what_was_entered(
    client, operator_tver_lib, head_tver, campaign, centers
):
    events = by_name(campaign)["Events held"]
    response_save(
        actor=head_tver,
        campaign=campaign,
        center=centers["tver_lib"],
        answers={events.pk: "7"},
        revision=None,
    )
    response_save(
        actor=head_tver,
        campaign=campaign,
        center=centers["tver_lib"],
        answers={events.pk: "8"},
        revision=None,
    )
    sign_in(client, operator_tver_lib)
    answer = client.post(
        url("response", campaign.pk, "RU-TVE-LIB"),
        {"revision": "1", f"indicator_{events.pk}": "9", "save": "1"},
    )
    page = answer.content.decode()
    assert answer.status_code == 200 and 'id="edit-conflict"' in page
    assert 'value="9"' in page and ">8<" in page


def test_after_the_deadline_the_form_says_so_and_the_department_reopens(
    client, clock, operator_tver_lib, network_user, campaign
):
    clock.move_to(datetime.datetime(2026, 3, 22, 9, 0, tzinfo=datetime.UTC), tick=False)
    sign_in(client, operator_tver_lib)
    page = client.get(url("response", campaign.pk, "RU-TVE-LIB")).content.decode()
    assert "ask the network department to reopen it" in page and 'name="submit"' not in page
    sign_in(client, network_user)
    client.post(url("reopen", campaign.pk, "RU-TVE-LIB"), {"until": "2026-03-25"})
    assert Response.objects.get().reopened_until == datetime.date(2026, 3, 25)
    sign_in(client, operator_tver_lib)
    assert (
        'name="submit"' in client.get(url("response", campaign.pk, "RU-TVE-LIB")).content.decode()
    )


def test_the_head_sees_the_region_s_completion(client, head_tver, campaign, centers):
    response_save(
        actor=None,
        campaign=campaign,
        center=centers["tver_lib"],
        answers=full_answers(campaign),
        revision=None,
        submit=True,
    )
    sign_in(client, head_tver)
    page = client.get(url("detail", campaign.pk)).content.decode()
    assert "1 of 2 centers submitted (50%)." in page
    assert "RU-TVE-RC" in page and "RU-PNZ-LIB" not in page


def test_results_by_region_and_district_with_downloads(client, network_user, campaign, centers):
    response_save(
        actor=None,
        campaign=campaign,
        center=centers["tver_lib"],
        answers=full_answers(campaign),
        revision=None,
        submit=True,
    )
    response_save(
        actor=None,
        campaign=campaign,
        center=centers["penza_lib"],
        answers=full_answers(
            campaign, **{"Events held": "8", "Separate room for the center": "no"}
        ),
        revision=None,
        submit=True,
    )
    sign_in(client, network_user)
    page = client.get(url("results", campaign.pk)).content.decode()
    assert "2 of 5 centers submitted (40%)." in page
    assert "Total 20, average 10.00, answers 2." in page
    # The network by federal district; each center's answers a region down.
    assert "<svg" in page and "Нужен второй компьютер" not in page
    region = client.get(url("results", campaign.pk) + "?region=RU-TVE").content.decode()
    assert "Total 12, average 12.00, answers 1." in region and "Нужен второй компьютер" in region
    xlsx = client.get(url("results_download", campaign.pk, "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.values)
    assert rows[0][:6] == (
        "Code",
        "Center",
        "Federal district",
        "Region or country",
        "State",
        "Submitted at",
    )
    assert len(rows[0]) == 6 + len(INDICATORS)
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["RU-TVE-LIB"][6] == 12 and by_code["RU-PNZ-LIB"][6] == 8
    assert by_code["RU-TVE-LIB"][10] == 87.5
    assert by_code["RU-TVE-RC"][4] == "not started"
    csv = client.get(url("results_download", campaign.pk, "csv")).content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Code,Center,Federal district")
    assert client.get(url("results_download", campaign.pk, "pdf")).status_code == 404


def test_the_head_s_results_are_their_region_s(client, head_tver, campaign, centers):
    response_save(
        actor=None,
        campaign=campaign,
        center=centers["penza_lib"],
        answers=full_answers(campaign),
        revision=None,
        submit=True,
    )
    sign_in(client, head_tver)
    page = client.get(url("results", campaign.pk)).content.decode()
    assert "0 of 2 centers submitted" in page and "Нужен второй компьютер" not in page
    # Their one region opens at its centers; another region is none of theirs.
    assert 'id="by-center"' in page and "RU-TVE-LIB" in page
    other = client.get(url("results", campaign.pk) + "?region=RU-PNZ").content.decode()
    assert "RU-PNZ-LIB" not in other


def test_drafts_are_the_department_s_own(client, head_tver, draft):
    sign_in(client, head_tver)
    assert client.get(url("detail", draft.pk)).status_code == 404
    assert draft.title not in client.get(url("list")).content.decode()


def test_russian_pages(client, network_user, campaign):
    sign_in(client, network_user)
    for name, args in [
        ("list", ()),
        ("detail", (campaign.pk,)),
        ("results", (campaign.pk,)),
        ("response", (campaign.pk, "RU-TVE-LIB")),
        ("edit", (campaign.pk,)),
        ("new", ()),
    ]:
        answer = client.get(url(name, *args, lang="ru"))
        assert answer.status_code == 200, name


def test_an_operator_s_list_leads_straight_to_their_form_and_the_dashboard_to_the_campaign(
    client, operator_tver_lib, campaign
):
    sign_in(client, operator_tver_lib)
    assert url("response", campaign.pk, "RU-TVE-LIB") in client.get(url("list")).content.decode()
    from django.utils import translation

    with translation.override("en"):
        board = client.get(reverse("backoffice:dashboard")).content.decode()
    assert "Monitoring campaigns taking answers" in board and "0 of 1 submitted" in board


def test_a_center_the_campaign_does_not_ask_has_no_form(
    client, network_user, campaign, make_center
):
    closed = make_center(code="RU-TVE-OLD", status="closed")
    sign_in(client, network_user)
    assert client.get(url("response", campaign.pk, closed.code)).status_code == 404


def test_the_audit_trail_names_the_campaigns_changes(client, network_user, campaign, centers):
    response_save(
        actor=network_user,
        campaign=campaign,
        center=centers["tver_lib"],
        answers=full_answers(campaign),
        revision=None,
        submit=True,
    )
    sign_in(client, network_user)
    from django.utils import translation

    with translation.override("en"):
        page = client.get(reverse("backoffice:audit")).content.decode()
    for words in (
        "monitoring campaign created",
        "monitoring campaign opened",
        "campaign answers submitted",
    ):
        assert words in page
    assert url("response", campaign.pk, "RU-TVE-LIB") in page


def test_a_campaign_of_some_kinds_names_them(client, network_user, centers):
    from .conftest import make_campaign

    campaign = make_campaign(coverage="kinds", kinds=["regional", "foreign"])
    sign_in(client, network_user)
    page = client.get(url("detail", campaign.pk)).content.decode()
    assert "regional center, foreign center" in page


def test_the_menu_marks_the_campaigns_as_the_current_section(client, network_user, campaign):
    sign_in(client, network_user)
    page = client.get(url("detail", campaign.pk, lang="ru")).content.decode()
    # In the back office's menu: the campaigns, not the dashboard above them.
    assert '<li><a href="/ru/office/" aria-current="page">' not in page
    assert f'<a href="{url("list", lang="ru")}" aria-current="page">' in page
