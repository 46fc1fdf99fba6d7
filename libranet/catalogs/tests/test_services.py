"""Registering and changing sources: the check's messages on the right field, nothing saved on
bad input, the stale copy refused, the audit trail, the role rule."""

import pytest
from django.core.exceptions import ValidationError

from libranet.audit.models import AuditEntry
from libranet.catalogs.models import CatalogSource
from libranet.catalogs.services import source_deactivate, source_register, source_update
from libranet.network.services import ScopeError
from libranet.revisions import EditConflict

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(provider, institution, network_user):
    def run(**fields):
        values = {
            "actor": network_user,
            "institution": institution,
            "base_url": provider.url,
            "metadata_prefix": "oai_dc",
            "record_format": "oai_dc",
            **fields,
        }
        return source_register(**values)

    return run


def refused(register, field, **fields):
    with pytest.raises(ValidationError) as caught:
        register(**fields)
    assert CatalogSource.objects.count() == 0
    assert list(caught.value.message_dict) == [field]
    return " ".join(caught.value.message_dict[field])


def test_registering_keeps_what_identify_says_and_is_audited(register, network_user):
    source = register(sets=["books"], schedule="weekly")
    assert (source.name, source.granularity, source.earliest_datestamp) == (
        "Тестовая библиотека",
        "YYYY-MM-DDThh:mm:ssZ",
        "2001-01-01",
    )
    assert (source.deleted_record, source.sets, source.schedule) == (
        "persistent",
        ["books"],
        "weekly",
    )
    entry = AuditEntry.objects.get(action="catalog_source.register")
    assert entry.actor == network_user and entry.changes["base_url"][1] == source.base_url


def test_the_checks_messages(register, provider):
    provider.faults = {1: "html"}
    assert "web page (HTML)" in refused(register, "base_url")
    provider.requests.clear()
    provider.faults = {1: "corrupt"}
    assert "malformed XML" in refused(register, "base_url")
    provider.requests.clear()
    provider.faults = {1: 404}
    assert "HTTP error 404" in refused(register, "base_url")
    provider.faults = {}
    message = refused(register, "metadata_prefix", metadata_prefix="marcxml")
    assert message == "The source does not offer “marcxml”; it offers: oai_dc, marc21."
    assert refused(register, "sets", sets=["books", "globes"]) == "The source has no set: globes."


def test_an_answer_that_is_xml_but_not_oai_pmh(register, provider, monkeypatch):
    monkeypatch.setattr(
        type(provider), "answer", lambda self, params: (200, {}, b"<rss><channel/></rss>")
    )
    assert "not OAI-PMH (its root is <rss>)" in refused(register, "base_url")


def test_an_unreachable_source(register):
    assert "cannot be reached" in refused(register, "base_url", base_url="http://127.0.0.1:9/oai")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/oai", "http:// or https://"),
        ("https://user:secret@example.org/oai", "user name or password"),
        ("https://example.org/oai?verb=Identify", "base URL alone"),
        ("", "Enter the source's OAI-PMH base URL."),
    ],
)
def test_the_address_is_checked_before_asking(register, url, message):
    assert message in refused(register, "base_url", base_url=url, check=False)


def test_only_the_allowed_hosts(register, settings):
    settings.LIBRANET_HARVEST_HOSTS = ["*.partner.example", "127.0.0.1"]
    message = refused(register, "base_url", base_url="https://evil.example/oai", check=False)
    assert message == "Sources at evil.example may not be harvested here."
    source = register(base_url="https://opac.partner.example/oai", check=False)  # not asked
    assert source.base_url == "https://opac.partner.example/oai"


def test_other_bad_input_names_the_field(register):
    assert "record format" in refused(register, "record_format", record_format="mods")
    assert "schedule" in refused(register, "schedule", schedule="hourly")
    assert "{identifier}" in refused(register, "record_link", record_link="https://x.org/r/")
    assert "set spec" in refused(register, "sets", sets=["a b"])
    assert "metadata prefix" in refused(register, "metadata_prefix", metadata_prefix="a b")


def test_one_source_per_address(register):
    register()
    with pytest.raises(ValidationError) as caught:
        register()
    assert "registered already" in caught.value.message_dict["base_url"][0]


def test_only_the_department_and_administrators_manage_sources(register, operator_user, head_tver):
    for user in (operator_user, head_tver):
        with pytest.raises(ScopeError):
            register(actor=user)
    assert CatalogSource.objects.count() == 0


def test_changing_a_source_from_a_stale_copy_is_refused(register, network_user, admin_user):
    source = register()
    shown = source.revision
    source_update(actor=admin_user, source=source, revision=shown, schedule="weekly")
    with pytest.raises(EditConflict) as caught:
        source_update(actor=network_user, source=source, revision=shown, schedule="manual")
    assert [d.field for d in caught.value.differences] == ["schedule"]
    source.refresh_from_db()
    assert (source.schedule, source.revision) == ("weekly", shown + 1)


def test_a_new_prefix_is_checked_again(register, network_user):
    source = register()
    with pytest.raises(ValidationError) as caught:
        source_update(actor=network_user, source=source, metadata_prefix="mods")
    assert "does not offer" in caught.value.message_dict["metadata_prefix"][0]
    changed = source_update(
        actor=network_user, source=source, metadata_prefix="marc21", record_format="marc21"
    )
    assert changed.metadata_prefix == "marc21"
    assert AuditEntry.objects.filter(action="catalog_source.update").count() == 1


def test_deactivating(register, network_user):
    source = register()
    source = source_deactivate(actor=network_user, source=source)
    assert not source.active
    assert AuditEntry.objects.filter(action="catalog_source.deactivate").count() == 1
