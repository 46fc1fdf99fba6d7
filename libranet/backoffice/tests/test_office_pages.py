"""The back office that speaks the domain: a center's code stays once registered (form and
service), the status form preselects nothing, staff have names (invited with one, accepted,
corrected), and each role's dashboard names what they look after."""

import datetime

import pytest

from libranet.audit.models import AuditEntry
from libranet.backoffice.tests.test_views import center_form
from libranet.network.invitations import invitation_create
from libranet.network.models import Center, Invitation, Region, StaffRole
from libranet.network.services import RegistryError, center_update
from libranet.usage.models import DailyCenterUsage, Metric

pytestmark = pytest.mark.django_db
Role = StaffRole.Role
OFFICE = "/en/office/"
NOW = datetime.datetime(2026, 12, 10, 9, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)


# --- a center's code ----------------------------------------------------------------------


def test_the_code_is_shown_not_offered_after_creation(client, network_user, tver_rc, institution):
    client.force_login(network_user)
    page = client.get(OFFICE + f"centers/{tver_rc.code}/edit/")
    assert "code" not in page.context["form"].fields
    html = page.content.decode()
    assert (
        'name="code"' not in html and '<span class="code" id="center-code">RU-TVE-RC</span>' in html
    )
    data = center_form(institution, code="RU-TVE-HACK", kind=Center.Kind.REGIONAL, name_ru="РЦ")
    del data["status"]
    assert client.post(OFFICE + f"centers/{tver_rc.code}/edit/", data).status_code == 302
    assert Center.objects.filter(code="RU-TVE-RC").exists()
    assert not Center.objects.filter(code="RU-TVE-HACK").exists()
    assert 'name="code"' in client.get(OFFICE + "centers/new/").content.decode()


def test_the_service_refuses_a_new_code(network_user, tver_rc):
    with pytest.raises(RegistryError) as refused:
        center_update(actor=network_user, center=tver_rc, code="RU-TVE-NEW")
    assert "cannot change" in str(refused.value.message_dict["code"])
    center_update(actor=network_user, center=tver_rc, code="RU-TVE-RC", hours="9–18")  # same


def test_the_map_sits_beside_the_coordinates(client, network_user, tver_rc):
    client.force_login(network_user)
    html = client.get(OFFICE + f"centers/{tver_rc.code}/edit/").content.decode()
    assert 'data-coordinates-map data-latitude="id_latitude" data-longitude="id_longitude"' in html
    assert "vendor/world-atlas/countries-50m.json" in html and "js/coordinates.js" in html


# --- the status form ----------------------------------------------------------------------


def test_the_status_form_starts_with_a_prompt(client, network_user, tver_rc):
    client.force_login(network_user)
    page = client.get(OFFICE + f"centers/{tver_rc.code}/status/")
    html = page.content.decode()
    assert '<option value="" selected>— choose the new status —</option>' in html
    assert 'id="current-status">open</span>' in html
    refused = client.post(OFFICE + f"centers/{tver_rc.code}/status/", {"changed_on": "2026-12-10"})
    assert refused.context["form"].errors["status"] == ["Choose the new status."]
    assert Center.objects.get(pk=tver_rc.pk).status == Center.Status.OPEN


# --- staff names --------------------------------------------------------------------------


def test_an_invitation_carries_the_name_to_the_acceptance_form(
    client, network_user, tver_rc, django_capture_on_commit_callbacks
):
    client.force_login(network_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            OFFICE + "staff/invite/",
            {
                "email": "olga@example.org",
                "first_name": "Ольга",
                "last_name": "Смирнова",
                "role": Role.CENTER_OPERATOR,
                "center": "RU-TVE-RC",
                "language": "ru",
            },
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="olga@example.org")
    assert (invitation.first_name, invitation.last_name) == ("Ольга", "Смирнова")
    listing = client.get(OFFICE + "staff/").content.decode()
    assert "Ольга Смирнова" in listing
    client.logout()
    _invitation, token = invitation_create(
        actor=network_user,
        email="ivan@example.org",
        first_name="Иван",
        last_name="Белов",
        role=Role.CENTER_OPERATOR,
        center=tver_rc,
    )
    form = client.get(f"/en/accounts/invitation/{token}/").context["form"]
    assert form["first_name"].value() == "Иван" and form["last_name"].value() == "Белов"


def test_the_staff_list_names_people_and_their_scopes(client, network_user, operator_user, tver_rc):
    operator_user.first_name, operator_user.last_name = "Мария", "Котова"
    operator_user.email = "kotova@example.org"
    operator_user.save()
    client.force_login(network_user)
    html = client.get(OFFICE + "staff/").content.decode()
    assert "<strong>Мария Котова</strong>" in html and "kotova@example.org" in html
    assert f'center operator: <a href="/en/office/centers/{tver_rc.code}/edit/">' in html
    assert 'data-label="Roles"' in html


