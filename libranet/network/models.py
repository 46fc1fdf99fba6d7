"""The network registry: where centers are, who hosts them, their status and networks."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


def russian_attribute(obj: object, field: str) -> str:
    """The attribute holding ``field`` in Russian: ``name_ru`` where the model has it, else the
    plain ``address``/``hours`` (the registry's own language needs no suffix)."""
    return f"{field}_ru" if hasattr(obj, f"{field}_ru") else field


def localized_pair(obj: object, field: str) -> tuple[str, str]:
    """``field`` of ``obj`` in the active language and in the other one: ("", other) when the
    active language's value is missing, so a page can mark the other-language fallback."""
    russian = getattr(obj, russian_attribute(obj, field)) or ""
    english = getattr(obj, f"{field}_en", "") or ""
    if (get_language() or "ru").startswith("en"):
        return english, russian
    return russian, english


class Bilingual:
    """Picks ``<field>_ru`` (or the plain ``<field>``) or ``<field>_en`` by the active language,
    falling back to the other language."""

    def localized(self, field: str) -> str:
        own, other = localized_pair(self, field)
        return own or other

    @property
    def name(self) -> str:
        return self.localized("name")

    def __str__(self) -> str:
        return self.name


class FederalDistrict(Bilingual, models.Model):
    code = models.CharField(_("code"), max_length=8, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        verbose_name = _("federal district")
        verbose_name_plural = _("federal districts")
        ordering = ["name_ru"]


class Region(Bilingual, models.Model):
    """A federal subject of Russia, coded in the ISO 3166-2:RU style (``RU-TVE``)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    federal_district = models.ForeignKey(
        FederalDistrict,
        verbose_name=_("federal district"),
        on_delete=models.PROTECT,
        related_name="regions",
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name_ru"]


class Country(Bilingual, models.Model):
    """A country by its ISO 3166-1 alpha-2 code."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name_ru"]


class Institution(Bilingual, models.Model):
    """The partner that hosts a center: a library, university, museum, school, RCSC..."""

    class Kind(models.TextChoices):
        LIBRARY = "library", _("library")
        UNIVERSITY = "university", _("university")
        MUSEUM = "museum", _("museum")
        SCHOOL = "school", _("school")
        RCSC = "rcsc", _("Russian center of science and culture")
        NATIONAL_LIBRARY = "national_library", _("national library")
        OTHER = "other", pgettext_lazy("institution kind", "other")

    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=500, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=500, blank=True)
    website = models.URLField(_("website"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name_ru"]
        indexes = [models.Index(fields=["name_ru"])]


class CenterQuerySet(models.QuerySet):
    # What a center's card shows besides itself: one join each, never a query per row.
    RELATIONS = ("institution", "region__federal_district", "country", "regional_center")

    def with_relations(self) -> "CenterQuerySet":
        return self.select_related(*self.RELATIONS)


class Center(Bilingual, models.Model):
    class Kind(models.TextChoices):
        REGIONAL = "regional", _("regional center")
        REMOTE = "remote", _("remote access center")
        BRANCH = "branch", _("branch")
        FOREIGN = "foreign", _("foreign center")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        APPROVED = "approved", _("approved")
        OPEN = "open", pgettext_lazy("center status", "open")
        SUSPENDED = "suspended", _("suspended")
        CLOSED = "closed", _("closed")

    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("host institution"),
        on_delete=models.PROTECT,
        related_name="centers",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="centers",
    )
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="centers",
    )
    regional_center = models.ForeignKey(
        "self",
        verbose_name=_("coordinating regional center"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coordinated_centers",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=500, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    hours = models.CharField(_("opening hours"), max_length=500, blank=True)
    hours_en = models.CharField(_("opening hours (English)"), max_length=500, blank=True)
    # Lower-cased names, institution, address and code: free-text search that is
    # case-insensitive for Cyrillic on SQLite too (its LIKE folds ASCII only).
    search_text = models.TextField(editable=False, default="")
    # Lists read from the top of the network down: regional centers, branches, remote access
    # centers, then the centers abroad. Kept by the database, so that this order is an index
    # (a deep page of the directory reads it instead of sorting every center).
    kind_rank = models.GeneratedField(
        expression=models.Case(
            *(
                models.When(kind=kind, then=models.Value(rank))
                for rank, kind in enumerate((Kind.REGIONAL, Kind.BRANCH, Kind.REMOTE, Kind.FOREIGN))
            ),
            default=models.Value(9),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = CenterQuerySet.as_manager()

    class Meta:
        verbose_name = _("center")
        verbose_name_plural = _("centers")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="center_region_xor_country",
                condition=(
                    Q(kind="foreign", country__isnull=False, region__isnull=True)
                    | (~Q(kind="foreign") & Q(country__isnull=True, region__isnull=False))
                ),
                violation_error_message=_(
                    "A center in Russia has a region and no country; "
                    "a foreign center has a country and no region."
                ),
            ),
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(kind="regional", status="open"),
                name="center_one_open_regional_per_region",
                violation_error_message=_("This region already has an open regional center."),
            ),
            models.CheckConstraint(
                name="center_latitude_range",
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
            ),
            models.CheckConstraint(
                name="center_longitude_range",
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
            ),
        ]
        indexes = [
            models.Index(fields=["region", "kind", "status"]),
            models.Index(fields=["country", "status"]),
            models.Index(fields=["kind_rank", "code"], name="center_list_order"),
        ]


class CenterStatusChange(models.Model):
    """One step of a center's dated status history; closing keeps the center and this history."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="status_history")
    status = models.CharField(_("status"), max_length=16, choices=Center.Status.choices)
    changed_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["center", "changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.changed_on:%Y-%m-%d} {self.get_status_display()}"


class CenterNetwork(models.Model):
    """An IP network (CIDR) from which a center's visitors come.

    ``first``/``last`` hold the range's ends as fixed-width hex so that overlap is a plain
    string comparison that both SQLite and PostgreSQL index; a trigger (migration 0002)
    refuses overlapping ranges of two centers in the database itself.
    """

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="networks")
    cidr = models.CharField(_("network"), max_length=43)
    version = models.PositiveSmallIntegerField()
    first = models.CharField(max_length=32)
    last = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("IP network")
        verbose_name_plural = _("IP networks")
        ordering = ["version", "first"]
        indexes = [models.Index(fields=["version", "first", "last"])]

    def __str__(self) -> str:
        return self.cidr


class RegistryState(models.Model):
    """One row whose version goes up with every change of the registry, in the change's own
    transaction: pages cached per version (directory, summary) are never stale, in any worker."""

    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("registry state")

    def __str__(self) -> str:
        return f"registry version {self.version}"


# A role's scope, for a role held (StaffRole) and a role offered (Invitation) alike.
SCOPE_MATCHES_ROLE = (
    Q(role="center_operator", center__isnull=False, region__isnull=True)
    | Q(role="regional_head", center__isnull=True, region__isnull=False)
    | (
        Q(center__isnull=True, region__isnull=True)
        & ~Q(role__in=["center_operator", "regional_head"])
    )
)
SCOPE_MISMATCH_MESSAGE = _(
    "A center operator is scoped to one center, a regional-center head to one region, other "
    "roles to none."
)


class StaffRole(models.Model):
    """A user's role with its scope: an operator's center, a regional-center head's region."""

    class Role(models.TextChoices):
        CENTER_OPERATOR = "center_operator", _("center operator")
        REGIONAL_HEAD = "regional_head", _("regional-center head")
        NETWORK_DEPARTMENT = "network_department", _("network department")
        INTERNATIONAL = "international", _("international relations")
        ADMINISTRATOR = "administrator", _("administrator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    center = models.ForeignKey(
        Center, null=True, blank=True, on_delete=models.CASCADE, related_name="staff_roles"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.CASCADE, related_name="staff_roles"
    )

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.CheckConstraint(
                name="staffrole_scope_matches_role",
                condition=SCOPE_MATCHES_ROLE,
                violation_error_message=SCOPE_MISMATCH_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        scope = self.center or self.region
        return f"{self.get_role_display()}" + (f": {scope}" if scope else "")


class Invitation(models.Model):
    """An invitation by e-mail to a staff account with one role and its scope.

    The link carries a random token; only its hash is kept, so the table gives no way in. The
    link works once, until ``expires_at``; sending it again makes a new link (the old one stops).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        REVOKED = "revoked", _("revoked")
        EXPIRED = "expired", _("expired")

    email = models.EmailField(_("e-mail"))
    # The invitee's name as the inviter knows it: the acceptance form starts from it.
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=StaffRole.Role.choices)
    center = models.ForeignKey(
        Center,
        verbose_name=_("center"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="ru"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"))
    times_sent = models.PositiveSmallIntegerField(default=1)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="invitation_scope_matches_role",
                condition=SCOPE_MATCHES_ROLE,
                violation_error_message=SCOPE_MISMATCH_MESSAGE,
            ),
        ]
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        scope = self.center or self.region
        return f"{self.email}: {self.get_role_display()}" + (f" ({scope})" if scope else "")

    @property
    def state(self) -> str:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    def get_state_display(self) -> str:
        return str(self.State(self.state).label)

    @property
    def scope(self) -> "Center | Region | None":
        return self.center or self.region


class Workstation(models.Model):
    """A computer that a center's operator registered as being inside the center, for centers
    whose visitors come from no fixed address. The browser keeps a signed cookie naming the
    workstation and its secret; only the secret's hash is kept here, and revoking it ends it."""

    center = models.ForeignKey(
        Center, verbose_name=_("center"), on_delete=models.CASCADE, related_name="workstations"
    )
    name = models.CharField(_("name"), max_length=100)
    secret_hash = models.CharField(max_length=64, unique=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("workstation")
        verbose_name_plural = _("workstations")
        ordering = ["center", "name"]

    def __str__(self) -> str:
        return f"{self.center.code}: {self.name}"
