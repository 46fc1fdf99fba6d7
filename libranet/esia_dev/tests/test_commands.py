"""manage.py esia_dev_keys and esia_dev_provider."""

import io

import pytest
from django.core.management import CommandError, call_command

from libranet.accounts.esia.signing import gost_available, key_algorithm


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_keys_are_written_once_and_the_client_registered(tmp_path):
    out = run("esia_dev_keys", "--dir", str(tmp_path))
    assert "provider.crt" in out and "LIBRANET-DEMO.crt" in out
    for name in (
        "provider.key",
        "provider.crt",
        "client.key",
        "client.crt",
        "clients/LIBRANET-DEMO.crt",
    ):
        assert (tmp_path / name).exists()
    assert (tmp_path / "client.key").stat().st_mode & 0o777 == 0o600
    assert key_algorithm((tmp_path / "client.crt").read_bytes()) == "RS256"
    before = (tmp_path / "client.key").read_bytes()
    assert run("esia_dev_keys", "--dir", str(tmp_path)) == ""  # nothing to do
    assert (tmp_path / "client.key").read_bytes() == before
    run("esia_dev_keys", "--dir", str(tmp_path), "--force")
    assert (tmp_path / "client.key").read_bytes() != before


@pytest.mark.skipif(not gost_available(), reason="the openssl GOST engine is not installed")
def test_gost_keys_replace_rsa_ones(tmp_path):
    run("esia_dev_keys", "--dir", str(tmp_path))
    run("esia_dev_keys", "--dir", str(tmp_path), "--gost")
    for name in ("provider.crt", "client.crt", "clients/LIBRANET-DEMO.crt"):
        assert key_algorithm((tmp_path / name).read_bytes()) == "GOST3410_2012_256"


def test_the_provider_needs_its_keys(tmp_path):
    with pytest.raises(CommandError, match="esia_dev_keys"):
        run("esia_dev_provider", "--dir", str(tmp_path), "--port", "0")
