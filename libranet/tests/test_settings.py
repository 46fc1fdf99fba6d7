"""The set-up contract: no secret in the code, a key generated on first run, production checks."""

import os
import subprocess
import sys
from pathlib import Path

from libranet.tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess:
    """Python in a fresh process, with only the given Libranet settings in its environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LIBRANET_", "DATABASE"))}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "LIBRANET_DATA_DIR": str(data_dir), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def setting(name: str, *, data_dir: Path, **env: str) -> str:
    result = run("-c", f"import libranet.settings as s; print(s.{name})", data_dir=data_dir, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_secret_key_is_generated_once_into_the_data_folder(tmp_path):
    key = setting("SECRET_KEY", data_dir=tmp_path)
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == key and len(key) >= 50
    assert oct(key_file.stat().st_mode)[-3:] == "600"
    assert setting("SECRET_KEY", data_dir=tmp_path) == key
    assert setting("SECRET_KEY", data_dir=tmp_path, LIBRANET_SECRET_KEY="k" * 60) == "k" * 60
    assert setting("DEBUG", data_dir=tmp_path) == "False"  # off unless asked for


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    result = run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        data_dir=tmp_path,
        LIBRANET_PRODUCTION="1",
        LIBRANET_ALLOWED_HOSTS="network.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_esia_certificate_hash_follows_the_signer_unless_set(tmp_path):
    assert setting("LIBRANET_ESIA_CERT_HASH", data_dir=tmp_path) == "gost"
    rsa = {"LIBRANET_ESIA_SIGNER": "rsa"}
    assert setting("LIBRANET_ESIA_CERT_HASH", data_dir=tmp_path, **rsa) == "sha256"
    chosen = {"LIBRANET_ESIA_SIGNER": "openssl", "LIBRANET_ESIA_CERT_HASH": "sha256"}
    assert setting("LIBRANET_ESIA_CERT_HASH", data_dir=tmp_path, **chosen) == "sha256"


ESIA = {"LIBRANET_ESIA_BASE_URL": "http://127.0.0.1:8001", "LIBRANET_ESIA_CLIENT_ID": "DEMO"}


def test_a_certificate_hash_that_cannot_work_stops_the_start(tmp_path):
    """The application (system check) and the local provider (its command) both refuse to
    start with a GOST hash on a machine without the GOST engine, saying what to do."""
    no_openssl = tmp_path / "bin"  # a PATH without openssl: no GOST engine either
    no_openssl.mkdir()
    missing = {"PATH": str(no_openssl), "LIBRANET_ESIA_CERT_HASH": "gost"}
    check = run("manage.py", "check", data_dir=tmp_path, **ESIA, **missing)
    assert check.returncode != 0
    assert "libranet.E001" in check.stderr and "GOST engine is not installed" in check.stderr
    # Without ESIA configured, an installation need not have the engine.
    assert run("manage.py", "check", data_dir=tmp_path, **missing).returncode == 0

    keys = run("manage.py", "esia_dev_keys", data_dir=tmp_path)
    assert keys.returncode == 0, keys.stderr
    provider = run("manage.py", "esia_dev_provider", "--port", "0", data_dir=tmp_path, **missing)
    assert provider.returncode != 0
    assert "The local ESIA provider cannot start" in provider.stderr
    assert "LIBRANET_ESIA_CERT_HASH is gost" in provider.stderr


def test_check_names_a_certificate_hash_that_does_not_fit(tmp_path):
    wrong = run("manage.py", "check", data_dir=tmp_path, LIBRANET_ESIA_CERT_HASH="md5")
    assert wrong.returncode != 0 and "it must be gost or sha256" in wrong.stderr
    cryptopro = {"LIBRANET_ESIA_SIGNER": "cryptopro", "LIBRANET_ESIA_CERT_HASH": "sha256"}
    mismatch = run("manage.py", "check", data_dir=tmp_path, **ESIA, **cryptopro)
    assert mismatch.returncode != 0 and "CryptoPro names the certificate" in mismatch.stderr


def test_a_redis_cache_url_gives_django_redis_that_never_fails_a_page(tmp_path):
    url = "redis://:secret@127.0.0.1:6390/2"
    caches = setting("CACHES", data_dir=tmp_path, LIBRANET_CACHE_URL=url)
    assert "'BACKEND': 'django_redis.cache.RedisCache'" in caches
    assert "'SOCKET_CONNECT_TIMEOUT': 0.5, 'SOCKET_TIMEOUT': 0.5" in caches
    assert "'IGNORE_EXCEPTIONS': True" in caches
    assert "'CONNECTION_POOL_CLASS': 'libranet.rediscache.PausingConnectionPool'" in caches
    tls = setting("CACHES", data_dir=tmp_path, LIBRANET_CACHE_URL="rediss://cache:6380/0")
    assert "django_redis.cache.RedisCache" in tls and "'LOCATION': 'rediss://cache:6380/0'" in tls
    longer = "redis://127.0.0.1:6390/0?socket_timeout=2"
    assert "'SOCKET_TIMEOUT': 2" in setting("CACHES", data_dir=tmp_path, LIBRANET_CACHE_URL=longer)


def test_check_warns_of_a_redis_cache_that_does_not_answer(tmp_path):
    """A Warning, not an Error: the site starts and serves its pages from the database. The
    message names the setting and the address, never the password."""
    port = free_port()  # nothing listens there
    url = f"redis://:secret@127.0.0.1:{port}/0"
    result = run("manage.py", "check", data_dir=tmp_path, LIBRANET_CACHE_URL=url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(libranet.W101) LIBRANET_CACHE_URL: the cache at " in result.stderr
    assert f"redis://:***@127.0.0.1:{port}/0 does not answer" in result.stderr
    assert "secret" not in result.stdout + result.stderr
    failing = run(
        "manage.py", "check", "--fail-level", "WARNING", data_dir=tmp_path, LIBRANET_CACHE_URL=url
    )
    assert failing.returncode == 1
    # Other commands run the system checks without asking the servers (libranet.probes).
    other = run("manage.py", "ingest_usage", data_dir=tmp_path, LIBRANET_CACHE_URL=url)
    assert other.returncode == 0 and "W101" not in other.stdout + other.stderr
