"""Mail of the news review, through the outbox in the step's transaction: an article sent for
review reaches its reviewers (the network department; international relations too for the
foreign network), and the reviewer's decision reaches the author with the comment."""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from libranet.campaigns.mailing import staff_addresses
from libranet.mail.services import mail_send
from libranet.network.models import StaffRole

from .models import Article, ArticleState, Section

Role = StaffRole.Role


def _link(name: str, article: Article, language: str) -> str:
    with translation.override(language):
        path = reverse(name, kwargs={"pk": article.pk})
    return settings.LIBRANET_SITE_URL + path


def reviewer_addresses(section: str) -> list[tuple[str, str]]:
    roles = [Role.NETWORK_DEPARTMENT]
    if section == Section.FOREIGN:
        roles.append(Role.INTERNATIONAL)
    return staff_addresses(StaffRole.objects.filter(role__in=roles))


def review_requested(article: Article, actor: Any) -> int:
    """Tell the reviewers of ``article``'s section that it waits for them; the number queued.
    The system's own steps (``actor`` None: the demo data, imports) mail no one."""
    if actor is None:
        return 0
    own = (actor.email or "").lower()
    addresses = [a for a in reviewer_addresses(article.section) if a[0].lower() != own]
    for to, language in addresses:
        mail_send(
            to=to,
            template="news_review",
            context={
                "article": article,
                "author": actor.get_full_name() or actor.username,
                "link": _link("backoffice:news:review", article, language),
            },
            language=language,
            key=f"news-review:{article.pk}:{article.revision}",
        )
    return len(addresses)


def review_decided(article: Article, actor: Any, comment: str) -> bool:
    """Tell the author that the article is published or returned, with the comment (not a
    reviewer who publishes their own article)."""
    author = article.author
    if actor is None or author is None or not author.is_active or not author.email:
        return False
    if author == actor:
        return False
    language = author.preferred_language
    published = article.state == ArticleState.PUBLISHED
    mail_send(
        to=author.email,
        template="news_decision",
        context={
            "article": article,
            "published": published,
            "comment": comment,
            "link": (
                settings.LIBRANET_SITE_URL + _public_path(article, language)
                if published
                else _link("backoffice:news:edit", article, language)
            ),
        },
        language=language,
        key=f"news-decision:{article.pk}:{article.revision}",
    )
    return True


def _public_path(article: Article, language: str) -> str:
    with translation.override(language):
        return article.get_absolute_url()
