"""/api/v1/news: published items for everyone, drafts for their authors and reviewers, writes
with the back office's rules and the stale-revision 409."""

import pytest

from libranet.accounts.services import api_token_create
from libranet.news.models import Article, ArticleState


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='test')[1]}"}


def test_published_news_are_public(client, make_article):
    published = make_article()
    draft = make_article(publish=False, title_ru="Черновик")
    body = client.get("/api/v1/news").json()
    assert body["count"] == 1 and body["items"][0]["id"] == published.pk
    assert body["items"][0]["centers"] == ["RU-TVE-RC"]
    assert client.get(f"/api/v1/news/{draft.pk}").status_code == 404
    assert client.get("/api/v1/news?state=draft").json()["count"] == 0


def test_drafts_for_their_author_and_reviewers(
    client, make_article, operator_user, network_user, head_tver
):
    draft = make_article(operator_user, publish=False)
    for user, seen in ((operator_user, 1), (network_user, 1), (head_tver, 0)):
        body = client.get("/api/v1/news?state=draft", **bearer(user)).json()
        assert body["count"] == seen, user
    assert client.get(f"/api/v1/news/{draft.pk}", **bearer(operator_user)).status_code == 200
    assert client.get(f"/api/v1/news/{draft.pk}", **bearer(head_tver)).status_code == 404


def test_an_operator_writes_about_their_center_only(client, now, operator_user, penza_rc):
    payload = {"section": "regional", "title_ru": "Новость", "centers": ["RU-TVE-RC"]}
    response = client.post(
        "/api/v1/news", payload, content_type="application/json", **bearer(operator_user)
    )
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "draft"
    payload["centers"] = ["RU-PNZ-RC"]
    response = client.post(
        "/api/v1/news", payload, content_type="application/json", **bearer(operator_user)
    )
    assert response.status_code == 403
    assert "centers" in response.json()["errors"]
    payload["centers"] = ["NOPE"]
    response = client.post(
        "/api/v1/news", payload, content_type="application/json", **bearer(operator_user)
    )
    assert response.status_code == 422
    assert Article.objects.count() == 1
    assert client.post("/api/v1/news", payload, content_type="application/json").status_code == 401


def test_patch_with_a_stale_revision_is_a_conflict(client, now, network_user, make_article):
    article = make_article(network_user, publish=False)
    url = f"/api/v1/news/{article.pk}"
    auth = bearer(network_user)
    response = client.patch(
        url, {"title_en": "First", "revision": 1}, content_type="application/json", **auth
    )
    assert response.status_code == 200 and response.json()["revision"] == 2
    response = client.patch(
        url, {"title_en": "Second", "revision": 1}, content_type="application/json", **auth
    )
    assert response.status_code == 409
    article.refresh_from_db()
    assert article.title_en == "First"


@pytest.mark.parametrize(
    ("who", "status"),
    [("operator_user", 403), ("head_tver", 404), ("network_user", 200)],
)
def test_patch_by_role_once_in_review(
    client, now, request, who, status, make_article, operator_user
):
    article = make_article(operator_user, publish=False)
    from libranet.news.services import article_submit

    article_submit(actor=operator_user, article=article)
    response = client.patch(
        f"/api/v1/news/{article.pk}",
        {"title_en": "<script>x</script>Changed"},
        content_type="application/json",
        **bearer(request.getfixturevalue(who)),
    )
    assert response.status_code == status
    article.refresh_from_db()
    assert article.state == ArticleState.REVIEW
    if status == 200:
        assert article.title_en == "Changed"