def test_an_admin_corrects_a_name(client, network_user, head_tver, operator_user):
    client.force_login(network_user)
    path = OFFICE + f"staff/{operator_user.pk}/name/"
    assert client.post(path, {"first_name": " Мария ", "last_name": "Котова"}).status_code == 302
    operator_user.refresh_from_db()
    assert operator_user.get_full_name() == "Мария Котова"
    entry = AuditEntry.objects.get(action="user.name_change")
    assert entry.changes == {"first_name": ["", "Мария"], "last_name": ["", "Котова"]}
    # a head corrects their operators' names, never a peer's or the department's
    client.force_login(head_tver)
    assert client.get(path).status_code == 200
    assert client.get(OFFICE + f"staff/{network_user.pk}/name/").status_code == 403
    client.force_login(operator_user)
    assert client.get(OFFICE + f"staff/{head_tver.pk}/name/").status_code == 403


# --- the dashboard --------------------------------------------------------------------------


def test_an_operator_sees_their_center_and_its_last_month(client, operator_user, tver_rc):
    DailyCenterUsage.objects.bulk_create(
        [
            DailyCenterUsage(
                day=datetime.date(2026, 11, 3), center=tver_rc, metric=Metric.SESSIONS, value=7
            ),
            DailyCenterUsage(
                day=datetime.date(2026, 11, 4), center=tver_rc, metric=Metric.SESSIONS, value=5
            ),
            DailyCenterUsage(
                day=datetime.date(2026, 12, 1), center=tver_rc, metric=Metric.SESSIONS, value=99
            ),
        ]
    )
    client.force_login(operator_user)
    page = client.get(OFFICE)
    board = page.context["board"]
    [own] = board.own
    assert own.center == tver_rc and board.month == datetime.date(2026, 11, 1)
    assert own.figures[0] == ("Sessions", 12)
    html = page.content.decode()
    assert tver_rc.name_en in html and "November 2026" in html
    for url in (f"centers/{tver_rc.code}/edit/", f"centers/{tver_rc.code}/workstations/"):
        assert f'href="/en/office/{url}"' in html
    assert f'href="/en/centers/{tver_rc.code}/"' in html
    assert board.counts == []  # no region or network summary for an operator


def test_a_head_sees_their_region_and_what_needs_attention(
    client, head_tver, tver_rc, penza_rc, make_center, network_user
):
    quiet = make_center(code="RU-TVE-0007")
    DailyCenterUsage.objects.create(
        day=datetime.date(2026, 11, 8), center=tver_rc, metric=Metric.SESSIONS, value=3
    )
    invitation_create(
        actor=head_tver, email="x@example.org", role=Role.CENTER_OPERATOR, center=quiet
    )
    client.force_login(head_tver)
    page = client.get(OFFICE)
    board = page.context["board"]
    assert board.regions == [Region.objects.get(code="RU-TVE")] and not board.network_wide
    assert board.total == 2  # Penza's regional center is not theirs
    assert board.zero_last_month == 1 and board.pending_invitations == 1
    html = page.content.decode()
    assert "Your region: Tver Region" in html
    assert "open center with no session in November 2026</a>" in html


def test_the_network_department_sees_the_network(client, network_user, tver_rc, penza_rc):
    client.force_login(network_user)
    page = client.get("/ru/office/")
    board = page.context["board"]
    assert board.network_wide and board.total == 2 and board.zero_last_month == 2
    html = page.content.decode()
    assert "Сеть центров" in html and 'href="/ru/office/audit/"' in html


# --- the SUSHI customer -----------------------------------------------------------------------


def test_the_sushi_customer_is_picked_from_the_centers_or_the_library(
    client, network_user, tver_rc, settings
):
    client.force_login(network_user)
    html = client.get(OFFICE + "sushi/").content.decode()
    customer = html.split('name="customer_id"')[1].split(">")[0]
    assert 'data-picker="/en/office/pickers/centers.json"' in customer
    library = settings.LIBRANET_SUSHI_LIBRARY_CUSTOMER_ID
    assert f"The whole Library ({library})" in customer
    issued = client.post(
        OFFICE + "sushi/",
        {"name": "Harvester", "requestor_id": "harvest@example.org", "customer_id": tver_rc.code},
    )
    assert issued.context["issued"]["credential"].center == tver_rc


def test_the_dashboard_costs_a_fixed_number_of_queries(
    client, network_user, make_center, django_assert_max_num_queries
):
    for _ in range(10):
        make_center()
    client.force_login(network_user)
    with django_assert_max_num_queries(15):  # one count for each line of the page
        assert client.get(OFFICE).context["board"].total == 10
