"""The Library's digitized collections: resources, the collection tree, files."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from libranet.network.models import Bilingual


class AccessLevel(models.TextChoices):
    """Who may read a resource's files, and where (metadata of non-staff resources is public).

    The one decision that applies these is ``libranet.resources.access.decide``."""

    OPEN = "open", _("open to everyone")
    READERS = "readers", _("readers with a confirmed ESIA identity")
    ON_SITE = "on_site", _("inside the Library and its centers")
    STAFF = "staff", _("staff only")


class Collection(Bilingual, models.Model):
    """A node of the collection tree; its code is the OAI-PMH set spec (parent:child)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent collection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        ordering = ["position", "name_ru"]

    def __str__(self) -> str:
        return self.name


class ResourceQuerySet(models.QuerySet):
    def live(self) -> "ResourceQuerySet":
        """Not deleted (deleted ones stay for OAI-PMH's persistent deleted records)."""
        return self.filter(deleted_at__isnull=True)

    def public_metadata(self) -> "ResourceQuerySet":
        """Those whose description anyone may read: every live resource but staff-only ones."""
        return self.live().exclude(access_level=AccessLevel.STAFF)


class Resource(Bilingual, models.Model):
    class Type(models.TextChoices):
        BOOK = "book", _("book")
        PERIODICAL = "periodical", _("periodical")
        MANUSCRIPT = "manuscript", _("manuscript")
        ARCHIVAL = "archival", _("archival document")
        PHOTOGRAPH = "photograph", _("photograph")
        MAP = "map", pgettext_lazy("resource type", "map")
        SOUND = "sound", _("sound recording")
        VIDEO = "video", _("video")
        OTHER = "other", pgettext_lazy("resource type", "other")

    identifier = models.CharField(
        _("identifier"),
        max_length=200,
        unique=True,
        help_text=_("Persistent: it never changes and is never reused."),
    )
    title_ru = models.CharField(_("title (Russian)"), max_length=1000)
    title_en = models.CharField(_("title (English)"), max_length=1000, blank=True)
    creators = models.JSONField(_("creators"), default=list, blank=True)
    # A date as the catalogue gives it: exact (1703-05-27), a year (1703) or a range (1700–1725).
    date_text = models.CharField(_("date"), max_length=100, blank=True)
    year_from = models.SmallIntegerField(_("from year"), null=True, blank=True)
    year_to = models.SmallIntegerField(_("to year"), null=True, blank=True)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices, db_index=True)
    subjects = models.JSONField(_("subjects"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True, db_index=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    collections = models.ManyToManyField(
        Collection, verbose_name=_("collections"), related_name="resources", blank=True
    )
    rights = models.CharField(_("rights statement"), max_length=1000, blank=True)
    access_level = models.CharField(
        _("access level"), max_length=16, choices=AccessLevel.choices, db_index=True
    )
    thumbnail = models.ImageField(_("thumbnail"), upload_to="thumbnails/", blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # OAI-PMH datestamps: every change of the record (deletion included) moves it.
    modified_at = models.DateTimeField(_("modified at"), db_index=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # The OAI-PMH record as harvesters receive it, rendered by ``harvest.store`` whenever
    # ``modified_at`` moves: ListRecords streams these instead of building XML per request.
    oai_header = models.TextField(_("OAI-PMH header"), blank=True, editable=False)
    oai_metadata = models.TextField(_("OAI-PMH metadata"), blank=True, editable=False)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["identifier"]
        constraints = [
            models.CheckConstraint(
                name="resource_year_range",
                condition=Q(year_from__isnull=True)
                | Q(year_to__isnull=True)
                | Q(year_from__lte=models.F("year_to")),
                violation_error_message=_("A date range cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["modified_at", "id"], name="resource_oai_order")]

    def __str__(self) -> str:
        return f"{self.identifier} {self.title}"

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def description(self) -> str:
        return self.localized("description")


class ResourceFile(models.Model):
    """A file of a resource, stored outside any public URL: it is served only through the
    access decision (``libranet.resources.access``)."""

    class Kind(models.TextChoices):
        PDF = "pdf", _("PDF document")
        PAGE = "page", _("page image")
        AUDIO = "audio", _("audio")
        VIDEO = "video", _("video")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="resources/", max_length=500)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    position = models.PositiveIntegerField(_("position"), default=0)  # page order
    label = models.CharField(_("label"), max_length=200, blank=True)
    extracted_text = models.TextField(_("extracted text"), blank=True, editable=False)

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["resource", "position", "id"]

    def __str__(self) -> str:
        return self.label or self.file.name


class SearchIndexChange(models.Model):
    """A resource whose search document must be (re)built or removed: written in the same
    transaction as the change itself, so the index never misses one. The rows are a change log
    that each search index follows with its own cursor (``SearchIndexCursor``); a row is pruned
    once every index heard from recently has passed it (``search.service``)."""

    resource_id = models.BigIntegerField(db_index=True)  # no FK: the resource may be gone
    recorded_at = models.DateTimeField(auto_now_add=True)
    # PostgreSQL: the writing transaction's id (pg_current_xact_id); 0 on SQLite, whose writers
    # commit one at a time. The log is read in (transaction_id, id) order and only past the
    # transactions that may still commit, so a cursor never passes a row not yet visible.
    transaction_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("search index change")
        verbose_name_plural = _("search index changes")
        ordering = ["id"]
        indexes = [models.Index(fields=["transaction_id", "id"], name="search_change_log_order")]

    def __str__(self) -> str:
        return f"resource {self.resource_id}"


class SearchIndexCursor(models.Model):
    """How far one search index follows the change log: one per Tantivy index (one per
    server: ``LIBRANET_SEARCH_INDEX_NAME``), one for the shared PostgreSQL table. Its worker
    applies the changes after (``transaction_id``, ``change_id``) and moves it on."""

    index_name = models.CharField(_("index"), max_length=255, unique=True)
    backend = models.CharField(_("backend"), max_length=32)
    transaction_id = models.BigIntegerField(default=0)
    change_id = models.BigIntegerField(_("last change applied"), default=0)
    # The transactions whose changes were applied ahead of the cursor: committed after a
    # transaction still open (applied again when the cursor reaches them; harmless).
    ahead_transactions = models.JSONField(default=list, blank=True)
    applied_at = models.DateTimeField(_("last applied"), null=True, blank=True)
    seen_at = models.DateTimeField(_("last seen"))
    # Set when the log was pruned past this index while it was silent: it must be rebuilt.
    rebuild_due = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("search index cursor")
        verbose_name_plural = _("search index cursors")
        ordering = ["index_name"]

    def __str__(self) -> str:
        return f"{self.index_name} · {self.change_id}"
