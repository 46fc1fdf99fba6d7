"""The set-up contract: no secret in the code, a key generated on first run, production checks."""

import os
import subprocess
import sys
from pathlib import Path

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
