"""The audit trail in words: each entry's action named in the reader's language, its object
named (as it is called now) and linked to its page, its changes as readable before/after
pairs with the fields' own labels. A page of entries costs one query per kind of object on it.

The audit app stores codes (``center.update``, field names, keys); only this module turns them
into what people read, so the stored trail stays stable while its wording may change.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .models import AuditEntry

ACTION_LABELS: dict[str, Promise] = {
    "center.create": pgettext_lazy("audit action", "center registered"),
    "center.update": pgettext_lazy("audit action", "center changed"),
    "center.status": pgettext_lazy("audit action", "center status changed"),
    "institution.create": pgettext_lazy("audit action", "institution added"),
    "institution.update": pgettext_lazy("audit action", "institution changed"),
    "reference.update": pgettext_lazy("audit action", "reference names corrected"),
    "collection.create": pgettext_lazy("audit action", "collection created"),
    "collection.update": pgettext_lazy("audit action", "collection changed"),
    "collection.move": pgettext_lazy("audit action", "collection moved"),
    "resource.create": pgettext_lazy("audit action", "resource added"),
    "resource.update": pgettext_lazy("audit action", "resource changed"),
    "resource.delete": pgettext_lazy("audit action", "resource deleted"),
    "resource.file_add": pgettext_lazy("audit action", "file added to a resource"),
    "resource.file_delete": pgettext_lazy("audit action", "file removed from a resource"),
    "resource.thumbnail_set": pgettext_lazy("audit action", "resource thumbnail set"),
    "invitation.create": pgettext_lazy("audit action", "staff member invited"),
    "invitation.resend": pgettext_lazy("audit action", "invitation sent again"),
    "invitation.revoke": pgettext_lazy("audit action", "invitation withdrawn"),
    "invitation.accept": pgettext_lazy("audit action", "invitation accepted"),
    "staff_role.assign": pgettext_lazy("audit action", "role granted"),
    "user.create": pgettext_lazy("audit action", "account created"),
    "user.name_change": pgettext_lazy("audit action", "name corrected"),
    "user.deactivate": pgettext_lazy("audit action", "account deactivated"),
    "user.password_change": pgettext_lazy("audit action", "password changed"),
    "user.password_reset": pgettext_lazy("audit action", "password reset"),
    "user.password_change_failed": pgettext_lazy("audit action", "wrong current password"),
    "user.sign_out_everywhere": pgettext_lazy("audit action", "signed out everywhere"),
    "user.totp_set": pgettext_lazy("audit action", "two-step sign-in set up"),
    "user.totp_remove": pgettext_lazy("audit action", "two-step sign-in turned off"),
    "user.totp_reset": pgettext_lazy("audit action", "two-step sign-in reset"),
    "user.totp_failed": pgettext_lazy("audit action", "wrong two-step code"),
    "reader.create": pgettext_lazy("audit action", "reader registered"),
    "reader.update": pgettext_lazy("audit action", "reader changed"),
    "reader.delete": pgettext_lazy("audit action", "reader deleted"),
    "reader.consent_accept": pgettext_lazy("audit action", "personal data consent accepted"),
    "api_token.create": pgettext_lazy("audit action", "API token created"),
    "api_token.revoke": pgettext_lazy("audit action", "API token revoked"),
    "sushi_credential.issue": pgettext_lazy("audit action", "SUSHI credential issued"),
    "sushi_credential.revoke": pgettext_lazy("audit action", "SUSHI credential revoked"),
    "workstation.register": pgettext_lazy("audit action", "workstation registered"),
    "workstation.revoke": pgettext_lazy("audit action", "workstation revoked"),
    "mail.resend": pgettext_lazy("audit action", "message sent again"),
    # Monitoring campaigns
    "campaign.create": pgettext_lazy("audit action", "monitoring campaign created"),
    "campaign.update": pgettext_lazy("audit action", "monitoring campaign changed"),
    "campaign.open": pgettext_lazy("audit action", "monitoring campaign opened"),
    "campaign.copy": pgettext_lazy("audit action", "monitoring campaign copied"),
    "campaign.results_send": pgettext_lazy("audit action", "monitoring results sent"),
    "campaign.response_save": pgettext_lazy("audit action", "campaign answers saved"),
    "campaign.response_submit": pgettext_lazy("audit action", "campaign answers submitted"),
    "campaign.response_reopen": pgettext_lazy("audit action", "campaign form reopened"),
    # The opening plan
    "planning_round.create": pgettext_lazy("audit action", "planning round opened"),
    "planning_round.close": pgettext_lazy("audit action", "planning round closed"),
    "proposal.create": pgettext_lazy("audit action", "opening proposal drafted"),
    "proposal.update": pgettext_lazy("audit action", "opening proposal changed"),
    "proposal.submit": pgettext_lazy("audit action", "opening proposal submitted"),
    "proposal.resubmit": pgettext_lazy("audit action", "opening proposal submitted again"),
    "proposal.approve": pgettext_lazy("audit action", "opening proposal approved"),
    "proposal.reject": pgettext_lazy("audit action", "opening proposal rejected"),
    "proposal.return": pgettext_lazy("audit action", "opening proposal returned"),
    "meeting.create": pgettext_lazy("audit action", "meeting added"),
    "meeting.update": pgettext_lazy("audit action", "meeting changed"),
    "meeting.publish": pgettext_lazy("audit action", "meeting programme published"),
    "meeting.unpublish": pgettext_lazy("audit action", "meeting programme taken off the site"),
    "meeting.session_save": pgettext_lazy("audit action", "meeting session saved"),
    "meeting.session_delete": pgettext_lazy("audit action", "meeting session deleted"),
    "resolution.create": pgettext_lazy("audit action", "resolution written"),
    "resolution.update": pgettext_lazy("audit action", "resolution changed"),
    "decision.create": pgettext_lazy("audit action", "decision added"),
    "decision.update": pgettext_lazy("audit action", "decision changed"),
    "decision.issue": pgettext_lazy("audit action", "decision issued as tasks"),
    "task.close": pgettext_lazy("audit action", "task closed"),
    "task.reopen": pgettext_lazy("audit action", "task reopened"),
    "agreement.create": pgettext_lazy("audit action", "agreement registered"),
    "agreement.update": pgettext_lazy("audit action", "agreement changed"),
    "agreement.activate": pgettext_lazy("audit action", "agreement made active"),
    "agreement.scan": pgettext_lazy("audit action", "agreement scan kept"),
    "agreement.terminate": pgettext_lazy("audit action", "agreement terminated"),
    "agreement.prolong": pgettext_lazy("audit action", "agreement prolonged"),
    "agreement.renew": pgettext_lazy("audit action", "agreement renewed"),
    "catalog_source.register": pgettext_lazy("audit action", "partner catalog registered"),
    "catalog_source.update": pgettext_lazy("audit action", "partner catalog changed"),
    "catalog_source.deactivate": pgettext_lazy("audit action", "partner catalog deactivated"),
    "catalog_source.harvest": pgettext_lazy("audit action", "partner catalog harvest requested"),
    "renewal_round.create": pgettext_lazy("audit action", "renewal round started"),
    "renewal.step": pgettext_lazy("audit action", "renewal step recorded"),
    "video.submit": pgettext_lazy("audit action", "video submitted"),
    "video.accept": pgettext_lazy("audit action", "video accepted"),
    "video.decline": pgettext_lazy("audit action", "video declined"),
    "video.publish": pgettext_lazy("audit action", "video published on the channel"),
    "event.create": pgettext_lazy("audit action", "event entered"),
    "event.update": pgettext_lazy("audit action", "event changed"),
    "event.delete": pgettext_lazy("audit action", "event deleted"),
    "event.photo_add": pgettext_lazy("audit action", "event photo added"),
    "event.photo_remove": pgettext_lazy("audit action", "event photo removed"),
    "event_round.create": pgettext_lazy("audit action", "joint-event reporting round opened"),
    "event_report.confirm": pgettext_lazy("audit action", "joint events confirmed"),
    "article.create": pgettext_lazy("audit action", "news article written"),
    "article.update": pgettext_lazy("audit action", "news article changed"),
    "article.submit": pgettext_lazy("audit action", "news article sent for review"),
    "article.publish": pgettext_lazy("audit action", "news article published"),
    "article.return": pgettext_lazy("audit action", "news article returned to its author"),
    "article.delete": pgettext_lazy("audit action", "news article deleted"),
}

# Keys some services record that are no field of the object's model.
EXTRA_LABELS: dict[str, Promise] = {
    "networks": gettext_lazy("IP networks"),
    "changed_on": gettext_lazy("date of the change"),
    "scope": gettext_lazy("scope"),
    "customer_id": gettext_lazy("customer"),
    "file": gettext_lazy("file"),
    "size": gettext_lazy("size"),
    "kind": gettext_lazy("kind of file"),
    "confirmed": gettext_lazy("identity confirmed"),
    "on": gettext_lazy("date of the step"),
    "agreements": gettext_lazy("agreements covered"),
    "renewed": gettext_lazy("renewed agreement"),
    "comment": gettext_lazy("comment"),  # a video's decision
    "indicators": gettext_lazy("indicators"),  # a monitoring campaign's
    "messages": gettext_lazy("messages"),
}

# Fields whose stored value is another object's key, and the model that key points at.
REFERENCES: dict[str, str] = {
    "institution": "network.institution",
    "region": "network.region",
    "country": "network.country",
    "regional_center": "network.center",
    "federal_district": "network.federaldistrict",
}


def action_label(code: str) -> str:
    """The action's name in words; an action this module does not know keeps its code."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def action_choices(recorded: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Every known action, and any other one recorded, by name, for the filter's list."""
    codes = set(ACTION_LABELS) | set(recorded)
    return sorted(((code, action_label(code)) for code in codes), key=lambda c: c[1].casefold())


def _link(obj: Any, object_type: str) -> str | None:
    """Where the object is looked at or edited in the back office (or its public page)."""
    targets: dict[str, Callable[[Any], str]] = {
        "network.center": lambda o: reverse("backoffice:center_edit", args=[o.code]),
        "network.institution": lambda o: reverse("backoffice:institution_edit", args=[o.pk]),
        "network.region": lambda o: reverse("backoffice:region_edit", args=[o.code]),
        "network.country": lambda o: reverse("backoffice:country_edit", args=[o.code]),
        "network.workstation": lambda o: reverse(
            "backoffice:center_workstations", args=[o.center.code]
        ),
        "network.invitation": lambda o: reverse("backoffice:staff"),
        "accounts.user": lambda o: reverse("backoffice:staff"),
        "resources.collection": lambda o: reverse("backoffice:collection_edit", args=[o.code]),
        "resources.resource": lambda o: reverse("public:resource", args=[o.identifier]),
        "usage.sushicredential": lambda o: reverse("backoffice:sushi_credentials"),
        "mail.outgoingmail": lambda o: reverse("backoffice:outbox"),
        "campaigns.campaign": lambda o: reverse("campaigns:detail", args=[o.pk]),
        "campaigns.response": lambda o: reverse(
            "campaigns:response", args=[o.campaign_id, o.center.code]
        ),
        "planning.planninground": lambda o: reverse("planning:round", args=[o.pk]),
        "planning.proposal": lambda o: reverse("planning:proposal", args=[o.pk]),
        "agreements.agreement": lambda o: reverse("agreements:detail", args=[o.pk]),
        "agreements.renewalround": lambda o: reverse("agreements:round", args=[o.pk]),
        "agreements.renewal": lambda o: reverse("agreements:round", args=[o.round_id]),
        "videos.video": lambda o: reverse("videos:video", args=[o.pk]),
        "events.event": lambda o: reverse("events_office:edit", args=[o.pk]),
        "events.reportinground": lambda o: reverse("events_office:round", args=[o.pk]),
        "catalogs.catalogsource": lambda o: reverse("catalogs_office:source", args=[o.pk]),
    }
    target = targets.get(object_type)
    if target is None or obj is None:
        return None
    try:
        return target(obj)
    except NoReverseMatch:
        return None


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _object_name(obj: Any) -> str:
    if hasattr(obj, "get_full_name"):  # a person: their name, with the username they sign in with
        full = obj.get_full_name()
        return f"{full} ({obj.get_username()})" if full else obj.get_username()
    return str(obj)


@dataclass
class Change:
    label: str
    before: str
    after: str
    paired: bool  # a before/after pair; else a value recorded with the action (``after``)


@dataclass
class EntryView:
    entry: AuditEntry
    action: str
    object_kind: str
    object_name: str
    object_url: str | None
    actor_name: str
    changes: list[Change] = field(default_factory=list)


class _Lookup:
    """The objects a page of entries names, fetched once per model."""

    def __init__(self) -> None:
        self.wanted: dict[str, set[str]] = defaultdict(set)
        self.found: dict[str, dict[str, Any]] = {}

    def want(self, label: str, key: Any) -> None:
        if key not in (None, ""):
            self.wanted[label].add(str(key))

    def fetch(self) -> None:
        for label, keys in self.wanted.items():
            model = _model(label)
            if model is None:
                continue
            queryset = model._default_manager.all()
            if label == "network.workstation":
                queryset = queryset.select_related("center")
            pk_type = model._meta.pk
            valid = []
            for key in keys:
                try:
                    valid.append(pk_type.to_python(key))
                except Exception:  # noqa: BLE001,S112 (a key of another shape names nothing)
                    continue
            self.found[label] = {str(k): v for k, v in queryset.in_bulk(valid).items()}

    def get(self, label: str, key: Any) -> Any:
        return self.found.get(label, {}).get(str(key))


def _field(model: Any, name: str) -> Any:
    """The model's own field ``name`` (not a reverse relation such as a center's networks)."""
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return None if found.auto_created and not found.concrete else found


def _field_label(model: type[models.Model] | None, name: str) -> str:
    found = _field(model, name)
    if found is not None:
        return str(found.verbose_name)
    return str(EXTRA_LABELS.get(name, name.replace("_", " ")))


def _date_text(value: str) -> str | None:
    """An ISO date or date-time, as the reader's locale writes it; None for other text."""
    if len(value) == 10:
        try:
            return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return None
    if len(value) > 18 and value[10] in "T ":
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return None
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    return None


