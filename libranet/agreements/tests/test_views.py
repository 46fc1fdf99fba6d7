"""The agreement pages: every role against every page and write, the scan served only to those
who may see the agreement, bad input shown on its field with nothing saved, the stale copy."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from libranet.agreements import services
from libranet.agreements.models import Agreement, Renewal, RenewalRound

from .conftest import TODAY, day

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"
BASE = "/ru/office/agreements/"


@pytest.fixture
def staff(admin_user, network_user, international_user, head_tver, operator_user, reader_user):
    return {
        "admin": admin_user,
        "network": network_user,
        "international": international_user,
        "head": head_tver,
        "operator": operator_user,  # of the Tver regional center
        "reader": reader_user,
    }


@pytest.fixture
def agreements(make_agreement, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    made = {
        "tver_rc": make_agreement("tver_rc", number="1/RC", ends=60),
        "tver_remote": make_agreement("tver_remote", number="2/TVE", ends=400),
        "penza_rc": make_agreement("penza_rc", number="3/PNZ", ends=-5),
        "foreign": make_agreement("foreign", number="4/MN", ends=30),
    }
    services.agreement_attach_scan(
        actor=None, agreement=made["tver_rc"], file=SimpleUploadedFile("s.pdf", PDF)
    )
    return made


# Which agreements each role sees in the list.
SEES = {
    "admin": {"1/RC", "2/TVE", "3/PNZ", "4/MN"},
    "network": {"1/RC", "2/TVE", "3/PNZ", "4/MN"},
    "international": {"4/MN"},
    "head": {"1/RC", "2/TVE"},
    "operator": {"1/RC"},
}


@pytest.mark.parametrize("role", list(SEES))
def test_the_list_shows_what_each_role_sees(client, staff, agreements, role):
    client.force_login(staff[role])
    response = client.get(BASE)
    assert response.status_code == 200
    shown = {a.number for a, _state, _badge in response.context["rows"]}
    assert shown == SEES[role]
    for number, agreement in ((a.number, a) for a in agreements.values()):
        detail = client.get(f"{BASE}{agreement.pk}/")
        assert detail.status_code == (200 if number in SEES[role] else 404)


def test_anonymous_and_readers_are_kept_out(client, staff, agreements):
    pk = agreements["tver_rc"].pk
    for url in (BASE, f"{BASE}{pk}/", f"{BASE}{pk}/scan/", f"{BASE}rounds/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(staff["reader"])
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}{pk}/scan/").status_code == 403


def test_filters(client, staff, agreements):
    client.force_login(staff["network"])

    def numbers(query):
        return {a.number for a, _s, _b in client.get(f"{BASE}?{query}").context["rows"]}

    assert numbers("expiring=1") == {"1/RC", "4/MN"}
    assert numbers("state=expired") == {"3/PNZ"}
    assert numbers("state=active") == {"2/TVE"}
    assert numbers("region=RU-TVE") == {"1/RC", "2/TVE"}
    assert numbers("q=PNZ") == {"3/PNZ"}


@pytest.mark.parametrize(
    ("role", "status"),
    [("network", 200), ("head", 200), ("operator", 200), ("international", 404)],
)
def test_the_scan_is_served_only_to_those_who_see_the_agreement(
    client, staff, agreements, role, status
):
    client.force_login(staff[role])
    response = client.get(f"{BASE}{agreements['tver_rc'].pk}/scan/")
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert "no-store" in response["Cache-Control"]


# Who may write: (role, agreement) → allowed.
WRITERS = {"admin": True, "network": True, "international": False, "head": False, "operator": False}


@pytest.mark.parametrize("role", list(WRITERS))
def test_writes_by_role(client, staff, agreements, role):
    client.force_login(staff[role])
    agreement = agreements["tver_rc"]
    allowed = WRITERS[role]
    assert client.get(f"{BASE}new/").status_code == (
        200 if role != "head" and role != "operator" else 403
    )
    edit = client.post(
        f"{BASE}{agreement.pk}/edit/",
        {
            "number": "1/RC",
            "center": agreement.center.pk,
            "starts_on": agreement.starts_on.isoformat(),
            "ends_on": day(70).isoformat(),
            "signed_on": agreement.signed_on.isoformat(),
            "prolongation": "none",
            "notice_days": 30,
            "revision": agreement.revision,
        },
    )
    scan = client.post(f"{BASE}{agreement.pk}/scan/", {"scan": SimpleUploadedFile("n.pdf", PDF)})
    terminate = client.post(
        f"{BASE}{agreement.pk}/terminate/", {"terminated_on": TODAY.isoformat()}
    )
    expected = 302 if allowed else 403
    if role in ("international",):
        expected = 404  # a Tver agreement is not theirs to see at all
    assert (edit.status_code, scan.status_code, terminate.status_code) == (expected,) * 3
    agreement.refresh_from_db()
    assert (agreement.status == Agreement.Status.TERMINATED) is allowed
    assert (agreement.ends_on == day(70)) is allowed


def test_international_manages_the_foreign_agreement(client, staff, agreements):
    client.force_login(staff["international"])
    pk = agreements["foreign"].pk
    response = client.post(f"{BASE}{pk}/terminate/", {"terminated_on": TODAY.isoformat()})
    assert response.status_code == 302


def test_the_form_refuses_an_end_before_the_start_naming_the_field(client, staff, centers):
    client.force_login(staff["network"])
    response = client.post(
        f"{BASE}new/",
        {
            "number": "9",
            "center": centers["tver_rc"].pk,
            "starts_on": day(10).isoformat(),
            "ends_on": day(1).isoformat(),
            "prolongation": "none",
            "notice_days": 30,
        },
    )
    assert response.status_code == 200
    assert "ends_on" in response.context["form"].errors
    assert not Agreement.objects.exists()


def test_a_wrong_scan_is_refused_on_its_field(client, staff, agreements):
    client.force_login(staff["network"])
    agreement = agreements["tver_remote"]
    response = client.post(
        f"{BASE}{agreement.pk}/scan/", {"scan": SimpleUploadedFile("x.pdf", b"GIF89a....")}
    )
    assert response.status_code == 422
    assert "scan" in response.context["scan_form"].errors
    agreement.refresh_from_db()
    assert not agreement.scan


def test_the_stale_copy_is_shown_the_difference_and_keeps_what_was_entered(
    client, staff, agreements
):
    client.force_login(staff["network"])
    agreement = agreements["tver_remote"]
    services.agreement_update(actor=staff["admin"], agreement=agreement, revision=1, notes="Theirs")
    response = client.post(
        f"{BASE}{agreement.pk}/edit/",
        {
            "number": "2/TVE",
            "center": agreement.center.pk,
            "starts_on": agreement.starts_on.isoformat(),
            "ends_on": agreement.ends_on.isoformat(),
            "signed_on": agreement.signed_on.isoformat(),
            "prolongation": "none",
            "notice_days": 30,
            "notes": "Mine",
            "revision": 1,
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="edit-conflict"' in page and "Theirs" in page and "Mine" in page
    agreement.refresh_from_db()
    assert agreement.notes == "Theirs"


def test_detail_page_shows_history_and_scan(client, staff, agreements):
    client.force_login(staff["network"])
    page = client.get(f"{BASE}{agreements['tver_rc'].pk}/").content.decode()
    assert f"{BASE}{agreements['tver_rc'].pk}/scan/" in page
    assert "зарегистрировано соглашение" in page and "сохранён скан соглашения" in page


def test_rounds_pages_and_steps_by_role(client, staff, agreements):
    client.force_login(staff["network"])
    assert client.get(f"{BASE}rounds/new/").status_code == 200
    response = client.post(
        f"{BASE}rounds/new/",
        {
            "title": "Renewal 2026",
            "year": 2026,
            "deadline": day(20).isoformat(),
            "expiring_before": day(100).isoformat(),
        },
    )
    assert response.status_code == 302
    round_ = RenewalRound.objects.get()
    assert {r.agreement.number for r in round_.renewals.all()} == {"1/RC", "3/PNZ", "4/MN"}
    tver = round_.renewals.get(agreement__number="1/RC")
    page = client.get(f"{BASE}rounds/{round_.pk}/")
    assert page.status_code == 200
    assert [c for _v, _l, c in page.context["progress"].by_step] == [3, 0, 0, 0]
    step_url = f"{BASE}renewals/{tver.pk}/step/"
    # Out of order: refused, shown on the page.
    response = client.post(step_url, {"step": "partner_signed"})
    assert response.status_code == 422
    assert client.post(step_url, {"step": "sent"}).status_code == 302

    client.force_login(staff["head"])
    assert client.get(f"{BASE}rounds/new/").status_code == 403
    page = client.get(f"{BASE}rounds/{round_.pk}/")
    assert [r["renewal"].agreement.number for r in page.context["rows"]] == ["1/RC"]
    assert page.context["rows"][0]["allowed"]
    assert client.post(step_url, {"step": "partner_signed"}).status_code == 302
    assert (
        client.post(
            step_url, {"step": "library_signed", "number": "X", "term_years": 5}
        ).status_code
        == 403
    )

    client.force_login(staff["operator"])
    assert client.post(step_url, {"step": "library_signed"}).status_code == 403
    client.force_login(staff["international"])
    assert client.post(step_url, {"step": "library_signed"}).status_code == 404

    client.force_login(staff["network"])
    final = {"step": "library_signed", "number": "5/RC", "term_years": 5}
    bad = client.post(step_url, {**final, "scan": SimpleUploadedFile("s.pdf", b"not a pdf")})
    assert bad.status_code == 422  # a wrong scan: nothing of the step is kept
    tver.refresh_from_db()
    assert tver.step == Renewal.Step.PARTNER_SIGNED
    assert not Agreement.objects.filter(number="5/RC").exists()
    response = client.post(step_url, {**final, "scan": SimpleUploadedFile("s.pdf", PDF)})
    assert response.status_code == 302
    tver.refresh_from_db()
    assert tver.step == Renewal.Step.LIBRARY_SIGNED and tver.renewed.number == "5/RC"
    assert tver.renewed.scan


def test_dashboard_lines(client, staff, agreements):
    client.force_login(staff["network"])
    board = client.get("/ru/office/").context["board"]
    assert (board.agreements_expiring, board.agreements_expired) == (2, 1)
    assert board.renewals_waiting is None
    round_ = services.renewal_round_create(
        actor=None, title="R", year=2026, deadline=day(9), expiring_before=day(100)
    )
    services.renewal_advance(
        actor=None, renewal=round_.renewals.get(agreement__number="1/RC"), step="sent"
    )
    client.force_login(staff["head"])
    board = client.get("/ru/office/").context["board"]
    assert board.renewals_waiting == 1 and board.agreements_expiring is None


@pytest.mark.parametrize(("role", "status"), [("network", 302), ("head", 403), ("operator", 403)])
def test_a_draft_is_made_active_by_the_department(client, staff, make_agreement, role, status):
    draft = make_agreement("tver_rc", number="D-1", active=False)
    client.force_login(staff[role])
    missing = client.post(f"{BASE}{draft.pk}/activate/", {})
    response = client.post(f"{BASE}{draft.pk}/activate/", {"signed_on": TODAY.isoformat()})
    assert response.status_code == status
    if status == 302:
        assert missing.status_code == 422 and "signed_on" in missing.context["activate_form"].errors
    draft.refresh_from_db()
    assert (draft.status == Agreement.Status.ACTIVE) is (status == 302)


def test_the_list_and_the_api_cost_a_fixed_number_of_queries(
    client, staff, make_agreement, centers, make_center
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from libranet.api.tests.test_api import Api, secret_for

    client.force_login(staff["network"])
    api = Api(client, secret_for(staff["network"]))

    def cost():
        with CaptureQueriesContext(connection) as page:
            assert client.get(BASE).status_code == 200
        with CaptureQueriesContext(connection) as listing:
            assert api.get("/agreements").status_code == 200
        return len(page), len(listing)

    make_agreement("tver_rc")
    cost()  # the token's first use is recorded once
    few = cost()
    for n in range(8):
        make_agreement(make_center(), number=f"N{n}")
    assert cost() == few


@pytest.fixture
def round_(agreements):
    """A round over the four agreements; Tver's regional center's renewal sent."""
    made = services.renewal_round_create(
        actor=None, title="R", year=2026, deadline=day(20), expiring_before=day(500)
    )
    services.renewal_advance(
        actor=None, renewal=made.renewals.get(agreement__number="1/RC"), step="sent"
    )
    return made


def numbers(response) -> set[str]:
    return {row["renewal"].agreement.number for row in response.context["rows"]}


def test_a_rounds_progress_per_step_and_per_region(client, staff, round_):
    client.force_login(staff["network"])
    progress = client.get(f"{BASE}rounds/{round_.pk}/").context["progress"]
    assert [(step, count) for step, _label, count in progress.by_step] == [
        ("pending", 3),
        ("sent", 1),
        ("partner_signed", 0),
        ("library_signed", 0),
    ]
    # The regions by name, the foreign center's last.
    assert [(r.code, r.total, r.counts[1][1]) for r in progress.by_region] == [
        ("RU-PNZ", 1, 0),
        ("RU-TVE", 2, 1),
        ("", 1, 0),
    ]
    client.force_login(staff["head"])
    progress = client.get(f"{BASE}rounds/{round_.pk}/").context["progress"]
    assert [(r.code, r.total) for r in progress.by_region] == [("RU-TVE", 2)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"1/RC", "2/TVE", "3/PNZ", "4/MN"}),
        ("region=RU-TVE", {"1/RC", "2/TVE"}),
        ("step=sent", {"1/RC"}),
        ("region=RU-TVE&step=pending", {"2/TVE"}),
        ("step=unknown", {"1/RC", "2/TVE", "3/PNZ", "4/MN"}),  # an unknown step: any
        ("region=RU-PNZ&step=sent", set()),
    ],
)
def test_a_rounds_renewals_filtered_by_region_and_step(client, staff, round_, query, expected):
    client.force_login(staff["network"])
    response = client.get(f"{BASE}rounds/{round_.pk}/?{query}")
    assert response.status_code == 200
    assert numbers(response) == expected
    if not expected:
        assert "Нет соглашений кампании" in response.content.decode()


def test_a_rounds_renewals_are_paged_with_the_filters_kept(client, staff, round_, monkeypatch):
    from libranet.agreements import views

    monkeypatch.setattr(views, "ROUND_PAGE_SIZE", 1)
    client.force_login(staff["network"])
    response = client.get(f"{BASE}rounds/{round_.pk}/?region=RU-TVE")
    assert response.context["page"].paginator.num_pages == 2
    text = response.content.decode()
    assert "?region=RU-TVE&amp;page=2" in text
    assert 'name="back" value="region=RU-TVE"' in text
    second = client.get(f"{BASE}rounds/{round_.pk}/?region=RU-TVE&page=2")
    assert len(second.context["rows"]) == 1


def test_a_step_comes_back_to_the_rounds_filtered_page(client, staff, round_):
    client.force_login(staff["network"])
    tver = round_.renewals.get(agreement__number="2/TVE")
    url = f"{BASE}renewals/{tver.pk}/step/"
    back = "region=RU-TVE&page=1&other=x"
    response = client.post(url, {"step": "sent", "back": back})
    assert response.status_code == 302
    page = f"{BASE}rounds/{round_.pk}/"
    assert response["Location"] == f"{page}?region=RU-TVE&page=1#renewal-{tver.pk}"
    # Refused on the page it came from: the row shows why.
    refused = client.post(url, {"step": "library_signed", "back": "region=RU-TVE"})
    assert refused.status_code == 422
    assert refused.context["filters"].region == "RU-TVE"
    assert refused.context["failed_elsewhere"] is None
    # Refused while the renewal is not on that page: told above the list.
    elsewhere = client.post(url, {"step": "library_signed", "back": "region=RU-PNZ"})
    assert elsewhere.status_code == 422
    assert elsewhere.context["failed_elsewhere"] == tver
    assert "№ 2/TVE: этап не записан." in elsewhere.content.decode()


def test_a_rounds_page_costs_a_fixed_number_of_queries(
    client, staff, round_, make_agreement, make_center
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(round_pk: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{BASE}rounds/{round_pk}/").status_code == 200
        return len(queries)

    for n in range(6):
        make_agreement(make_center(), number=f"N{n}", ends=100)
    larger = services.renewal_round_create(
        actor=None, title="R2", year=2026, deadline=day(20), expiring_before=day(500)
    )
    assert larger.renewals.count() == 6  # the first round keeps its four
    for role in ("network", "head"):
        client.force_login(staff[role])
        assert cost(larger.pk) == cost(round_.pk), role
