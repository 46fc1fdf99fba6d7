"""News tell of events: the links and their rules, the pages that show them both ways, the
center's page, the form started from an event, the API's ``events``; the review's mail and
the dashboard's lines for reviewers."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from libranet.events.services import event_create
from libranet.mail.models import OutgoingMail
from libranet.network.models import StaffRole
from libranet.news import services
from libranet.news.models import Section
from libranet.videos.models import Video, VideoState

from .test_api import bearer

OFFICE = "/ru/office/"


@pytest.fixture
def make_event(now, tver_rc):
    def make(*, centers=None, published=True, title="Конкурс к 700-летию Бортеневской битвы"):
        return event_create(
            actor=None,
            centers=centers or [tver_rc],
            kind="contest",
            title_ru=title,
            title_en="A contest for the 700th anniversary of the Battle of Bortenev",
            starts_at=now + datetime.timedelta(days=10),
            ends_at=now + datetime.timedelta(days=10, hours=3),
            published=published,
        )

    return make


def _fields(**extra):
    return {"section": Section.REGIONAL, "title_ru": "Новость", **extra}


def test_an_author_links_published_events_and_their_own_centers(
    now, operator_user, tver_rc, penza_rc, make_event
):
    published_elsewhere = make_event(centers=[penza_rc])
    own_draft = make_event(published=False)
    article = services.article_save(
        actor=operator_user,
        centers=[tver_rc],
        events=[published_elsewhere, own_draft],
        **_fields(),
    )
    assert set(article.events.all()) == {published_elsewhere, own_draft}


def test_an_unpublished_event_of_another_center_is_refused_and_nothing_is_saved(
    now, operator_user, tver_rc, penza_rc, make_event
):
    hidden = make_event(centers=[penza_rc], published=False, title="Закрытая встреча")
    with pytest.raises(ValidationError) as exc:
        services.article_save(actor=operator_user, centers=[tver_rc], events=[hidden], **_fields())
    assert str(hidden) in exc.value.message_dict["events"][0]
    assert not operator_user.articles.exists()


def test_the_article_and_the_event_show_each_other(client, make_article, make_event):
    event = make_event()
    article = make_article(events=[event])
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'/events/{event.pk}/"' in page
    page = client.get(f"/en/events/{event.pk}/").content.decode()
    assert "News about the event" in page
    assert "A contest for the 700th anniversary of the Battle of Bortenev" in page


def test_the_centers_page_lists_its_latest_news(client, tver_rc, make_article):
    article = make_article(slug="bortenev")
    draft = make_article(title_ru="Черновик о Твери", publish=False)
    page = client.get(f"/ru/centers/{tver_rc.code}/").content.decode()
    assert 'id="center-news"' in page and article.get_absolute_url() in page
    assert draft.title_ru not in page
    assert "/ru/news/?region=RU-TVE" in page


def test_writing_news_from_an_event_fills_in_the_event_its_centers_and_section(
    client, now, network_user, ulan_bator, make_event
):
    event = make_event(centers=[ulan_bator])
    client.force_login(network_user)
    form = client.get(OFFICE + f"news/new/?event={event.pk}").context["form"]
    assert form.initial["events"] == [event]
    assert event in form.fields["events"].queryset
    past = make_event(centers=[ulan_bator], title="Встреча 2018 года")
    past.starts_at = past.ends_at = now - datetime.timedelta(days=3000)
    past.save()
    form = client.get(OFFICE + f"news/new/?event={past.pk}").context["form"]
    assert form.initial["events"] == [past] and past in form.fields["events"].queryset
    assert form.initial["centers"] == [ulan_bator]
    assert form.initial["section"] == Section.FOREIGN


def test_the_event_form_offers_to_write_news_about_it(client, operator_user, make_event):
    event = make_event()
    client.force_login(operator_user)
    page = client.get(f"/ru/office/events/{event.pk}/edit/").content.decode()
    assert f"/ru/office/news/new/?event={event.pk}" in page


def test_the_api_reads_and_writes_the_events(client, operator_user, tver_rc, make_event, now):
    event = make_event()
    auth = bearer(operator_user)
    created = client.post(
        "/api/v1/news",
        {
            "section": "regional",
            "title_ru": "О конкурсе",
            "centers": [tver_rc.code],
            "events": [event.pk],
        },
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201, created.content
    assert created.json()["events"] == [event.pk]
    unknown = client.patch(
        f"/api/v1/news/{created.json()['id']}",
        {"events": [event.pk + 1000]},
        content_type="application/json",
        **auth,
    )
    assert unknown.status_code == 422
    assert f"{event.pk + 1000}" in unknown.content.decode()


def _mail(template):
    return sorted(
        OutgoingMail.objects.filter(template=template).values_list("recipient", flat=True)
    )


def test_a_submitted_article_mails_its_reviewers_and_the_decision_mails_the_author(
    now, make_staff, operator_user, network_user, tver_rc, ulan_bator
):
    for user, address in ((operator_user, "op@example.org"), (network_user, "dep@example.org")):
        user.email = address
        user.save()
    intl = make_staff("intl", StaffRole.Role.INTERNATIONAL)
    intl.email = "intl@example.org"
    intl.save()
    article = services.article_save(actor=operator_user, centers=[tver_rc], **_fields())
    services.article_submit(actor=operator_user, article=article)
    assert _mail("news_review") == ["dep@example.org"]  # the regional network: the department
    services.article_return(actor=network_user, article=article, comment="Добавьте фото")
    returned = OutgoingMail.objects.get(template="news_decision")
    assert returned.recipient == "op@example.org" and "Добавьте фото" in returned.text
    services.article_submit(actor=operator_user, article=article)
    services.article_publish(actor=network_user, article=article)
    assert _mail("news_review") == ["dep@example.org", "dep@example.org"]
    assert _mail("news_decision") == ["op@example.org", "op@example.org"]

    foreign = services.article_save(
        actor=network_user, centers=[ulan_bator], **_fields(section=Section.FOREIGN)
    )
    services.article_submit(actor=network_user, article=foreign)
    # international relations review it too; the department's author is not told of their own
    assert _mail("news_review").count("intl@example.org") == 1
    assert _mail("news_review").count("dep@example.org") == 2


def test_the_dashboard_counts_what_waits_for_the_reviewers(
    client, now, network_user, operator_user, tver_rc
):
    article = services.article_save(actor=operator_user, centers=[tver_rc], **_fields())
    services.article_submit(actor=operator_user, article=article)
    Video.objects.create(
        center=tver_rc,
        title_ru="Видео",
        link="https://rutube.ru/video/abc/",
        state=VideoState.SUBMITTED,
        submitted_at=now,
    )
    client.force_login(network_user)
    board = client.get(OFFICE).context["board"]
    assert (board.news_to_review, board.videos_to_decide) == (1, 1)
    client.force_login(operator_user)
    board = client.get(OFFICE).context["board"]
    assert (board.news_to_review, board.videos_to_decide) == (None, None)
