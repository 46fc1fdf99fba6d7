"""Usage statistics: raw usage events, their daily roll-ups, SUSHI credentials.

Events are appended cheaply on the request path (``libranet.usage.recorder``), loaded into
``UsageEvent`` in batches, then rolled up per day (``libranet.usage.rollup``) into
``DailyItemUsage`` (per center and resource) and ``DailyCenterUsage`` (per center). Reports,
exports, SUSHI and the mailing read the roll-ups only. The metrics are COUNTER Release 5.1's
(Code of Practice, section 3.3), plus sessions, which the network counts for itself.

Events and roll-ups refer to centers and resources without database constraints: they are
written in bulk, hundreds of millions of rows, and outlive the rows they name (a deleted
resource's use still counts for its month).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.IntegerChoices):
    """What a usage event records."""

    SESSION = 1, _("session")  # a visit began (the first request of a session)
    SEARCH = 2, _("search")  # a search of the collections was run
    INVESTIGATION = 3, _("record view")  # a resource's description was viewed
    REQUEST = 4, _("file request")  # a resource's content (a file) was requested


class ReaderKind(models.IntegerChoices):
    ANONYMOUS = 0, _("anonymous")
    READER = 1, _("reader")
    CONFIRMED_READER = 2, _("confirmed reader")
    STAFF = 3, _("staff")


class Metric(models.IntegerChoices):
    """The counted indicators; the names are COUNTER 5.1's Metric_Types (but ``Sessions``)."""

    TOTAL_ITEM_INVESTIGATIONS = 1, "Total_Item_Investigations"
    UNIQUE_ITEM_INVESTIGATIONS = 2, "Unique_Item_Investigations"
    UNIQUE_TITLE_INVESTIGATIONS = 3, "Unique_Title_Investigations"
    TOTAL_ITEM_REQUESTS = 4, "Total_Item_Requests"
    UNIQUE_ITEM_REQUESTS = 5, "Unique_Item_Requests"
    UNIQUE_TITLE_REQUESTS = 6, "Unique_Title_Requests"
    NO_LICENSE = 7, "No_License"
    SEARCHES_REGULAR = 8, "Searches_Regular"
    SEARCHES_PLATFORM = 9, "Searches_Platform"
    SESSIONS = 10, "Sessions"


