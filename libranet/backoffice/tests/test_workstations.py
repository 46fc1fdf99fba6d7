"""Workstations in the back office: a center's staff register the browser they use, see the
center's workstations and revoke one; other centers' staff cannot; the cookie places the browser
in the center until it is revoked."""

import pytest
from django.test import Client

from libranet.audit.models import AuditEntry
from libranet.network.models import Region, StaffRole, Workstation
from libranet.network.places import WORKSTATION_COOKIE, WORKSTATION_COOKIE_AGE
from libranet.public.files import file_url
from libranet.public.tests.resources_data import (
    OUTSIDE_ADDRESS,
    add_file,
    make_resource,
    media,  # noqa: F401 (a fixture)
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
PAGE = "/en/office/centers/RU-TVE-RC/workstations/"


@pytest.fixture
def penza_operator(make_staff, penza_rc):
    return make_staff("operator.penza", StaffRole.Role.CENTER_OPERATOR, center=penza_rc)


def register(client, name="Reading room, computer 3"):
    return client.post(PAGE, {"name": name}, REMOTE_ADDR=OUTSIDE_ADDRESS)


def read_on_site(cookie, resource_file) -> int:
    """What an anonymous visitor's browser holding ``cookie`` (if any) gets from outside (the
    staff who register are staff, who read everything anyway)."""
    browser = Client()
    if cookie is not None:
        browser.cookies[WORKSTATION_COOKIE] = cookie
    response = browser.get(file_url(resource_file), REMOTE_ADDR=OUTSIDE_ADDRESS)
    if response.streaming:
        b"".join(response.streaming_content)  # read to the end: the file is closed
    return response.status_code


def test_operator_registers_this_browser(client, operator_user, tver_rc):
    on_site = add_file(make_resource("pl:onsite", access_level="on_site"))
    client.force_login(operator_user)
    assert read_on_site(None, on_site) == 403
    response = register(client)
    assert response.status_code == 302 and response["Location"] == PAGE
    cookie = response.cookies[WORKSTATION_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert cookie["max-age"] == WORKSTATION_COOKIE_AGE
    assert not cookie["secure"]  # outside production (HTTPS-only there: next test)
    workstation = Workstation.objects.get()
    assert workstation.center == tver_rc and workstation.registered_by == operator_user
    assert AuditEntry.objects.filter(action="workstation.register").exists()

    html = client.get(PAGE).content.decode()
    assert (
        "This browser is registered as workstation “Reading room, computer 3” of center "
        "Regional center in Tver Region (RU-TVE-RC)." in html
    )
    assert "operator" in html and "active" in html
    assert read_on_site(cookie.value, on_site) == 200  # from outside, by the cookie


def test_the_cookie_is_https_only_in_production(client, operator_user, tver_rc, settings):
    settings.SESSION_COOKIE_SECURE = True
    client.force_login(operator_user)
    assert register(client).cookies[WORKSTATION_COOKIE]["secure"]


def test_revoking_ends_the_workstation(client, operator_user, tver_rc):
    on_site = add_file(make_resource("pl:onsite", access_level="on_site"))
    client.force_login(operator_user)
    cookie = register(client).cookies[WORKSTATION_COOKIE].value
    assert read_on_site(cookie, on_site) == 200
    workstation = Workstation.objects.get()
    response = client.post(f"/en/office/workstations/{workstation.pk}/revoke/")
    assert response.status_code == 302
    assert response.cookies[WORKSTATION_COOKIE]["max-age"] == 0  # this browser forgets it
    workstation.refresh_from_db()
    assert workstation.revoked_at is not None
    assert AuditEntry.objects.filter(action="workstation.revoke").exists()
    assert read_on_site(cookie, on_site) == 403


def test_a_revoked_cookie_kept_by_the_browser_opens_nothing(client, operator_user, tver_rc):
    on_site = add_file(make_resource("pl:onsite", access_level="on_site"))
    client.force_login(operator_user)
    cookie = register(client).cookies[WORKSTATION_COOKIE].value
    workstation = Workstation.objects.get()
    client.post(f"/en/office/workstations/{workstation.pk}/revoke/")
    assert read_on_site(cookie, on_site) == 403  # a browser that kept it anyway
    client.cookies[WORKSTATION_COOKIE] = cookie
    assert "it has been revoked" in client.get(PAGE).content.decode()


def test_another_centers_operator_is_refused(client, penza_operator, operator_user, tver_rc):
    client.force_login(operator_user)
    register(client)
    workstation = Workstation.objects.get()
    del client.cookies[WORKSTATION_COOKIE]
    client.force_login(penza_operator)
    assert client.get(PAGE).status_code == 403
    assert register(client, "чужой").status_code == 403
    assert client.post(f"/en/office/workstations/{workstation.pk}/revoke/").status_code == 403
    assert Workstation.objects.count() == 1 and Workstation.objects.get().revoked_at is None
    html = client.get("/en/office/workstations/").content.decode()
    assert "RU-PNZ-RC" in html and "RU-TVE-RC" not in html  # only one's own centers


def test_regional_head_manages_the_centers_of_the_region(client, make_staff, tver_rc):
    head = make_staff(
        "head", StaffRole.Role.REGIONAL_HEAD, region=Region.objects.get(code="RU-TVE")
    )
    client.force_login(head)
    assert register(client).status_code == 302
    html = client.get("/en/office/workstations/").content.decode()
    assert "RU-TVE-RC" in html and "This browser is registered as workstation" in html


def test_a_name_is_required(client, operator_user, tver_rc):
    client.force_login(operator_user)
    response = register(client, "  ")
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not Workstation.objects.exists()
    assert WORKSTATION_COOKIE not in response.cookies


def test_signed_out_and_readers_are_kept_out(client, reader_user, tver_rc):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(reader_user)
    assert client.get(PAGE).status_code == 403
    assert client.get("/en/office/workstations/").status_code == 403


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_pages_in_both_languages(client, operator_user, tver_rc, lang):
    client.force_login(operator_user)
    for path in ("office/workstations/", "office/centers/RU-TVE-RC/workstations/"):
        response = client.get(f"/{lang}/{path}")
        assert response.status_code == 200
        assert f'<html lang="{lang}">' in response.content.decode()
        assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_menu_links_to_workstations(client, operator_user, tver_rc):
    client.force_login(operator_user)
    assert 'href="/en/office/workstations/"' in client.get("/en/office/").content.decode()


def test_unknown_center_is_404(client, operator_user, tver_rc):
    client.force_login(operator_user)
    assert client.get("/en/office/centers/NOPE/workstations/").status_code == 404
