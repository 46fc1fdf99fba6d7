"""News of the regional and the foreign network: an article is written by staff about their
centers, reviewed by the department (international relations for the foreign network) and
published; every review step is kept (``ArticleReview``)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from libranet.network.models import Bilingual, Center, Country, Region
from libranet.revisions import Revisioned


class Section(models.TextChoices):
    REGIONAL = "regional", _("regional network")
    FOREIGN = "foreign", _("foreign network")


class ArticleState(models.TextChoices):
    DRAFT = "draft", _("draft")
    REVIEW = "review", _("in review")
    PUBLISHED = "published", _("published")


class Article(Bilingual, Revisioned, models.Model):
    section = models.CharField(_("section"), max_length=16, choices=Section.choices)
    slug = models.SlugField(
        _("address name"), max_length=100, blank=True, help_text=_("In the page's address.")
    )
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    lead_ru = models.TextField(_("lead (Russian)"), blank=True)
    lead_en = models.TextField(_("lead (English)"), blank=True)
    body_ru = models.TextField(_("text (Russian)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    # Under the data folder's media, which no URL serves: the cover view serves it.
    cover = models.CharField(_("cover image"), max_length=255, blank=True)
    cover_type = models.CharField(max_length=32, blank=True)
    cover_thumbnail = models.CharField(max_length=255, blank=True)  # JPEG, for the lists
    centers = models.ManyToManyField(
        Center, verbose_name=_("centers"), blank=True, related_name="articles"
    )
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions"), blank=True, related_name="articles"
    )
    countries = models.ManyToManyField(
        Country, verbose_name=_("countries"), blank=True, related_name="articles"
    )
    events = models.ManyToManyField(
        "events.Event", verbose_name=_("events"), blank=True, related_name="articles"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ArticleState.choices, default=ArticleState.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=~models.Q(slug=""), name="article_slug_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("news:article", kwargs={"key": self.slug or str(self.pk)})

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def lead(self) -> str:
        return self.localized("lead")


class ArticleReview(models.Model):
    """One step of an article's review: submitted, published or returned, with the comment."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("article")
    )
    state = models.CharField(_("state"), max_length=16, choices=ArticleState.choices)
    comment = models.TextField(_("comment"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.article_id} · {self.state} · {self.at:%Y-%m-%d %H:%M}"
