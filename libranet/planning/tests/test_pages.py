"""The opening plan's pages: every role against every page and write, the forms' refusals
naming the field, the stale-copy conflict shown, the downloads opened and checked."""

import io

import openpyxl
import pytest
from pypdf import PdfReader

from libranet.network.models import Center
from libranet.planning.models import PlanningRound, Proposal
from libranet.planning.services import proposal_decide, proposal_submit

from .conftest import proposal_fields

pytestmark = pytest.mark.django_db
State = Proposal.State
BASE = "/ru/office/planning"


@pytest.fixture
def users(admin_user, network_user, head_tver, head_penza, operator_user, international_user):
    return {
        "admin": admin_user,
        "network": network_user,
        "head.tver": head_tver,
        "head.penza": head_penza,
        "operator": operator_user,
        "international": international_user,
    }


@pytest.fixture
def submitted(make_proposal, head_tver):
    return proposal_submit(actor=head_tver, proposal=make_proposal(actor=head_tver))


def form_data(proposal=None, **overrides):
    data = {"region": proposal.region_id if proposal else "", **proposal_fields()}
    data["institution"] = ""
    if proposal is not None:
        data["revision"] = proposal.revision
    data.update(overrides)
    return data


READERS = {"admin", "network", "head.tver", "head.penza"}  # who sees the plan's pages


@pytest.mark.parametrize(
    "who", ["admin", "network", "head.tver", "head.penza", "operator", "international"]
)
def test_every_role_against_every_page(client, users, who, submitted, round_2027):
    client.force_login(users[who])
    pages = [
        f"{BASE}/",
        f"{BASE}/{round_2027.pk}/",
        f"{BASE}/{round_2027.pk}/plan/",
        f"{BASE}/{round_2027.pk}/plan.xlsx",
        f"{BASE}/{round_2027.pk}/plan.pdf",
        f"{BASE}/{round_2027.pk}/proposals/new/",
    ]
    for url in pages:
        assert client.get(url).status_code == (200 if who in READERS else 403), url
    department = who in {"admin", "network"}
    assert client.get(f"{BASE}/new/").status_code == (200 if department else 403)
    # Tver's proposal: Tver's head and the department see it; Penza's head does not find it.
    expected = 200 if who in {"admin", "network", "head.tver"} else 404
    if who not in READERS:
        expected = 403
    assert client.get(f"{BASE}/proposals/{submitted.pk}/").status_code == expected


@pytest.mark.parametrize("who", ["head.tver", "head.penza", "operator", "international"])
def test_only_the_department_decides_and_opens_rounds(client, users, who, submitted):
    client.force_login(users[who])
    response = client.post(
        f"{BASE}/proposals/{submitted.pk}/decide/",
        {"decision": "approved", "revision": submitted.revision},
    )
    assert response.status_code in (403, 404)
    assert client.post(f"{BASE}/new/", {"year": 2028, "deadline": "2027-12-01"}).status_code == 403
    assert Proposal.objects.get().state == State.SUBMITTED
    assert PlanningRound.objects.count() == 1


