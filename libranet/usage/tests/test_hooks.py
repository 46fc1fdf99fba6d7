"""The faces count what they serve, through the real pages and API with the test client: the
search (SEARCH), a record (INVESTIGATION), the reader and files (REQUEST, granted or refused),
a session's first page (SESSION); robots, thumbnails and HEAD are not counted; a counting
failure never breaks the page. Then the whole way: request, spool, loader, event, roll-up."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from libranet.public.files import file_url, thumbnail_url
from libranet.public.tests.resources_data import (
    CENTER_ADDRESS,
    OUTSIDE_ADDRESS,
    add_file,
    make_resource,
    media,  # noqa: F401 (a fixture)
    png,
)
from libranet.resources.search import index_rebuild
from libranet.usage import recorder
from libranet.usage.models import Action, ReaderKind, UsageEvent
from libranet.usage.recorder import session_id, write_failures
from libranet.usage.rollup import rollup_day
from libranet.usage.services import spool_ingest

from .conftest import USER_AGENT, center_counts, item_counts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media", "tver_rc")]

ROBOT = "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)"


@pytest.fixture
def open_book():
    book = make_resource("pl:usage/open", access_level="open")
    add_file(book)
    return book


@pytest.fixture
def on_site_book():
    book = make_resource("pl:usage/on-site", access_level="on_site", title_ru="Карта губернии")
    add_file(book)
    return book


def visit(client, path, *, address=OUTSIDE_ADDRESS, agent=USER_AGENT, method="get", **params):
    response = getattr(client, method)(path, params, REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response


def ordered(rows) -> list[tuple]:
    plain = [tuple(v if v is None or isinstance(v, bool) else int(v) for v in row) for row in rows]
    return sorted(plain, key=lambda row: tuple(-1 if v is None else int(v) for v in row))


def counted() -> list[tuple]:
    """The events recorded so far, loaded: (action, resource id, center id, granted)."""
    recorder.writer.close()
    spool_ingest()
    return ordered(UsageEvent.objects.values_list("action", "resource_id", "center_id", "granted"))


def actions() -> list[int]:
    return sorted(action for action, *_ in counted())


# --- each door ----------------------------------------------------------------------------------


def test_a_record_is_an_investigation_and_begins_a_session(client, open_book, tver_rc):
    assert visit(client, f"/en/resources/{open_book.identifier}/").status_code == 200
    visit(client, f"/ru/resources/{open_book.identifier}/")
    inside = visit(client, f"/en/resources/{open_book.identifier}/", address=CENTER_ADDRESS)
    assert inside.status_code == 200
    assert counted() == ordered(
        [
            (Action.SESSION, None, None, True),  # once per session (the address's, this hour)
            (Action.INVESTIGATION, open_book.pk, None, True),
            (Action.INVESTIGATION, open_book.pk, None, True),
            (Action.SESSION, None, tver_rc.pk, True),  # another address: another session
            (Action.INVESTIGATION, open_book.pk, tver_rc.pk, True),
        ]
    )


def test_the_reader_is_a_request_granted_or_refused(client, open_book, on_site_book, tver_rc):
    assert visit(client, f"/en/resources/{open_book.identifier}/read/").status_code == 200
    assert visit(client, f"/en/resources/{on_site_book.identifier}/read/").status_code == 403
    inside = visit(client, f"/en/resources/{on_site_book.identifier}/read/", address=CENTER_ADDRESS)
    assert inside.status_code == 200
    requests = [row for row in counted() if row[0] == Action.REQUEST]
    assert requests == ordered(
        [
            (Action.REQUEST, open_book.pk, None, True),
            (Action.REQUEST, on_site_book.pk, None, False),
            (Action.REQUEST, on_site_book.pk, tver_rc.pk, True),
        ]
    )
    # Each with its resource's level at the time (Access_Type as it was when used).
    levels = UsageEvent.objects.filter(action=Action.REQUEST).values_list(
        "resource_id", "access_level"
    )
    assert set(levels) == {(open_book.pk, "open"), (on_site_book.pk, "on_site")}


def test_files_are_requests_thumbnails_and_head_are_not(client, open_book, on_site_book):
    pdf = open_book.files.get()
    assert visit(client, file_url(pdf)).status_code == 200
    ranged = client.get(
        file_url(pdf),
        REMOTE_ADDR=OUTSIDE_ADDRESS,
        HTTP_USER_AGENT=USER_AGENT,
        HTTP_RANGE="bytes=0-9",
    )
    assert ranged.status_code == 206
    b"".join(ranged.streaming_content)
    assert visit(client, file_url(on_site_book.files.get())).status_code == 403
    assert visit(client, file_url(pdf), method="head").status_code == 200
    open_book.thumbnail.save("cover.png", ContentFile(png()), save=True)
    assert visit(client, thumbnail_url(open_book)).status_code == 200
    assert counted() == ordered(
        [
            (Action.REQUEST, open_book.pk, None, True),
            (Action.REQUEST, open_book.pk, None, True),  # a range: the double-click rule merges
            (Action.REQUEST, on_site_book.pk, None, False),
        ]
    )


def test_refusals_of_staff_only_and_withdrawn_files_are_no_license_matter(client):
    staff_only = add_file(make_resource("pl:usage/staff", access_level="staff"))
    gone = add_file(make_resource("pl:usage/gone", deleted_at=timezone.now()))
    assert visit(client, file_url(staff_only)).status_code == 404
    assert visit(client, file_url(gone)).status_code == 410
    assert counted() == []


def test_a_search_counts_once_not_its_next_pages(client, open_book, on_site_book):
    index_rebuild()
    assert visit(client, "/en/resources/", q="книга").status_code == 200
    visit(client, "/en/resources/", q="книга", page="2")
    visit(client, "/en/resources/", type="map")  # a filter alone is a search too
    visit(client, "/en/resources/")  # the page opened, nothing asked
    assert visit(client, "/en/resources/", type="novel").status_code == 400  # no search run
    assert actions() == [Action.SESSION, Action.SEARCH, Action.SEARCH]


def test_the_api_counts_searches_and_reads(client, open_book):
    index_rebuild()
    assert visit(client, "/api/v1/resources", q="книга").status_code == 200
    visit(client, "/api/v1/resources", q="книга", offset="20")  # the next page
    visit(client, "/api/v1/resources")  # a list, not a search
    assert visit(client, f"/api/v1/resources/{open_book.identifier}").status_code == 200
    assert visit(client, "/api/v1/resources/pl:nothing").status_code == 404
    assert actions() == [Action.SESSION, Action.SEARCH, Action.INVESTIGATION]


def test_robots_are_never_counted(client, open_book):
    for agent in (ROBOT, ""):
        visit(client, f"/en/resources/{open_book.identifier}/", agent=agent)
        visit(client, file_url(open_book.files.get()), agent=agent)
        visit(client, "/en/centers/", agent=agent)
    assert counted() == []


def test_a_session_is_counted_on_public_pages_and_the_api_only(client, admin_user):
    visit(client, "/en/centers/")
    visit(client, "/en/")
    assert actions() == [Action.SESSION]
    UsageEvent.objects.all().delete()
    client.force_login(admin_user)  # a new session: the signed-in one
    assert visit(client, "/en/office/").status_code == 200  # the back office is not counted
    assert actions() == []
    visit(client, "/en/centers/")
    assert actions() == [Action.SESSION]
    [(kind, session)] = UsageEvent.objects.values_list("reader_kind", "session")
    assert kind == ReaderKind.STAFF
    key = client.session.session_key
    assert session == session_id(moment=timezone.now(), session_key=key)  # hashed, with the date


def test_a_failed_count_never_breaks_the_page(client, open_book, monkeypatch):
    def broken(line):
        raise OSError("the spool's disk is gone")

    monkeypatch.setattr(recorder.writer, "append", broken)
    before = write_failures()
    response = visit(client, f"/en/resources/{open_book.identifier}/")
    assert response.status_code == 200 and open_book.title_en in response.content.decode()
    assert visit(client, file_url(open_book.files.get())).status_code == 200
    assert write_failures() == before + 3  # the session, the record, the file


# --- the whole way --------------------------------------------------------------------------------


def test_requests_to_rollup(client, open_book, on_site_book, tver_rc):
    """Pages and files, through the spool and the loader, counted by the roll-up."""
    visit(client, f"/en/resources/{open_book.identifier}/", address=CENTER_ADDRESS)
    visit(client, f"/en/resources/{open_book.identifier}/read/", address=CENTER_ADDRESS)
    visit(client, file_url(open_book.files.get()), address=CENTER_ADDRESS)  # within 30 s
    visit(client, f"/en/resources/{on_site_book.identifier}/read/")  # refused outside
    recorder.writer.close()
    assert spool_ingest().events == 6
    rollup_day(timezone.localdate())
    assert item_counts(timezone.localdate()) == {
        (tver_rc.pk, open_book.pk, "Total_Item_Investigations"): 2,  # view, then request
        (tver_rc.pk, open_book.pk, "Unique_Item_Investigations"): 1,
        (tver_rc.pk, open_book.pk, "Unique_Title_Investigations"): 1,
        (tver_rc.pk, open_book.pk, "Total_Item_Requests"): 1,  # reader and file: one click
        (tver_rc.pk, open_book.pk, "Unique_Item_Requests"): 1,
        (tver_rc.pk, open_book.pk, "Unique_Title_Requests"): 1,
        (None, on_site_book.pk, "No_License"): 1,
    }
    assert center_counts(timezone.localdate())[(tver_rc.pk, "Sessions")] == 1
    assert center_counts(timezone.localdate())[(None, "Sessions")] == 1
