"""/api/v1/videos: the published ones for anyone, all for the department; submitting by link."""

from libranet.accounts.services import api_token_create
from libranet.videos.models import Video
from libranet.videos.services import decide_video, publish_video

from .conftest import RUTUBE, YOUTUBE


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='test')[1]}"}


def test_list_public_and_staff(client, make_video, network_user, operator_user):
    make_video(title_ru="Не опубликовано")
    published = decide_video(actor=network_user, video=make_video(), accept=True)
    publish_video(actor=network_user, video=published, published_url=RUTUBE)
    body = client.get("/api/v1/videos").json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["state"] == "published" and item["center"] == "RU-TVE-RC"
    assert item["embed_url"] == "https://rutube.ru/play/embed/0123456789abcdef0123456789abcdef"
    assert item["consent"] is None
    body = client.get("/api/v1/videos", **_auth(network_user)).json()
    assert body["count"] == 2 and body["items"][0]["consent"] is True
    assert client.get("/api/v1/videos", **_auth(operator_user)).json()["count"] == 2


def test_submit_by_api(client, operator_user, penza_rc, tver_rc, reader_user):
    data = {"center": "ru-tve-rc", "title_ru": "Лекция", "link": YOUTUBE, "consent": True}
    assert client.post("/api/v1/videos", data, content_type="application/json").status_code == 401
    response = client.post(
        "/api/v1/videos", data, content_type="application/json", **_auth(operator_user)
    )
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "submitted"
    response = client.post(
        "/api/v1/videos",
        {**data, "center": "RU-PNZ-RC"},
        content_type="application/json",
        **_auth(operator_user),
    )
    assert response.status_code == 403
    response = client.post(
        "/api/v1/videos",
        {**data, "link": "https://example.com/watch?v=1"},
        content_type="application/json",
        **_auth(operator_user),
    )
    assert response.status_code == 422 and "link" in response.json()["errors"]
    response = client.post(
        "/api/v1/videos",
        {**data, "center": "NOPE"},
        content_type="application/json",
        **_auth(operator_user),
    )
    assert response.status_code == 422 and "center" in response.json()["errors"]
    response = client.post(
        "/api/v1/videos", data, content_type="application/json", **_auth(reader_user)
    )
    assert response.status_code == 403
    assert Video.objects.count() == 1
