"""The storage setting, its start-up check and transfer_files, against a real SeaweedFS."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.core.management.base import CommandError

from libranet import storage
from libranet.probes import probing
from libranet.storage import check_storage, storages_from_url
from libranet.tests.s3 import keys, new_bucket, s3_storage, store_url, unreachable_storages  # noqa: F401
from libranet.tests.servers import S3_ACCESS_KEY, S3_SECRET_KEY, free_port

# --- the setting ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["", "file://", "file:///", "  "])
def test_the_local_folder_by_default(url):
    entries = storages_from_url(url)
    assert entries["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {},
    }
    assert entries["derivatives"]["BACKEND"] == "libranet.storage.DerivativeStorage"


def test_a_folder_of_its_own():
    entries = storages_from_url("file:///srv/libranet/media")
    assert entries["default"]["OPTIONS"] == {"location": "/srv/libranet/media"}


def test_an_s3_url_gives_both_aliases_private_with_short_timeouts():
    entries = storages_from_url(
        "s3://library/prod?endpoint=http://store:8333&region=ru-1", access_key="a", secret_key="b"
    )
    default = entries["default"]["OPTIONS"]
    assert entries["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (default["bucket_name"], default["location"]) == ("library", "prod")
    assert (default["endpoint_url"], default["region_name"]) == ("http://store:8333", "ru-1")
    assert (default["access_key"], default["secret_key"]) == ("a", "b")
    assert default["default_acl"] is None and default["file_overwrite"] is False
    config = default["client_config"]
    assert config.connect_timeout == storage.CONNECT_TIMEOUT
    assert config.retries["max_attempts"] == storage.ATTEMPTS
    assert config.s3 == {"addressing_style": "path"}
    derivatives = entries["derivatives"]["OPTIONS"]
    assert derivatives["location"] == "prod/iiif-cache" and derivatives["file_overwrite"] is True
    # Without credentials in the settings, boto3's own chain finds them.
    bare = storages_from_url("s3://library")["default"]["OPTIONS"]
    assert bare["access_key"] is None and bare["endpoint_url"] is None
    assert storages_from_url("s3://library")["derivatives"]["OPTIONS"]["location"] == "iiif-cache"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://host/media", "unknown scheme 'ftp'"),
        ("s3://", "no bucket"),
        ("s3:///prefix?endpoint=http://x", "no bucket"),
        ("s3://b?endpoint=store:8333", "is not an http:// or https:// address"),
        ("s3://b?endpoint=http://", "is not an http:// or https:// address"),
        ("s3://b?endpoint=http://store:port", "has a bad port"),
        ("s3://b?endpoint=http://x&bucket=c", "unknown parameter 'bucket'"),
        ("s3://b?addressing=dns", "addressing is path, virtual or auto"),
        ("file://host/media", "file:///absolute/path"),
    ],
)
def test_a_bad_url_names_the_setting(url, says):
    with pytest.raises(ImproperlyConfigured) as raised:
        storages_from_url(url)
    assert str(raised.value).startswith("LIBRANET_STORAGE_URL: ") and says in str(raised.value)


# --- manage.py check --------------------------------------------------------------------------


def errors_with(settings, entries):
    settings.STORAGES = {**settings.STORAGES, **entries}
    with probing():  # as in manage.py check
        return [(error.id, error.msg) for error in check_storage()]


def test_check_passes_with_a_reachable_bucket(s3_storage):  # noqa: F811
    with probing():
        assert check_storage() == []


def test_only_manage_py_check_asks_the_store(settings):
    """Other commands run the system checks too: a store down must not stop them."""
    settings.STORAGES = {**settings.STORAGES, **unreachable_storages(free_port())}
    assert check_storage() == []


def test_check_names_an_unreachable_endpoint(settings):
    port = free_port()  # closed: nothing listens there
    [(code, message)] = errors_with(settings, unreachable_storages(port))
    assert code == "libranet.E100"
    assert message.startswith("LIBRANET_STORAGE_URL: the object store at ")
    assert f"http://127.0.0.1:{port}" in message and "cannot be reached" in message


def test_check_names_a_missing_bucket(settings, s3_server):
    url = store_url(s3_server, "no-such-bucket-here")
    entries = storages_from_url(url, access_key=S3_ACCESS_KEY, secret_key=S3_SECRET_KEY)
    [(_, message)] = errors_with(settings, entries)
    assert message == (
        "LIBRANET_STORAGE_URL: the bucket 'no-such-bucket-here' does not exist at "
        f"{s3_server.extra['endpoint']}."
    )


def test_check_says_the_credentials_were_refused(settings, s3_server):
    bucket = new_bucket(s3_server)
    entries = storages_from_url(
        store_url(s3_server, bucket), access_key=S3_ACCESS_KEY, secret_key="wrong-secret"
    )
    [(_, message)] = errors_with(settings, entries)
    assert "refused the credentials for the bucket" in message
    assert "LIBRANET_STORAGE_ACCESS_KEY" in message and message.startswith("LIBRANET_STORAGE_URL")


def test_check_through_manage_py_fails_on_an_error(settings):
    settings.STORAGES = {**settings.STORAGES, **unreachable_storages(free_port())}
    with pytest.raises(CommandError) as raised:
        call_command("check")
    assert "LIBRANET_STORAGE_URL" in str(raised.value)


def test_check_wants_a_writable_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media" / "deeper"
    settings.STORAGES = {**settings.STORAGES, **storages_from_url("")}
    assert check_storage() == []  # made when the first file is stored
    # A file where the folder should be (a permission would not stop root, who runs CI).
    (tmp_path / "taken").write_text("")
    settings.MEDIA_ROOT = tmp_path / "taken" / "media"
    [(code, message)] = [(error.id, error.msg) for error in check_storage()]
    assert code == "libranet.E101"
    assert message == f"LIBRANET_STORAGE_URL: the folder {tmp_path}/taken/media cannot be written."


# --- transfer_files ---------------------------------------------------------------------------

FILES = {
    "resources/1/book.pdf": b"%PDF-1.4 " + bytes(range(256)) * 40,
    "resources/2/page 1.png": b"\x89PNG" + b"p" * 3000,
    "thumbnails/1.jpg": b"\xff\xd8" + b"j" * 500,
    "imports/a.csv": "identifier;title_ru\nпл-1;Книга\n".encode(),
}


def fill_folder(folder):
    local = FileSystemStorage(location=folder)
    for name, content in FILES.items():
        local.save(name, ContentFile(content))
    return local


def transfer(source, destination, *extra):
    from io import StringIO

    out = StringIO()
    call_command("transfer_files", "--from", source, "--to", destination, *extra, stdout=out)
    return out.getvalue()


def test_transfer_to_s3_and_back(s3_server, settings, tmp_path):
    settings.LIBRANET_STORAGE_ACCESS_KEY = S3_ACCESS_KEY
    settings.LIBRANET_STORAGE_SECRET_KEY = S3_SECRET_KEY
    fill_folder(tmp_path / "media")
    bucket = new_bucket(s3_server)
    s3_url = store_url(s3_server, bucket, "media")

    out = transfer(f"file://{tmp_path / 'media'}", s3_url)
    assert "[##############################] 4/4 files (100%)" in out
    assert out.rstrip().endswith("s.")
    assert "Files: 4 copied (" in out and "0 already there, 0 deleted from the source" in out
    assert keys(s3_server, bucket) == sorted(f"media/{name}" for name in FILES)
    remote = storage.storage_from_url(s3_url)
    assert all(storage.read_bytes(remote, name) == body for name, body in FILES.items())

    # Run again: nothing to copy.
    assert "Files: 0 copied (0 bytes), 4 already there" in transfer(
        f"file://{tmp_path / 'media'}", s3_url
    )

    # And back into an empty folder, deleting from the store once each copy is checked.
    out = transfer(s3_url, f"file://{tmp_path / 'back'}", "--delete-source")
    assert "Files: 4 copied (" in out and "4 deleted from the source" in out
    for name, body in FILES.items():
        assert (tmp_path / "back" / name).read_bytes() == body
    assert keys(s3_server, bucket) == []


def test_an_interrupted_transfer_continues(s3_server, settings, tmp_path):
    """A first run stopped after two files (one of them cut short at the destination): the
    next run copies the two missing files and the half one, and skips the whole one."""
    settings.LIBRANET_STORAGE_ACCESS_KEY = S3_ACCESS_KEY
    settings.LIBRANET_STORAGE_SECRET_KEY = S3_SECRET_KEY
    fill_folder(tmp_path / "media")
    bucket = new_bucket(s3_server)
    s3_url = store_url(s3_server, bucket)
    remote = storage.storage_from_url(s3_url)
    remote.save("imports/a.csv", ContentFile(FILES["imports/a.csv"]))  # whole
    remote.save("resources/1/book.pdf", ContentFile(FILES["resources/1/book.pdf"][:100]))  # cut

    out = transfer(f"file://{tmp_path / 'media'}", s3_url)
    assert "Files: 3 copied (" in out and "1 already there" in out
    assert all(storage.read_bytes(remote, name) == body for name, body in FILES.items())


def test_transfer_refuses_the_same_store_and_a_bad_url(tmp_path):
    with pytest.raises(CommandError, match="name the same store"):
        transfer(f"file://{tmp_path}", f"file://{tmp_path}/")
    with pytest.raises(CommandError, match="--from/--to: unknown scheme 'ftp'"):
        transfer("ftp://x", f"file://{tmp_path}")


def test_transfer_to_an_unreachable_store_says_so(settings, tmp_path):
    fill_folder(tmp_path / "media")
    port = free_port()
    url = f"s3://gone?endpoint=http://127.0.0.1:{port}"
    with pytest.raises(CommandError, match="A store cannot be reached or refused us"):
        transfer(f"file://{tmp_path / 'media'}", url)


def test_the_setting_reaches_manage_py_check_from_the_environment(s3_server, tmp_path):
    """As an operator sets it: the environment, settings.py, the check, the exit status."""
    bucket = new_bucket(s3_server)
    env = {
        **os.environ,
        "LIBRANET_DATA_DIR": str(tmp_path),
        "LIBRANET_STORAGE_ACCESS_KEY": S3_ACCESS_KEY,
        "LIBRANET_STORAGE_SECRET_KEY": S3_SECRET_KEY,
    }
    env.pop("DATABASE_URL", None)

    def check(url):
        return subprocess.run(
            [sys.executable, "manage.py", "check"],
            env={**env, "LIBRANET_STORAGE_URL": url},
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert check(store_url(s3_server, bucket)).returncode == 0
    missing = check(store_url(s3_server, "no-such-bucket-here"))
    assert missing.returncode == 1
    assert "LIBRANET_STORAGE_URL: the bucket 'no-such-bucket-here' does not exist" in missing.stderr
    bad = check("ftp://example.org/media")
    assert bad.returncode == 1
    assert "LIBRANET_STORAGE_URL: unknown scheme 'ftp'" in bad.stderr
