"""A reader's own pages: the consent gate, what is stored, deleting the account; and the
header's sign-in links."""

import pytest

from conftest import PASSWORD
from libranet.accounts.models import EsiaIdentity, User
from libranet.accounts.services import reader_accept_consent, reader_sign_in_with_esia

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    user = reader_sign_in_with_esia(
        oid="1000000001",
        confirmed=True,
        first_name="Анна",
        last_name="Смирнова",
        email="anna@example.org",
    )
    client.force_login(user)
    return user


def test_visitors_are_sent_to_sign_in_with_gosuslugi(client):
    response = client.get("/ru/accounts/me/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/esia/login/?next=%2Fru%2Faccounts%2Fme%2F"


def test_staff_are_not_readers(client, network_user):
    client.login(username="network", password=PASSWORD)
    assert client.get("/en/accounts/me/").status_code == 403
    assert client.get("/en/accounts/me/consent/").status_code == 403
    assert client.post("/en/accounts/me/delete/").status_code == 403
    assert User.objects.get(pk=network_user.pk).is_active


def test_the_account_is_not_usable_before_the_consent(client, reader):
    assert client.get("/en/accounts/me/")["Location"] == "/en/accounts/me/consent/"
    page = client.get("/en/accounts/me/consent/")
    assert page.status_code == 200
    assert "ESIA identifier (oid)" in page.content.decode()
    refused = client.post("/en/accounts/me/consent/", {})
    assert refused.status_code == 200
    assert "Tick the box" in refused.content.decode()
    assert EsiaIdentity.objects.get().consent_accepted_at is None


def test_accepting_the_consent_opens_the_account_and_goes_on(client, reader):
    response = client.post("/en/accounts/me/consent/", {"accept": "on", "next": "/en/centers/"})
    assert response["Location"] == "/en/centers/"
    assert EsiaIdentity.objects.get().consent_accepted_at is not None
    foreign = client.post(
        "/en/accounts/me/consent/", {"accept": "on", "next": "https://x.example/"}
    )
    assert foreign["Location"] == "/en/accounts/me/"


def test_my_page_shows_what_is_stored(client, reader):
    reader_accept_consent(user=reader)
    page = client.get("/en/accounts/me/").content.decode()
    for text in ("What is stored about me", "1000000001", "Анна", "Смирнова", "anna@example.org"):
        assert text in page
    assert "extended access" in page


def test_deleting_the_account_signs_out_and_anonymizes(client, reader):
    assert client.get("/en/accounts/me/delete/").status_code == 200
    response = client.post("/en/accounts/me/delete/")
    assert response["Location"] == "/en/"
    assert "_auth_user_id" not in client.session
    user = User.objects.get(pk=reader.pk)
    assert (user.username, user.email, user.is_active) == (f"deleted-{reader.pk}", "", False)
    assert not EsiaIdentity.objects.exists()
    home = client.get("/en/")
    assert "are deleted" in home.content.decode()


def test_header_offers_gosuslugi_to_visitors_and_names_the_reader(client, reader):
    reader_accept_consent(user=reader)
    page = client.get("/en/centers/").content.decode()
    assert 'href="/en/accounts/me/"' in page and "Анна Смирнова" in page
    client.logout()
    page = client.get("/en/centers/").content.decode()
    assert 'href="/accounts/esia/login/?next=/en/centers/"' in page
    assert "Sign in with Gosuslugi" in page


def test_staff_pages_ask_nothing_about_readers(client, network_user, django_assert_max_num_queries):
    """The header asks for a reader's identity only of users without a password."""
    client.login(username="network", password=PASSWORD)
    client.get("/en/centers/")  # warm up
    with django_assert_max_num_queries(20) as captured:
        client.get("/en/centers/")
    assert not any("accounts_esiaidentity" in q["sql"] for q in captured.captured_queries)
