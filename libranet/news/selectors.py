"""Queries of news articles: the published ones with the public filters, and the back office's
lists (one's own, those waiting for one's review)."""

from typing import Any

from django.db.models import Q, QuerySet

from libranet.network.permissions import news_review_scope

from .models import Article, ArticleState


def published_articles() -> QuerySet:
    return Article.objects.filter(state=ArticleState.PUBLISHED).order_by("-published_at", "-pk")


def filtered_articles(
    *,
    section: str = "",
    region: str = "",
    country: str = "",
    year: int | None = None,
    language: str = "",
) -> QuerySet:
    """The published articles of a section, a region (code), a country (code) and a year; in
    ``language`` "en", only those that have an English title."""
    articles = published_articles()
    if section:
        articles = articles.filter(section=section)
    if region:
        articles = articles.filter(
            Q(regions__code=region) | Q(centers__region__code=region)
        ).distinct()
    if country:
        articles = articles.filter(
            Q(countries__code=country) | Q(centers__country__code=country)
        ).distinct()
    if year:
        articles = articles.filter(published_at__year=year)
    if language == "en":
        articles = articles.exclude(title_en="")
    return articles


def article_by_key(articles: QuerySet, key: str) -> Article | None:
    """An article by its id or its address name."""
    if key.isdigit():
        return articles.filter(pk=int(key)).first()
    return articles.filter(slug=key).first() if key else None


def my_articles(user: Any) -> QuerySet:
    return Article.objects.filter(author=user).order_by("-updated_at")


def articles_to_review(user: Any) -> QuerySet:
    return (
        Article.objects.filter(state=ArticleState.REVIEW)
        .filter(news_review_scope(user))
        .order_by("updated_at")
    )


def visible_articles(user: Any) -> QuerySet:
    """What ``user`` sees in the back office and the API: the published, their own, and those
    they review."""
    scope = news_review_scope(user)
    if not scope:  # an empty filter: the reviewer of every article
        return Article.objects.all()
    return Article.objects.filter(Q(state=ArticleState.PUBLISHED) | Q(author=user) | scope)
