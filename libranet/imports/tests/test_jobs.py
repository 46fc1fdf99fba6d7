"""Import jobs: the task's states, its progress in writes of its own, a run that is safe twice,
a page that always answers, only to the uploader."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from libranet.imports.models import ImportJob
from libranet.imports.services import import_job_create, import_job_run
from libranet.network.models import Center

pytestmark = pytest.mark.django_db
State = ImportJob.State
GOOD = (
    "code,kind,name_ru,institution_ru,region\n"
    "RU-TVE-0200,remote,ЦУД 200,Библиотека,RU-TVE\n"
    "RU-TVE-0201,remote,ЦУД 201,Библиотека,RU-TVE\n"
).encode()


@pytest.fixture(autouse=True)
def _media_and_clock(settings, tmp_path, time_machine):
    settings.MEDIA_ROOT = tmp_path / "media"
    time_machine.move_to(datetime.datetime(2025, 6, 2, 10, tzinfo=datetime.UTC), tick=False)


def job_for(user, content=GOOD, name="c.csv"):
    return import_job_create(
        actor=user, kind=ImportJob.Kind.CENTERS, file=SimpleUploadedFile(name, content)
    )


def test_a_job_runs_once_and_keeps_its_report(admin_user, tver_rc, settings):
    job = job_for(admin_user)
    stored = settings.MEDIA_ROOT / job.file.name
    assert job.state == State.QUEUED and stored.exists() and job.file_name == "c.csv"
    assert import_job_run(job_id=job.pk) == State.DONE
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.attempt) == (State.DONE, 2, 2, 1)
    assert job.outcome.created == 2 and job.outcome.ok
    assert not stored.exists()  # the rows are in the registry now
    assert import_job_run(job_id=job.pk) is None  # a second run finds it done
    assert Center.objects.filter(code__startswith="RU-TVE-02").count() == 2


def test_a_job_left_by_a_dead_worker_runs_again_from_the_start(admin_user, tver_rc):
    job = job_for(admin_user)
    ImportJob.objects.filter(pk=job.pk).update(state=State.APPLYING, attempt=1, done=2, total=2)
    assert import_job_run(job_id=job.pk) == State.DONE
    job.refresh_from_db()
    assert job.attempt == 2 and job.outcome.created == 2


@pytest.fixture
def progress_seen(monkeypatch):
    """The job's (state, done, total) as stored after each progress report of its import."""
    from libranet.imports import services

    seen = []
    real = services._progress

    def watching(job, attempt):
        report = real(job, attempt)

        def spy(done, total, label):
            report(done, total, label)
            seen.append(ImportJob.objects.values_list("state", "done", "total").get(pk=job.pk))

        return spy

    monkeypatch.setattr(services, "_progress", watching)
    return seen


def test_progress_is_written_while_the_rows_are_checked(admin_user, tver_rc, progress_seen):
    seen = progress_seen
    import_job_run(job_id=job_for(admin_user).pk)
    assert seen[0] == (State.VALIDATING, 1, 2) and seen[1] == (State.VALIDATING, 2, 2)
    assert (State.APPLYING, 0, 2) in seen


def test_an_unreadable_file_fails_with_its_reason_and_the_page_says_it(client, admin_user):
    job = job_for(admin_user, b"code,kind\nA,remote\n")
    assert import_job_run(job_id=job.pk) == State.FAILED
    client.force_login(admin_user)
    html = client.get(f"/en/office/imports/{job.pk}/").content.decode()
    assert "The import failed; nothing was written." in html
    assert "Missing required columns: name_ru, institution_ru" in html


def test_a_refused_file_lists_its_errors_in_the_uploaders_language(client, admin_user, tver_rc):
    with translation.override("ru"):
        job = job_for(admin_user, GOOD.replace(b"RU-TVE\n", b"RU-XX\n", 1))
    import_job_run(job_id=job.pk)
    client.force_login(admin_user)
    html = client.get(f"/ru/office/imports/{job.pk}/").content.decode()
    assert "RU-XX" in html and "Unknown region" not in html  # the message in Russian


def test_the_page_while_it_runs_refreshes_itself(client, admin_user):
    job = job_for(admin_user)
    ImportJob.objects.filter(pk=job.pk).update(state=State.VALIDATING, done=1, total=2)
    client.force_login(admin_user)
    html = client.get(f"/en/office/imports/{job.pk}/").content.decode()
    assert 'data-refresh="2"' in html and "1 of 2 rows checked" in html
    assert '<progress max="2" value="1"' in html


def test_only_the_uploader_sees_an_import(client, admin_user, network_user):
    job = job_for(admin_user)
    client.force_login(network_user)
    assert client.get(f"/en/office/imports/{job.pk}/").status_code == 404
    client.force_login(admin_user)
    assert client.get(f"/en/office/imports/{job.pk}/").status_code == 200
    assert client.get("/en/office/imports/999999/").status_code == 404


def test_an_import_whose_uploader_is_gone_fails(admin_user, make_staff):
    user = make_staff("leaving", "network_department")
    job = job_for(user)
    user.is_active = False
    user.save()
    assert import_job_run(job_id=job.pk) == State.FAILED
    job.refresh_from_db()
    assert "account" in job.reason


def test_a_report_that_cannot_be_read_back_still_gives_a_page(client, admin_user):
    job = job_for(admin_user)
    ImportJob.objects.filter(pk=job.pk).update(state=State.DONE, report={"from": "elsewhere"})
    client.force_login(admin_user)
    assert client.get(f"/en/office/imports/{job.pk}/").status_code == 200


def test_a_resources_job_counts_the_records_checked_then_written(admin_user, progress_seen):
    from libranet.resources.models import Resource

    seen = progress_seen
    content = b"identifier,title_ru,type,access_level\npl-1,A,book,open\npl-2,B,book,open\n"
    job = import_job_create(
        actor=admin_user, kind=ImportJob.Kind.RESOURCES, file=SimpleUploadedFile("r.csv", content)
    )
    assert import_job_run(job_id=job.pk) == State.DONE
    # Each record checked is counted on the job (a write of its own, outside the import's
    # transaction), then the records written.
    assert seen[0] == (State.VALIDATING, 1, 2) and seen[1] == (State.VALIDATING, 2, 2)
    assert (State.APPLYING, 2, 2) in seen
    assert Resource.objects.count() == 2
