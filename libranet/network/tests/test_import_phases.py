"""The centers import's two phases: every row checked while reading only, then everything
written in one short transaction, with the rows the services would write."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from libranet.audit.models import AuditEntry
from libranet.network.importexport import (
    APPLYING,
    OPTIMISTIC_ATTEMPTS,
    VALIDATING,
    export_rows,
    import_centers,
    read_table,
    write_csv,
)
from libranet.network.models import Center, CenterNetwork, CenterStatusChange, Institution
from libranet.network.services import center_create, center_update

pytestmark = pytest.mark.django_db
WRITES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "BEGIN")


@pytest.fixture(autouse=True)
def _fixed_clock(time_machine):
    """New centers' first status is dated today: today is fixed."""
    time_machine.move_to(datetime.datetime(2025, 6, 2, 10, tzinfo=datetime.UTC), tick=False)


def rows_of(text: str) -> list:
    return read_table(io.BytesIO(text.encode("utf-8")))


def many(n: int) -> list:
    """``n`` remote access centers of Tver Region, each with a network, half of them open."""
    header = "code,kind,status,name_ru,institution_ru,region,opened_on,networks\n"
    lines = [
        f"RU-TVE-{i:05d},remote,{'open' if i % 2 else 'planned'},Центр {i},"
        f"Библиотека № {i % 50},RU-TVE,{'2020-02-01' if i % 2 else ''},"
        f"10.{i // 256}.{i % 256}.0/24\n"
        for i in range(n)
    ]
    return rows_of(header + "".join(lines))


def writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith(WRITES)]


def test_a_refused_file_writes_nothing_and_opens_no_transaction(admin_user, tver_rc):
    rows = many(300)
    rows.append(rows_of("code,kind,name_ru,institution_ru,region\nX,remote,Плохой,Б,RU-ZZ\n")[0])
    before = (Center.objects.count(), AuditEntry.objects.count(), Institution.objects.count())
    with CaptureQueriesContext(connection) as queries:
        report = import_centers(actor=admin_user, rows=rows)
    assert [(e.row, e.column) for e in report.errors] == [(2, "region")]
    assert report.created == 0
    # Reads only: not a write, not even a savepoint (the test runs in a transaction, so any
    # atomic block of the import would show as one).
    assert writes(queries) == []
    assert len(queries) < 20  # the registry read once, not per row
    after = (Center.objects.count(), AuditEntry.objects.count(), Institution.objects.count())
    assert after == before


def test_five_thousand_rows_written_at_once_then_unchanged(admin_user, tver_rc):
    labels = []
    rows = many(5000)
    with CaptureQueriesContext(connection) as queries:
        report = import_centers(
            actor=admin_user, rows=rows, progress=lambda done, total, label: labels.append(label)
        )
    assert report.ok, report.errors[:3]
    assert (report.created, report.updated, report.unchanged) == (5000, 0, 0)
    assert labels.count(VALIDATING) == 5000 and labels[-1] == APPLYING
    assert len(queries) < 400  # batches (of 43 centers on SQLite), not rows
    imported = Center.objects.filter(code__startswith="RU-TVE-0")
    assert imported.count() == 5000
    assert CenterNetwork.objects.filter(center__in=imported).count() == 5000
    assert set(imported.values_list("regional_center__code", flat=True)) == {"RU-TVE-RC"}
    history = CenterStatusChange.objects.filter(center__in=imported)
    assert history.count() == 5000
    assert history.filter(status="open", changed_on="2020-02-01").count() == 2500
    assert AuditEntry.objects.filter(action="center.create").count() == 5001  # and tver_rc
    assert AuditEntry.objects.filter(action="institution.create", actor=admin_user).count() == 50
    assert not imported.filter(search_text="").exists()

    with CaptureQueriesContext(connection) as queries:
        again = import_centers(actor=admin_user, rows=rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5000)
    # Nothing to write; the transaction only bumps the registry's version.
    assert [q for q in writes(queries) if not q.startswith(("SAVEPOINT", "UPDATE"))] == []


def test_the_rows_written_are_those_the_services_write(admin_user, tver_rc):
    text = (
        "code,kind,status,name_ru,institution_ru,region,opened_on,networks\n"
        "RU-TVE-0001,remote,open,Первый,Тверская областная научная библиотека,RU-TVE,"
        "2021-04-05,203.0.113.0/28\n"
    )
    assert import_centers(actor=admin_user, rows=rows_of(text)).ok
    imported = Center.objects.get(code="RU-TVE-0001")
    by_service = center_create(
        actor=admin_user,
        code="RU-TVE-0002",
        kind="remote",
        status="open",
        name_ru="Первый",
        institution=imported.institution,
        region=imported.region,
        opened_on=imported.opened_on,
        networks="203.0.113.16/28",
    )

    def trail(center):
        entry = AuditEntry.objects.get(object_id=str(center.pk), object_type="network.center")
        change = center.status_history.get()
        return (
            entry.action,
            entry.actor,
            sorted(entry.changes),
            (change.status, change.changed_on, change.changed_by),
            center.regional_center,
            center.search_text.replace("0001", "0002"),
        )

    assert trail(imported) == trail(by_service)