class UsageEvent(models.Model):
    """One counted action, kept raw for ``LIBRANET_USAGE_RETENTION_MONTHS`` months.

    ``session`` is COUNTER's session identifier, stored hashed (never a raw session key, cookie
    or address). ``center`` is the place the access rules decided (none outside every center).
    """

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(_("when"))
    center = models.ForeignKey(
        "network.Center",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    reader_kind = models.PositiveSmallIntegerField(choices=ReaderKind.choices)
    session = models.CharField(max_length=32)
    action = models.PositiveSmallIntegerField(choices=Action.choices)
    resource = models.ForeignKey(
        "resources.Resource",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    granted = models.BooleanField(default=True)
    # The resource's access level when the event happened (COUNTER's Access_Type is reported
    # as it was at the time of use); empty without a resource, or for an event recorded before
    # it was kept, which counts with the resource's current level.
    access_level = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        verbose_name = _("usage event")
        verbose_name_plural = _("usage events")
        indexes = [models.Index(fields=["occurred_at"], name="usageevent_occurred")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.occurred_at:%Y-%m-%d %H:%M:%S}"


class DailyItemUsage(models.Model):
    """A metric's count for one day, center (none: outside every center), resource and the
    resource's access level at the time.

    Rebuilt whole for a day by the roll-up, so it has no unique constraint to maintain."""

    day = models.DateField()
    center = models.ForeignKey(
        "network.Center",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    resource = models.ForeignKey(
        "resources.Resource", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    metric = models.PositiveSmallIntegerField(choices=Metric.choices)
    value = models.PositiveIntegerField()
    # The resource's access level at the time of use (its events'): a resource whose level
    # changed has a row per level, and reports its past use with the past Access_Type.
    access_level = models.CharField(max_length=16, default="")

    class Meta:
        indexes = [
            models.Index(fields=["day", "center"], name="dailyitem_day_center"),
            models.Index(fields=["resource", "day"], name="dailyitem_resource_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_metric_display()}: {self.value}"


class DailyCenterUsage(models.Model):
    """A metric's count for one day and center (none: outside every center), over all
    resources: what the monthly indicators, the zero-usage report and PR read."""

    day = models.DateField()
    center = models.ForeignKey(
        "network.Center",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    metric = models.PositiveSmallIntegerField(choices=Metric.choices)
    value = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["day", "center"], name="dailycenter_day_center"),
            models.Index(fields=["center", "day"], name="dailycenter_center_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_metric_display()}: {self.value}"


class AreaUsage(models.Model):
    """A metric's count over the centers of one region (or, abroad, one country)."""

    region = models.ForeignKey(
        "network.Region",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    country = models.ForeignKey(
        "network.Country",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    metric = models.PositiveSmallIntegerField(choices=Metric.choices)
    value = models.PositiveBigIntegerField()

    class Meta:
        abstract = True


class DailyAreaUsage(AreaUsage):
    """A metric's count for one day over the centers of one region (or, abroad, one country):
    ``DailyCenterUsage`` summed by where the centers were when the day was rolled up. The
    network's and its districts' figures read these few rows instead of every center's."""

    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["day", "region"], name="dailyarea_day_region")]

    def __str__(self) -> str:
        return f"{self.day} {self.get_metric_display()}: {self.value}"


class MonthlyAreaUsage(AreaUsage):
    """``DailyAreaUsage`` summed over a month (so far, while it runs): a year's trend of the
    network in a thousand rows."""

    month = models.DateField()  # the month's first day

    class Meta:
        indexes = [models.Index(fields=["month", "region"], name="monthlyarea_month_region")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.get_metric_display()}: {self.value}"


class MonthlyCenterUsage(models.Model):
    """A metric's count for one center over a month (so far, while it runs): ``DailyCenterUsage``
    summed, so that the share of centers at zero is counted over thousands of rows, not
    millions."""

    month = models.DateField()  # the month's first day
    center = models.ForeignKey(
        "network.Center", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    metric = models.PositiveSmallIntegerField(choices=Metric.choices)
    value = models.PositiveBigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["month", "metric", "center"], name="monthlycenter_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.get_metric_display()}: {self.value}"


class RolledUpDay(models.Model):
    """A day whose roll-up is done, and when: a report for a month whose days are not all here
    is partial (SUSHI exception 3040), one with none of them is not ready (3031)."""

    day = models.DateField(primary_key=True)
    rolled_up_at = models.DateTimeField()
    events = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.day)


class SushiCredential(models.Model):
    """Who may pull COUNTER reports over SUSHI, for which customer.

    The customer is a center, a regional center (its members are the centers it coordinates),
    or the whole Library (``center`` empty). ``customer_id`` is the center's code or the
    Library's; the API key is shown once and stored hashed."""

    requestor_id = models.CharField(_("requestor ID"), max_length=100)
    center = models.ForeignKey(
        "network.Center",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sushi_credentials",
    )
    name = models.CharField(
        _("name"), max_length=200, help_text=_("Who uses it (a note for staff).")
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SUSHI credential")
        verbose_name_plural = _("SUSHI credentials")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["requestor_id"], name="sushi_requestor")]

    def __str__(self) -> str:
        return f"{self.name} ({self.requestor_id})"


class IngestedSpoolFile(models.Model):
    """A spool file of usage events loaded into ``UsageEvent`` (``libranet.usage.services``).

    Written in the same transaction as its events, so a loader that crashes after the commit
    but before deleting the file finds it here and never loads it twice. ``first_day`` and
    ``last_day`` (the project's time zone) tell the roll-up which days the file touched."""

    name = models.CharField(max_length=200, unique=True)
    ingested_at = models.DateTimeField(db_index=True)
    events = models.PositiveIntegerField()
    first_day = models.DateField(null=True)
    last_day = models.DateField(null=True)

    def __str__(self) -> str:
        return self.name
