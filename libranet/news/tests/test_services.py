"""The publishing workflow and its rules, role by role, with a fixed clock."""

import io

import pytest
from django.core.exceptions import ValidationError

from libranet.audit.models import AuditEntry
from libranet.news import services
from libranet.news.models import Article, ArticleReview, ArticleState, Section
from libranet.revisions import EditConflict


def _fields(**extra):
    return {"section": Section.REGIONAL, "title_ru": "Новость", "title_en": "News", **extra}


def test_operator_writes_submits_and_the_department_publishes(
    now, operator_user, network_user, tver_rc
):
    article = services.article_save(actor=operator_user, centers=[tver_rc], **_fields())
    assert article.state == ArticleState.DRAFT and article.author == operator_user
    article = services.article_submit(actor=operator_user, article=article)
    assert article.state == ArticleState.REVIEW
    article = services.article_publish(actor=network_user, article=article, comment="Хорошо")
    assert article.state == ArticleState.PUBLISHED
    assert article.published_at == now
    steps = list(ArticleReview.objects.filter(article=article).values_list("state", "comment"))
    assert steps == [("review", ""), ("published", "Хорошо")]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"article.create", "article.submit", "article.publish"} <= actions


def test_return_needs_a_comment_and_keeps_the_history(now, operator_user, network_user, tver_rc):
    article = services.article_save(actor=operator_user, centers=[tver_rc], **_fields())
    services.article_submit(actor=operator_user, article=article)
    with pytest.raises(ValidationError) as exc:
        services.article_return(actor=network_user, article=article, comment="  ")
    assert "comment" in exc.value.message_dict
    article = services.article_return(actor=network_user, article=article, comment="Add a photo")
    assert article.state == ArticleState.DRAFT
    assert article.reviews.last().comment == "Add a photo"
    assert article.reviews.last().actor == network_user
    # Back in draft, the author edits again.
    services.article_save(actor=operator_user, article=article, centers=[tver_rc], **_fields())


def test_an_operator_writes_only_about_their_center(now, operator_user, penza_rc):
    with pytest.raises(ValidationError) as exc:
        services.article_save(actor=operator_user, centers=[penza_rc], **_fields())
    assert "centers" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.article_save(actor=operator_user, centers=[], **_fields())
    assert "centers" in exc.value.message_dict
    assert not Article.objects.exists()


def test_a_head_writes_about_their_regions_centers_not_foreign_ones(
    now, head_tver, tver_rc, ulan_bator, penza_rc
):
    services.article_save(actor=head_tver, centers=[tver_rc], **_fields())
    for center in (ulan_bator, penza_rc):
        with pytest.raises(ValidationError):
            services.article_save(actor=head_tver, centers=[center], **_fields())
    assert Article.objects.count() == 1


@pytest.mark.parametrize("who", ["operator_user", "head_tver", "penza_operator"])
def test_publishing_without_the_right_is_refused(now, request, who, tver_rc, make_article):
    article = make_article(publish=False)
    services.article_submit(actor=None, article=article)
    user = request.getfixturevalue(who)
    with pytest.raises(ValidationError) as exc:
        services.article_publish(actor=user, article=article)
    assert "department" in str(exc.value)
    article.refresh_from_db()
    assert article.state == ArticleState.REVIEW
    assert not ArticleReview.objects.filter(state="published").exists()


def test_international_relations_review_the_foreign_network_only(
    now, international_user, ulan_bator, make_article
):
    foreign = make_article(publish=False, section=Section.FOREIGN, centers=[ulan_bator])
    regional = make_article(publish=False)
    services.article_publish(actor=international_user, article=foreign)
    with pytest.raises(ValidationError):
        services.article_publish(actor=international_user, article=regional)
    # They write about foreign centers too.
    services.article_save(
        actor=international_user, centers=[ulan_bator], **_fields(section=Section.FOREIGN)
    )


def test_an_author_cannot_edit_an_article_once_submitted(now, operator_user, tver_rc):
    article = services.article_save(actor=operator_user, centers=[tver_rc], **_fields())
    services.article_submit(actor=operator_user, article=article)
    article.refresh_from_db()
    with pytest.raises(ValidationError):
        services.article_save(actor=operator_user, article=article, centers=[tver_rc], **_fields())


def test_a_stale_copy_is_refused(now, network_user, make_article):
    article = make_article(publish=False)
    services.article_save(
        actor=network_user, article=article, revision=1, **_fields(title_ru="Первая правка")
    )
    with pytest.raises(EditConflict) as exc:
        services.article_save(
            actor=network_user, article=article, revision=1, **_fields(title_ru="Вторая правка")
        )
    assert [d.field for d in exc.value.differences] == ["title_ru"]
    article.refresh_from_db()
    assert article.title_ru == "Первая правка"


def test_a_cover_that_is_not_an_image_is_refused_and_nothing_saved(now, network_user, png):
    upload = io.BytesIO(b"%PDF-1.4 not an image")
    upload.size = 21
    with pytest.raises(ValidationError) as exc:
        services.article_save(actor=network_user, cover=upload, **_fields())
    assert "cover" in exc.value.message_dict
    assert not Article.objects.exists()
    article = services.article_save(actor=network_user, cover=png(), **_fields())
    assert article.cover_type == "image/png" and article.cover.endswith(".png")


def test_markup_is_cleaned_in_every_text_field(now, network_user):
    script = "<script>alert(1)</script>"
    fields = {
        name: f"{script}<p>x</p>"
        for name in ("title_ru", "title_en", "lead_ru", "lead_en", "body_ru", "body_en")
    }
    article = services.article_save(actor=network_user, section=Section.REGIONAL, **fields)
    for name in fields:
        assert "script" not in getattr(article, name)
    assert article.body_ru == "<p>x</p>"
    assert article.title_ru == "x"


def test_missing_title_and_bad_section_are_named(now, network_user):
    with pytest.raises(ValidationError) as exc:
        services.article_save(actor=network_user, section="regional", title_ru="")
    assert "title_ru" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.article_save(actor=network_user, section="moon", title_ru="x")
    assert "section" in exc.value.message_dict
    assert not Article.objects.exists()


@pytest.mark.parametrize("slug", ["a/b", "123", "Заглавные", "x" * 101])
def test_a_bad_address_name_is_refused(now, network_user, slug):
    with pytest.raises(ValidationError) as exc:
        services.article_save(actor=network_user, slug=slug, **_fields())
    assert "slug" in exc.value.message_dict
    assert not Article.objects.exists()


def test_a_title_too_long_once_cleaned_is_refused(now, network_user):
    with pytest.raises(ValidationError) as exc:
        services.article_save(actor=network_user, **_fields(title_en="&" * 299))
    assert "title_en" in exc.value.message_dict


def test_delete_by_the_author_of_a_draft_or_a_reviewer(
    now, operator_user, network_user, tver_rc, png, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    draft = services.article_save(actor=operator_user, centers=[tver_rc], cover=png(), **_fields())
    cover = draft.cover
    assert default_storage.exists(cover)
    services.article_submit(actor=operator_user, article=draft)
    with pytest.raises(ValidationError):  # in review: the author's no longer
        services.article_delete(actor=operator_user, article=draft)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_delete(actor=network_user, article=draft)
    assert not Article.objects.exists() and not default_storage.exists(cover)
    assert AuditEntry.objects.filter(action="article.delete").count() == 1