def test_the_department_opens_a_round_and_decides(client, network_user, submitted):
    client.force_login(network_user)
    response = client.post(f"{BASE}/new/", {"year": 2028, "deadline": "2027-12-01"})
    assert response.status_code == 302
    response = client.post(f"{BASE}/new/", {"year": 2028, "deadline": "2027-12-01"})
    assert "Сбор планов на 2028 год уже есть" in response.content.decode()
    page = client.get(f"{BASE}/proposals/{submitted.pk}/").content.decode()
    assert 'name="decision"' in page
    response = client.post(
        f"{BASE}/proposals/{submitted.pk}/decide/",
        {"decision": "returned", "comment": "", "revision": submitted.revision},
    )
    assert "возврат на доработку требует комментария" in response.content.decode()
    response = client.post(
        f"{BASE}/proposals/{submitted.pk}/decide/",
        {"decision": "approved", "comment": "", "revision": submitted.revision},
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.state == State.APPROVED and proposal.center.status == Center.Status.PLANNED
    page = client.get(f"{BASE}/proposals/{submitted.pk}/").content.decode()
    assert proposal.center.code in page


def test_a_head_creates_edits_and_submits_for_their_region(client, head_tver, round_2027, tver):
    client.force_login(head_tver)
    response = client.post(f"{BASE}/{round_2027.pk}/proposals/new/", form_data(region=tver.pk))
    assert response.status_code == 302, response.content.decode()
    proposal = Proposal.objects.get()
    response = client.post(
        f"{BASE}/proposals/{proposal.pk}/edit/", form_data(proposal, address="Тверь, пр. Мира, 3")
    )
    assert response.status_code == 302
    client.post(f"{BASE}/proposals/{proposal.pk}/submit/", {"revision": proposal.revision + 1})
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED and proposal.address == "Тверь, пр. Мира, 3"


def test_a_head_cannot_choose_another_region(client, head_tver, round_2027, penza):
    client.force_login(head_tver)
    response = client.post(f"{BASE}/{round_2027.pk}/proposals/new/", form_data(region=penza.pk))
    assert response.status_code == 200
    assert 'href="#id_region"' in response.content.decode()  # the error names the field
    assert not Proposal.objects.exists()


def test_bad_input_on_the_form_names_the_field(client, head_tver, round_2027, tver):
    client.force_login(head_tver)
    response = client.post(
        f"{BASE}/{round_2027.pk}/proposals/new/",
        form_data(region=tver.pk, planned_month="2031-02"),
    )
    page = response.content.decode()
    assert 'href="#id_planned_month"' in page and "2027" in page
    assert not Proposal.objects.exists()


def test_a_stale_copy_is_shown_the_difference(client, head_tver, make_proposal):
    proposal = make_proposal(actor=head_tver)
    client.force_login(head_tver)
    client.post(f"{BASE}/proposals/{proposal.pk}/edit/", form_data(proposal, address="Тверь, 1"))
    response = client.post(
        f"{BASE}/proposals/{proposal.pk}/edit/", form_data(proposal, address="Тверь, 2")
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="edit-conflict"' in page and "Тверь, 1" in page and 'value="Тверь, 2"' in page
    assert Proposal.objects.get().address == "Тверь, 1"


def test_the_head_sees_every_decision_with_its_comment(client, head_tver, network_user, submitted):
    proposal_decide(
        actor=network_user, proposal=submitted, decision=State.RETURNED, comment="Нужен план зала"
    )
    client.force_login(head_tver)
    page = client.get(f"{BASE}/proposals/{submitted.pk}/").content.decode()
    assert "Нужен план зала" in page and "Отправить снова" in page


def test_the_round_page_filters_by_state_and_region(client, network_user, make_proposal, penza):
    make_proposal(actor=network_user, name_ru="Тверской ЦУД")
    make_proposal(actor=network_user, region=penza, name_ru="Пензенский ЦУД")
    client.force_login(network_user)
    round_pk = PlanningRound.objects.get().pk
    page = client.get(f"{BASE}/{round_pk}/?region=RU-PNZ").content.decode()
    assert "Пензенский ЦУД" in page and "Тверской ЦУД" not in page
    page = client.get(f"{BASE}/{round_pk}/?state=submitted").content.decode()
    assert "Пензенский ЦУД" not in page and "Тверской ЦУД" not in page


@pytest.fixture
def approved_plan(make_proposal, network_user, penza):
    from libranet.network.services import center_change_status

    made = []
    for month, region, name in (
        ("2027-03", None, "ЦУД в Торжке"),
        ("2027-05", penza, "ЦУД в Кузнецке"),
    ):
        proposal = make_proposal(
            actor=network_user, region=region, planned_month=month, name_ru=name
        )
        proposal = proposal_submit(actor=network_user, proposal=proposal)
        made.append(proposal_decide(actor=network_user, proposal=proposal, decision="approved"))
    center = made[0].center
    center_change_status(actor=None, center=center, status=Center.Status.APPROVED)
    center_change_status(actor=None, center=center, status=Center.Status.OPEN)
    return made


def test_the_plan_page_and_xlsx(client, network_user, approved_plan):
    client.force_login(network_user)
    round_pk = approved_plan[0].round_id
    page = client.get(f"{BASE}/{round_pk}/plan/").content.decode()
    assert "Тверская область" in page and "1 / 1" in page and "1 / 0" in page
    response = client.get(f"{BASE}/{round_pk}/plan.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Регион" and rows[0][-2:] == ("Запланировано всего", "Открыто всего")
    by_region = {row[0]: row for row in rows[1:]}
    assert by_region["Тверская область"][1 + 2 * 2 : 1 + 2 * 2 + 2] == (1, 1)  # March
    assert by_region["Пензенская область"][-2:] == (1, 0)
    assert by_region["Итого"][-2:] == (2, 1)


def test_the_plan_pdf_has_its_russian_text(client, network_user, approved_plan):
    client.force_login(network_user)
    response = client.get(f"{BASE}/{approved_plan[0].round_id}/plan.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "План открытий 2027" in text
    assert "Тверская область" in text and "ЦУД в Кузнецке" in text
    assert approved_plan[0].center.code in text


def test_a_head_sees_their_regions_plan_only(client, head_penza, approved_plan):
    client.force_login(head_penza)
    page = client.get(f"{BASE}/{approved_plan[0].round_id}/plan/").content.decode()
    assert "Пензенская область" in page and "Тверская область" not in page


def test_the_dashboards_lines(client, network_user, head_tver, submitted):
    client.force_login(network_user)
    page = client.get("/en/office/").content.decode()
    assert "1</span>" in page and "opening proposal awaiting a decision" in page
    proposal_decide(actor=network_user, proposal=submitted, decision="returned", comment="Нет")
    client.force_login(head_tver)
    page = client.get("/en/office/").content.decode()
    assert "opening proposal returned for changes" in page
    assert "proposals due by 1 December, 21 days left" in page


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("admin", True),
        ("network", True),
        ("head.tver", True),
        ("head.penza", False),  # another region's proposal: not found
        ("operator", False),
        ("international", False),
    ],
)
def test_every_role_against_the_proposal_writes(
    client, users, who, allowed, make_proposal, head_tver, round_2027, tver
):
    proposal = make_proposal(actor=head_tver)
    client.force_login(users[who])
    new = client.post(f"{BASE}/{round_2027.pk}/proposals/new/", form_data(region=tver.pk))
    edit = client.post(f"{BASE}/proposals/{proposal.pk}/edit/", form_data(proposal, address="Б"))
    submit = client.post(f"{BASE}/proposals/{proposal.pk}/submit/", {})
    close = client.post(f"{BASE}/{round_2027.pk}/close/")
    proposal.refresh_from_db()
    if allowed:
        assert (new.status_code, edit.status_code, submit.status_code) == (302, 302, 302)
        assert proposal.state == State.SUBMITTED and proposal.address == "Б"
        assert Proposal.objects.count() == 2
    else:
        assert new.status_code == (200 if who == "head.penza" else 403)  # Tver not offered
        assert edit.status_code in (403, 404) and submit.status_code in (403, 404)
        assert proposal.state == State.DRAFT and Proposal.objects.count() == 1
    department = who in {"admin", "network"}
    assert close.status_code == (302 if department else 403)
    # Tver's proposal, submitted or not, keeps the round open: only the department may close
    # it, and a submitted proposal waits for its decision.
    assert PlanningRound.objects.get().is_open
