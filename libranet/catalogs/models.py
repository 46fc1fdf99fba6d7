"""Partner catalogs: the host libraries' catalogs, harvested over OAI-PMH into common records
that the union search reads beside the Library's collections.

A ``CatalogSource`` is one partner's OAI-PMH repository, held by an institution of the registry
(its holding library). Each harvest is a ``HarvestRun`` with its counts and failures; its state
(the resumption token reached, the datestamp to start the next incremental run from) lets a run
stopped half way continue where it stopped. A ``CatalogRecord`` is one harvested record, keyed
by (source, OAI identifier) so that a record harvested twice is updated, never duplicated; it
keeps the source's XML beside the common fields, and ``work_key`` groups the same work held by
several libraries (``libranet.catalogs.works``)."""

from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from libranet.network.models import Institution
from libranet.revisions import Revisioned


class RecordFormat(models.TextChoices):
    """How a source's metadata is read: Dublin Core, MARC 21 (MARCXML), or RUSMARC carried in
    MARCXML (UNIMARC field numbers: 200 title, 700 author, 010 ISBN...)."""

    DUBLIN_CORE = "oai_dc", _("Dublin Core (oai_dc)")
    MARC21 = "marc21", _("MARC 21 (MARCXML)")
    RUSMARC = "rusmarc", _("RUSMARC (MARCXML)")


class HarvestSchedule(models.TextChoices):
    DAILY = "daily", _("every day")
    WEEKLY = "weekly", _("every week")
    MANUAL = "manual", _("by hand only")


class CatalogSource(Revisioned, models.Model):
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("holding library"),
        on_delete=models.PROTECT,
        related_name="catalog_sources",
    )
    name = models.CharField(_("name"), max_length=300)
    base_url = models.URLField(_("OAI-PMH base URL"), max_length=500, unique=True)
    metadata_prefix = models.CharField(
        _("metadata prefix"), max_length=64, help_text=_("As the source names it: marc21, oai_dc…")
    )
    record_format = models.CharField(
        _("record format"), max_length=16, choices=RecordFormat.choices
    )
    sets = models.JSONField(_("sets"), default=list, blank=True)  # set specs; empty: all
    schedule = models.CharField(
        _("schedule"), max_length=16, choices=HarvestSchedule.choices, default=HarvestSchedule.DAILY
    )
    # The record's page in the partner's own catalog: "{identifier}" is replaced by the OAI
    # identifier, "{local_id}" by its last part (after the last colon).
    record_link = models.CharField(_("link to a record"), max_length=500, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # What Identify said when the source was registered or last checked.
    repository_name = models.CharField(_("repository name"), max_length=300, blank=True)
    granularity = models.CharField(_("datestamp granularity"), max_length=32, blank=True)
    earliest_datestamp = models.CharField(_("earliest datestamp"), max_length=32, blank=True)
    deleted_record = models.CharField(_("deleted records"), max_length=16, blank=True)
    # The next incremental harvest asks from this datestamp (the last successful run's start,
    # in the source's granularity); empty: the next run is a full harvest.
    harvested_from = models.CharField(_("harvest from"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("partner catalog")
        verbose_name_plural = _("partner catalogs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def deleted_record_text(self) -> str:
        """Identify's deletedRecord in words (the protocol's value if it is another)."""
        return str(DELETED_RECORD_POLICIES.get(self.deleted_record, self.deleted_record))


# OAI-PMH's three answers to "does the repository tell of deleted records?"
DELETED_RECORD_POLICIES = {
    "no": _("not reported"),
    "transient": _("reported for a while"),
    "persistent": _("kept as deleted records"),
}


class HarvestRun(models.Model):
    class Kind(models.TextChoices):
        FULL = "full", _("full")
        INCREMENTAL = "incremental", _("incremental")

    class State(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")  # stopped by an error; the next run resumes it

    source = models.ForeignKey(
        CatalogSource, verbose_name=_("source"), on_delete=models.CASCADE, related_name="runs"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.RUNNING, db_index=True
    )
    from_datestamp = models.CharField(_("from"), max_length=32, blank=True)
    # Where the run stands: the resumption token of the next page to ask for ("" before the
    # first page and after the last). A failed run is resumed from here.
    resumption_token = models.TextField(blank=True)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    new = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    deleted = models.PositiveIntegerField(_("deleted"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    # Records that could not be read: [{"identifier", "reason"}], the first ones only.
    failures = models.JSONField(_("failures"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)  # why the run stopped, if it failed
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    resumed_from = models.ForeignKey(
        "self",
        verbose_name=_("resumes"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("harvest")
        verbose_name_plural = _("harvests")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} · {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"


class CatalogRecord(models.Model):
    """One harvested record in common form, with the source's own XML."""

    source = models.ForeignKey(
        CatalogSource, verbose_name=_("source"), on_delete=models.CASCADE, related_name="records"
    )
    identifier = models.CharField(_("OAI identifier"), max_length=500)
    datestamp = models.CharField(_("datestamp"), max_length=32)
    deleted = models.BooleanField(_("deleted"), default=False)
    title = models.TextField(_("title"), blank=True)
    creators = models.JSONField(_("creators"), default=list, blank=True)
    date_text = models.CharField(_("date"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    type = models.CharField(_("type"), max_length=32, blank=True)  # the collections' types
    subjects = models.JSONField(_("subjects"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)  # ISO 639-1 or -3
    isbns = models.JSONField(_("ISBNs"), default=list, blank=True)  # ISBN-13, hyphenless
    identifiers = models.JSONField(_("identifiers"), default=list, blank=True)  # others
    publisher = models.CharField(_("publisher"), max_length=500, blank=True)
    work_key = models.CharField(_("work"), max_length=64, db_index=True, blank=True)
    # Title, creator and year (libranet.catalogs.works.title_key), kept also beside an ISBN key:
    # a record without ISBN joins the ISBN work that has its title key.
    title_key = models.CharField(_("title key"), max_length=64, db_index=True, blank=True)
    source_xml = models.TextField(_("source record"), blank=True)
    harvested_at = models.DateTimeField(_("harvested at"))

    class Meta:
        verbose_name = _("catalog record")
        verbose_name_plural = _("catalog records")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "identifier"], name="catalog_record_unique_identifier"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.identifier

    @property
    def link(self) -> str:
        """The record's page in the partner's catalog ("" when the source gives no pattern)."""
        pattern = self.source.record_link
        if not pattern:
            return ""
        return pattern.replace("{identifier}", quote(self.identifier, safe=":")).replace(
            "{local_id}", quote(self.identifier.rsplit(":", 1)[-1], safe="")
        )


class WorkIndexMark(models.Model):
    """How far one search index's partner works follow the harvested records: records
    harvested after ``indexed_until`` are still to be applied (``libranet.catalogs.union``).
    One per index: each server's Tantivy index (``LIBRANET_SEARCH_INDEX_NAME``), or the shared
    PostgreSQL table. No row: the works were never indexed there (a rebuild is due)."""

    index_name = models.CharField(max_length=255, unique=True)
    indexed_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.index_name} · {self.indexed_until:%Y-%m-%d %H:%M:%S}"
