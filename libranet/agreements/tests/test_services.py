"""The agreements' rules, once, in their services: states by the calendar, prolongation,
renewal steps in order, bad input refused naming the field with nothing saved, the stale copy."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from libranet.agreements import services
from libranet.agreements.models import Agreement, Prolongation, Renewal, State
from libranet.agreements.services import AgreementError
from libranet.audit.models import AuditEntry
from libranet.network.services import ScopeError
from libranet.revisions import EditConflict

from .conftest import TODAY, day

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_states_follow_the_calendar(make_agreement, time_machine):
    far = make_agreement(ends=200)
    soon = make_agreement("tver_rc", ends=90)
    past = make_agreement("penza_rc", ends=-1)
    draft = make_agreement("foreign", active=False)
    assert [a.state for a in (far, soon, past, draft)] == [
        State.ACTIVE,
        State.EXPIRING,
        State.EXPIRED,
        State.DRAFT,
    ]
    assert set(Agreement.objects.in_state(State.EXPIRING, TODAY)) == {soon}
    assert set(Agreement.objects.in_state(State.EXPIRED, TODAY)) == {past}
    assert set(Agreement.objects.expiring_within(90, TODAY)) == {soon}
    time_machine.move_to(datetime.datetime(2026, 9, 20, 9, tzinfo=datetime.UTC), tick=False)
    far.refresh_from_db()
    assert far.state == State.EXPIRED


def test_an_agreement_ending_before_it_starts_is_refused_and_nothing_saved(centers, network_user):
    with pytest.raises(AgreementError) as caught:
        services.agreement_create(
            actor=network_user,
            number="17",
            center=centers["tver_rc"],
            starts_on=day(10),
            ends_on=day(5),
        )
    assert "ends_on" in caught.value.message_dict
    assert not Agreement.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="agreement").exists()


def test_term_in_years_gives_the_end_and_the_partner_defaults_to_the_host(centers):
    agreement = services.agreement_create(
        actor=None,
        number="5",
        center=centers["tver_rc"],
        starts_on=datetime.date(2026, 1, 1),
        term_years=5,
    )
    assert agreement.ends_on == datetime.date(2030, 12, 31)
    assert agreement.institution == centers["tver_rc"].institution
    assert agreement.status == Agreement.Status.DRAFT


def test_number_unique_per_partner_and_year(make_agreement, centers):
    make_agreement("tver_rc", number="12")
    with pytest.raises(AgreementError) as caught:
        make_agreement("tver_remote", number="12")  # the same host institution, the same year
    assert "number" in caught.value.message_dict


def test_active_needs_its_signing_date(centers):
    with pytest.raises(AgreementError) as caught:
        services.agreement_create(
            actor=None,
            number="1",
            center=centers["tver_rc"],
            starts_on=day(0),
            ends_on=day(9),
            active=True,
        )
    assert "signed_on" in caught.value.message_dict


def test_roles_reach_what_the_permission_module_says(
    centers, network_user, international_user, head_tver, operator_user
):
    def create(actor, center):
        return services.agreement_create(
            actor=actor,
            number=f"{actor.username}-{center}",
            center=centers[center],
            starts_on=day(0),
            ends_on=day(100),
        )

    create(network_user, "penza_rc")
    create(international_user, "foreign")
    for actor, center in (
        (international_user, "tver_rc"),
        (head_tver, "tver_rc"),
        (operator_user, "tver_rc"),
    ):
        with pytest.raises(ScopeError):
            create(actor, center)
    assert Agreement.objects.count() == 2


def test_update_from_a_stale_copy_is_refused_with_the_difference(make_agreement, network_user):
    agreement = make_agreement()
    services.agreement_update(actor=network_user, agreement=agreement, revision=1, notes="First")
    with pytest.raises(EditConflict) as caught:
        services.agreement_update(
            actor=network_user, agreement=agreement, revision=1, notes="Second"
        )
    assert [(d.field, d.stored, d.submitted) for d in caught.value.differences] == [
        ("notes", "First", "Second")
    ]
    agreement.refresh_from_db()
    assert (agreement.notes, agreement.revision) == ("First", 2)


def test_update_refuses_an_end_before_the_start(make_agreement, network_user):
    agreement = make_agreement()
    with pytest.raises(AgreementError) as caught:
        services.agreement_update(
            actor=network_user, agreement=agreement, revision=1, ends_on=day(-500)
        )
    assert "ends_on" in caught.value.message_dict
    agreement.refresh_from_db()
    assert agreement.ends_on == day(200) and agreement.revision == 1


def test_scan_kept_when_pdf_refused_otherwise(make_agreement, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agreement = make_agreement()
    for name, content in (("scan.pdf", b"MZ\x90\x00 not a pdf"), ("scan.exe", PDF), ("a.pdf", b"")):
        with pytest.raises(AgreementError) as caught:
            services.agreement_attach_scan(
                actor=None, agreement=agreement, file=SimpleUploadedFile(name, content)
            )
        assert "scan" in caught.value.message_dict
    settings.LIBRANET_AGREEMENT_SCAN_MAX_BYTES = 10
    with pytest.raises(AgreementError):
        services.agreement_attach_scan(
            actor=None, agreement=agreement, file=SimpleUploadedFile("big.pdf", PDF)
        )
    agreement.refresh_from_db()
    assert not agreement.scan
    settings.LIBRANET_AGREEMENT_SCAN_MAX_BYTES = 1000
    services.agreement_attach_scan(
        actor=None, agreement=agreement, file=SimpleUploadedFile("signed.pdf", PDF)
    )
    agreement.refresh_from_db()
    with agreement.scan.open("rb") as scan:
        assert scan.read() == PDF


def test_terminate(make_agreement, network_user):
    agreement = make_agreement()
    with pytest.raises(AgreementError) as caught:
        services.agreement_terminate(
            actor=network_user, agreement=agreement, terminated_on=day(-1000)
        )
    assert "terminated_on" in caught.value.message_dict
    services.agreement_terminate(actor=network_user, agreement=agreement, terminated_on=TODAY)
    agreement.refresh_from_db()
    assert agreement.state == State.TERMINATED
    with pytest.raises(AgreementError):
        services.agreement_terminate(actor=network_user, agreement=agreement, terminated_on=TODAY)


def test_automatic_prolongation_extends_by_the_term_when_it_passes(make_agreement):
    yearly = make_agreement("tver_rc", starts=-900, ends=-800, prolongation=Prolongation.YEARLY)
    same = make_agreement("penza_rc", starts=-800, ends=-400, prolongation=Prolongation.SAME_TERM)
    none = make_agreement("tver_remote", ends=-1)
    done = services.agreements_prolong(today=TODAY)
    assert {a.pk for a in done} == {yearly.pk, same.pk}
    yearly.refresh_from_db()
    same.refresh_from_db()
    none.refresh_from_db()
    assert yearly.ends_on == datetime.date(2026, 12, 22)  # 22.12.2023 + 3 years
    assert same.ends_on == day(-400) + (day(-400) - day(-800) + datetime.timedelta(days=1))
    assert same.ends_on == day(1)  # one term of 401 days reaches today
    assert none.state == State.EXPIRED
    assert AuditEntry.objects.filter(action="agreement.prolong").count() == 2
    assert services.agreements_prolong(today=TODAY) == []  # twice: nothing more


def test_a_round_fans_out_and_steps_go_in_order(make_agreement, network_user, head_tver):
    rc = make_agreement("tver_rc", ends=60)
    remote = make_agreement("tver_remote", ends=80)
    make_agreement("penza_rc", ends=400)  # not ending before the date
    round_ = services.renewal_round_create(
        actor=network_user, title="2026", year=2026, deadline=day(30), expiring_before=day(100)
    )
    renewals = {r.agreement_id: r for r in round_.renewals.all()}
    assert set(renewals) == {rc.pk, remote.pk}
    renewal = renewals[rc.pk]

    with pytest.raises(AgreementError) as caught:  # out of order
        services.renewal_advance(actor=network_user, renewal=renewal, step="partner_signed")
    assert "step" in caught.value.message_dict
    with pytest.raises(ScopeError):  # the head records the partner's signature only
        services.renewal_advance(actor=head_tver, renewal=renewal, step="sent")
    services.renewal_advance(actor=network_user, renewal=renewal, step="sent", on=day(-2))
    with pytest.raises(AgreementError) as caught:
        services.renewal_advance(
            actor=head_tver, renewal=renewal, step="partner_signed", on=day(-3)
        )
    assert "on" in caught.value.message_dict
    services.renewal_advance(actor=head_tver, renewal=renewal, step="partner_signed")
    with pytest.raises(ScopeError):
        services.renewal_advance(
            actor=head_tver, renewal=renewal, step="library_signed", number="N", term_years=5
        )
    with pytest.raises(AgreementError) as caught:
        services.renewal_advance(actor=network_user, renewal=renewal, step="library_signed")
    assert "number" in caught.value.message_dict
    renewal = services.renewal_advance(
        actor=network_user, renewal=renewal, step="library_signed", number="77/2026", term_years=5
    )
    rc.refresh_from_db()
    renewed = renewal.renewed
    assert rc.status == Agreement.Status.RENEWED
    assert (renewed.number, renewed.replaces, renewed.status) == ("77/2026", rc, "active")
    assert renewed.starts_on == day(61) and renewed.signed_on == TODAY
    assert renewal.partner_signed_by == head_tver
    with pytest.raises(AgreementError):
        services.renewal_advance(actor=network_user, renewal=renewal, step="library_signed")
    assert Renewal.objects.get(pk=renewal.pk).step == Renewal.Step.LIBRARY_SIGNED


def test_a_round_needs_a_choice_and_a_match(make_agreement, network_user, head_tver):
    with pytest.raises(AgreementError) as caught:
        services.renewal_round_create(actor=network_user, title="x", year=2026, deadline=day(5))
    assert "expiring_before" in caught.value.message_dict
    with pytest.raises(AgreementError) as caught:
        services.renewal_round_create(
            actor=network_user, title="x", year=2026, deadline=day(5), expiring_before=day(1)
        )
    assert "expiring_before" in caught.value.message_dict
    make_agreement(ends=20)
    with pytest.raises(ScopeError):
        services.renewal_round_create(
            actor=head_tver, title="x", year=2026, deadline=day(5), expiring_before=day(100)
        )


def test_the_demo_seeds_agreements_a_round_and_scans(centers, settings, tmp_path):
    from libranet.agreements.demo import minimal_pdf, seed_agreements

    settings.MEDIA_ROOT = tmp_path
    assert minimal_pdf("x").startswith(b"%PDF-1.4") and minimal_pdf("x").endswith(b"%%EOF\n")
    made = seed_agreements(seed=1)
    assert made.agreements >= 2  # the regional centers at least
    assert Agreement.objects.filter(center__kind="regional").count() == 2
    assert Agreement.objects.exclude(scan="").count() == made.scans
    assert not Agreement.objects.filter(starts_on__gt=TODAY).exclude(replaces__isnull=False)
