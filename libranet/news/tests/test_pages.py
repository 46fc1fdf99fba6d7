"""The back office's news pages for every role, the public pages, their filters and data."""

import json
import re

import pytest

from libranet.news.models import Article, ArticleState, Section

ROLES = [
    "admin_user",
    "network_user",
    "international_user",
    "head_tver",
    "operator_user",
]


@pytest.mark.parametrize("who", ROLES)
def test_every_role_opens_the_news_list_and_the_form(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/en/office/news/").status_code == 200
    assert client.get("/en/office/news/new/").status_code == 200


def test_a_reader_is_refused(client, reader_user):
    client.force_login(reader_user)
    assert client.get("/en/office/news/").status_code == 403


def test_an_operator_posts_submits_and_the_department_publishes(
    client, now, operator_user, network_user, tver_rc, png
):
    client.force_login(operator_user)
    response = client.post(
        "/en/office/news/new/",
        {
            "section": "regional",
            "title_ru": "Конкурс",
            "title_en": "Contest",
            "body_ru": "<p>Текст</p><script>alert(1)</script>",
            "centers": [tver_rc.pk],
            "cover": png(),
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302
    assert article.cover_type == "image/png"
    client.post(f"/en/office/news/{article.pk}/submit/")
    article.refresh_from_db()
    assert article.state == ArticleState.REVIEW
    # The author may not publish.
    assert (
        client.post(f"/en/office/news/{article.pk}/review/", {"decision": "publish"}).status_code
        == 403
    )
    client.force_login(network_user)
    page = client.get("/en/office/news/")
    assert "Contest" in page.content.decode()
    client.post(f"/en/office/news/{article.pk}/review/", {"decision": "publish", "comment": ""})
    article.refresh_from_db()
    assert article.state == ArticleState.PUBLISHED
    cover = client.get(f"/en/news/covers/{article.pk}/")
    assert cover["Content-Type"] == "image/png"
    assert b"".join(cover.streaming_content).startswith(b"\x89PNG")
    thumbnail = client.get(f"/en/news/covers/{article.pk}/thumbnail/")
    assert b"".join(thumbnail.streaming_content).startswith(b"\xff\xd8")  # a JPEG
    assert f"/en/news/covers/{article.pk}/thumbnail/" in client.get("/en/news/").content.decode()


def test_a_form_with_a_bad_cover_names_it(client, now, network_user):
    client.force_login(network_user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/en/office/news/new/",
        {
            "section": "regional",
            "title_ru": "Новость",
            "cover": SimpleUploadedFile("x.png", b"not a picture", "image/png"),
        },
    )
    assert response.status_code == 200
    assert "not an image" in response.content.decode()
    assert not Article.objects.exists()


def test_returning_needs_a_comment_on_the_page(client, now, network_user, make_article):
    article = make_article(publish=False)
    from libranet.news.services import article_submit

    article_submit(actor=None, article=article)
    client.force_login(network_user)
    response = client.post(f"/en/office/news/{article.pk}/review/", {"decision": "return"})
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.state == ArticleState.REVIEW


def test_public_list_filters(client, now, make_article, ulan_bator, penza_rc):
    make_article(title_ru="Тверская новость", title_en="Tver news")
    make_article(title_ru="Пензенская новость", title_en="Penza news", centers=[penza_rc])
    make_article(
        title_ru="Улан-Батор", title_en="Ulan Bator", section=Section.FOREIGN, centers=[ulan_bator]
    )
    draft = make_article(publish=False, title_ru="Черновик", title_en="Draft")
    page = client.get("/en/news/").content.decode()
    assert "Tver news" in page and "Ulan Bator" in page and "Draft" not in page
    page = client.get("/en/news/?section=foreign").content.decode()
    assert "Ulan Bator" in page and "Tver news" not in page
    page = client.get("/en/news/?region=RU-PNZ").content.decode()
    assert "Penza news" in page and "Tver news" not in page
    assert 'value="RU-PNZ"' in client.get("/ru/news/").content.decode()  # a filter offered
    page = client.get("/en/news/?country=MN").content.decode()
    assert "Ulan Bator" in page and "Penza news" not in page
    assert "Тверская новость" in client.get(f"/ru/news/?year={now.year}").content.decode()
    assert "Тверская новость" not in client.get("/ru/news/?year=2018").content.decode()
    assert client.get(f"/en/news/{draft.pk}/").status_code == 404


def test_the_article_page_in_both_languages_with_its_data(client, now, make_article, tver_rc):
    article = make_article(slug="bortenev-700")
    ru = client.get("/ru/news/bortenev-700/").content.decode()
    assert "Конкурс к 700-летию" in ru and tver_rc.name_ru in ru
    en = client.get(f"/en/news/{article.pk}/").content.decode()
    assert "Battle of Bortenev" in en and 'property="og:title"' in en
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', en, re.S)[1])
    assert data["@type"] == "NewsArticle" and data["inLanguage"] == "en"
    assert 'type="application/rss+xml"' in en and 'type="application/atom+xml"' in en
    russian_only = make_article(title_en="", lead_en="", body_en="", slug="only-ru")
    en = client.get(russian_only.get_absolute_url().replace("/ru/", "/en/")).content.decode()
    assert "(in Russian)" in en and "Конкурс" in en


def test_a_script_in_any_field_never_reaches_a_page_or_a_feed(client, now, make_article, png):
    script = "<script>alert('x')</script>"
    make_article(
        **{
            name: f"{script}Текст"
            for name in ("title_ru", "title_en", "lead_ru", "lead_en", "body_ru", "body_en")
        },
        cover=png(),
    )
    article = Article.objects.get()
    for url in (
        "/ru/news/",
        "/en/news/",
        article.get_absolute_url(),
        "/en/news/feed.rss",
        "/ru/news/feed.atom",
    ):
        assert "alert(" not in client.get(url).content.decode(), url


def test_home_page_advertises_the_feeds(client, db):
    page = client.get("/ru/").content.decode()
    assert 'type="application/rss+xml"' in page and 'href="/ru/news/feed.rss"' in page
    assert 'type="application/atom+xml"' in page


def test_a_drafts_cover_is_only_for_those_who_may_see_it(
    client, now, make_article, png, network_user
):
    article = make_article(publish=False, cover=png())
    assert client.get(f"/en/news/covers/{article.pk}/").status_code == 403
    client.force_login(network_user)
    response = client.get(f"/en/news/covers/{article.pk}/")
    assert response.status_code == 200
    response.close()