def value_text(value: Any, *, model: Any = None, name: str = "", lookup: Any = None) -> str:
    """One recorded value as words: a choice by its label, a key by its object's name, a date
    in the locale's format, a list or mapping as plain text, never a Python repr."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(value_text(v, model=model, name=name, lookup=lookup) for v in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{_field_label(model, str(k))}: {value_text(v, model=model, name=str(k))}"
            for k, v in value.items()
        )
    if name in REFERENCES and lookup is not None:
        obj = lookup.get(REFERENCES[name], value)
        if obj is not None:
            return str(obj)
    choices = _choices(model, name)
    if str(value) in choices:
        return choices[str(value)]
    if isinstance(value, (int, float)):
        return formats.number_format(value, use_l10n=True)
    text = str(value)
    return _date_text(text) or text


def _choices(model: Any, name: str) -> dict[str, str]:
    found = _field(model, name)
    choices = getattr(found, "choices", None) or []
    return {str(k): str(v) for k, v in choices}


def _is_pair(value: Any) -> bool:
    """``[before, after]`` as ``model_changes`` records it. A list of plain texts is a value
    (the networks a center was registered with), unless one side is empty or a list."""
    if not isinstance(value, list) or len(value) != 2:
        return False
    if any(v is None or isinstance(v, list) for v in value):
        return True
    return not all(isinstance(v, str) for v in value) or "/" not in "".join(value)


def present(entries: Iterable[AuditEntry]) -> list[EntryView]:
    """The entries in words, ready for the page (their actors joined by the selector)."""
    entries = list(entries)
    lookup = _Lookup()
    for entry in entries:
        lookup.want(entry.object_type, entry.object_id)
        for name, value in (entry.changes or {}).items():
            if name in REFERENCES:
                for v in value if isinstance(value, list) else [value]:
                    lookup.want(REFERENCES[name], v)
    lookup.fetch()
    views = []
    for entry in entries:
        model = _model(entry.object_type)
        obj = lookup.get(entry.object_type, entry.object_id)
        views.append(
            EntryView(
                entry=entry,
                action=action_label(entry.action),
                object_kind=str(model._meta.verbose_name) if model else entry.object_type,
                object_name=_object_name(obj) if obj is not None else entry.object_repr,
                object_url=_link(obj, entry.object_type),
                actor_name=_object_name(entry.actor) if entry.actor else "",
                changes=_changes(entry, model, lookup),
            )
        )
    return views


def _changes(entry: AuditEntry, model: Any, lookup: _Lookup) -> list[Change]:
    rows = []
    for name, value in (entry.changes or {}).items():
        label = _field_label(model, name)
        if _is_pair(value):
            before, after = (value_text(v, model=model, name=name, lookup=lookup) for v in value)
            rows.append(Change(label, before, after, paired=True))
        else:
            text = value_text(value, model=model, name=name, lookup=lookup)
            rows.append(Change(label, "", text, paired=False))
    return rows