def test_a_status_change_and_an_update_write_their_audit_rows(
    admin_user, make_center, time_machine
):
    make_center(code="RU-TVE-0801", status="approved", name_ru="Старое")
    time_machine.shift(datetime.timedelta(days=60))
    text = (
        "code,kind,status,name_ru,institution_ru,region,opened_on\n"
        "RU-TVE-0801,remote,open,Новое,Тверская областная научная библиотека,RU-TVE,2025-07-10\n"
    )
    report = import_centers(actor=admin_user, rows=rows_of(text))
    assert report.ok and report.updated == 1
    center = Center.objects.get(code="RU-TVE-0801")
    assert (center.status, str(center.opened_on), center.name_ru) == ("open", "2025-07-10", "Новое")
    entries = AuditEntry.objects.filter(object_id=str(center.pk)).order_by("id")
    actions = [(e.action, e.changes) for e in entries if e.actor == admin_user]
    assert actions[0][0] == "center.update" and actions[0][1]["name_ru"] == ["Старое", "Новое"]
    assert actions[1] == (
        "center.status",
        {"status": ["approved", "open"], "changed_on": "2025-07-10"},
    )
    assert center.status_history.order_by("-id").first().changed_on.isoformat() == "2025-07-10"


def test_a_change_between_the_phases_makes_the_rows_checked_again(admin_user, tver_rc, institution):
    text = "code,kind,name_ru,institution_ru,region\nRU-TVE-0901,remote,Из файла,Б,RU-TVE\n"
    checks = []

    def progress(done, total, label):
        if label == VALIDATING:
            checks.append(done)
            if len(checks) == 1:  # another user registers the same code meanwhile
                center_create(
                    actor=None,
                    code="RU-TVE-0901",
                    kind="remote",
                    name_ru="Из формы",
                    institution=institution,
                    region=tver_rc.region,
                )

    report = import_centers(actor=admin_user, rows=rows_of(text), progress=progress)
    assert checks == [1, 1]
    assert (report.created, report.updated) == (0, 1)
    assert Center.objects.get(code="RU-TVE-0901").name_ru == "Из файла"


def test_a_registry_that_keeps_changing_is_checked_once_more_under_its_lock(admin_user, tver_rc):
    """Every check without the lock meets another change (an edit each second, as a script
    might make): the last check runs under the registry's lock, and the import ends."""
    text = "code,kind,name_ru,institution_ru,region\nRU-TVE-0902,remote,Из файла,Б,RU-TVE\n"
    checks = []

    def progress(done, total, label):
        if label == VALIDATING:
            checks.append(done)
            if len(checks) <= OPTIMISTIC_ATTEMPTS:
                center_update(actor=None, center=tver_rc, phone=f"+7 4822 00-00-0{len(checks)}")

    report = import_centers(actor=admin_user, rows=rows_of(text), progress=progress)
    assert len(checks) == OPTIMISTIC_ATTEMPTS + 1
    assert report.created == 1 and Center.objects.filter(code="RU-TVE-0902").exists()


def test_an_export_of_the_imported_centers_imports_back_unchanged(admin_user, tver_rc):
    assert import_centers(actor=admin_user, rows=many(200)).ok
    exported = write_csv(export_rows(Center.objects.order_by("code")))
    report = import_centers(actor=admin_user, rows=read_table(io.BytesIO(exported)))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 201)


def test_the_command_imports_in_the_foreground_with_a_progress_bar(tmp_path, admin_user, tver_rc):
    from django.core.management import CommandError, call_command

    path = tmp_path / "centers.csv"
    path.write_text(
        "code,kind,name_ru,institution_ru,region\nRU-TVE-0950,remote,Центр,Б,RU-TVE\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_centers", str(path), "--user", "admin", stdout=out)
    assert "[" in out.getvalue() and "created 1, updated 0, unchanged 0" in out.getvalue()
    path.write_text("code,kind,name_ru,institution_ru,region\nX,remote,Ц,Б,RU-ZZ\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error; nothing was imported"):
        call_command("import_centers", str(path), stdout=io.StringIO(), stderr=err)
    assert "row 2, region" in err.getvalue()
