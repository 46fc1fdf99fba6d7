"""The video pages in Russian show no English source string (the check of
libranet/tests/test_russian_pages.py, over a demo's worth of videos in every state)."""

import pytest

from conftest import with_authenticator
from libranet.network.models import StaffRole
from libranet.tests.test_russian_pages import english_messages, english_on
from libranet.videos.demo import seed_videos
from libranet.videos.models import Video, VideoState

Role = StaffRole.Role
__all__ = ["english_messages"]  # the fixture, used by name


@pytest.mark.parametrize("page", ["public", "list", "new", "submitted", "accepted", "declined"])
def test_russian_video_pages(client, tver_rc, penza_rc, make_staff, english_messages, now, page):
    seed_videos()
    # A username the header shows as it is, and that no check mistakes for English.
    client.force_login(with_authenticator(make_staff("net.staff", Role.NETWORK_DEPARTMENT)))
    paths = {"public": "/ru/video/", "list": "/ru/office/videos/", "new": "/ru/office/videos/new/"}
    if page not in paths:
        video = Video.objects.filter(state=VideoState(page)).first()
        paths[page] = f"/ru/office/videos/{video.pk}/"
    response = client.get(paths[page])
    assert response.status_code == 200
    found = english_on(response.content.decode(), english_messages)
    assert not found, f"{paths[page]} shows English: {found}"
