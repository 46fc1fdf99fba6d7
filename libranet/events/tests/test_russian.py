"""The events' pages in Russian show no English source string (the check of
libranet/tests/test_russian_pages.py)."""

from conftest import with_authenticator
from libranet.network.models import StaffRole
from libranet.tests.test_russian_pages import english_messages, english_on  # noqa: F401 (fixture)


def test_russian_events_pages(client, centers, make_staff, make_event, english_messages):  # noqa: F811
    event = make_event(joint_with_library=True, participants_hall=5, connection_points=2)
    for path in ["/ru/events/", f"/ru/events/{event.pk}/", "/ru/events/?when=past"]:
        found = english_on(client.get(path).content.decode(), english_messages)
        assert not found, f"{path} shows English: {found}"
    # A username the header shows as it is, and that no check mistakes for English.
    staff = with_authenticator(make_staff("net.staff", StaffRole.Role.NETWORK_DEPARTMENT))
    client.force_login(staff)
    for path in ["/ru/office/events/", "/ru/office/events/new/", "/ru/office/events/reports/"]:
        response = client.get(path)
        assert response.status_code == 200
        found = english_on(response.content.decode(), english_messages)
        assert not found, f"{path} shows English: {found}"
