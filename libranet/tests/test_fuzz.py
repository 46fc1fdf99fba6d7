"""Property-based fuzzing of the live application with schemathesis: the JSON API from its own
OpenAPI document (anonymously and with a staff token), and SUSHI from COUNTER's
COUNTER_API.json (with a customer's credentials). Every response must be no 5xx, of a status
the document lists for the operation, and match the schema it gives for that status.

Bounded: a fixed seed, a few examples per operation and a time budget per run (about a minute
and a half in all on two cores). ``LIBRANET_FUZZ_SEED``, ``LIBRANET_FUZZ_EXAMPLES`` and
``LIBRANET_FUZZ_SECONDS`` change them for a longer hunt; ``pytest -m fuzz`` runs only these.
"""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from libranet.accounts.services import api_token_create
from libranet.usage.credentials import sushi_credential_issue
from libranet.usage.tests.counter_support import SPEC_PATH, build_world

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
SEED = int(os.environ.get("LIBRANET_FUZZ_SEED", "20261207"))
EXAMPLES = int(os.environ.get("LIBRANET_FUZZ_EXAMPLES", "12"))
MAX_SECONDS = int(os.environ.get("LIBRANET_FUZZ_SECONDS", "30"))  # per run

# The API's checks: the status and the body as documented, and that what the document calls
# invalid is refused. Not positive_data_acceptance: valid-looking input may still break a rule
# of the registry (an unknown region code is a 422, as documented).
API_CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance,negative_data_rejection,"
    "unsupported_method"
)
# COUNTER asks a service to answer a filter value it does not know with a 200 and an exception
# in the report's header (3060), not to refuse it: no negative_data_rejection for SUSHI.
SUSHI_CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance"
)
# The paths of COUNTER_API.json that this service offers (the others answer 404 with
# Exception 3000, which the document cannot list: the hostile-input table checks them).
SUSHI_PATHS = "^/r51/(status|members|reports|reports/(pr|pr_p1|tr|tr_b1|ir))$"


@pytest.fixture(autouse=True)
def _loopback_only(settings):
    """Registering a partner catalog asks the address given: the fuzzer's addresses must stay
    on this machine."""
    settings.LIBRANET_HARVEST_HOSTS = ["127.0.0.1", "localhost", "[::1]", "::1"]


@pytest.fixture
def registry(make_center, admin_user):
    """Centers, resources and rolled-up usage of three months (the COUNTER tests' world), a
    staff API token and a SUSHI customer's credentials."""
    build_world(make_center)
    _credential, key = sushi_credential_issue(
        actor=None, name="ERM", requestor_id="erm.example.org", customer_id="RU-TVE-RC"
    )
    return {
        "token": api_token_create(user=admin_user, name="fuzz")[1],
        "sushi": {"customer_id": "RU-TVE-RC", "requestor_id": "erm.example.org", "api_key": key},
    }


def schemathesis(tmp_path: Path, location: str, *options: str, config: str = "") -> None:
    """Run ``schemathesis run`` against the live server; fail with its report if it found
    anything. Its files (config, caches) stay in ``tmp_path``."""
    config_file = tmp_path / "schemathesis.toml"
    config_file.write_text(config)
    tomllib.loads(config)  # a typo in the config is this test's error, not schemathesis'
    command = [
        str(SCHEMATHESIS),
        "--no-color",
        "--config-file",
        str(config_file),
        "run",
        location,
        "--seed",
        str(SEED),
        "--max-examples",
        str(EXAMPLES),
        "--max-time",
        str(MAX_SECONDS),
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--phases",
        "examples,coverage,fuzzing",
        "--request-timeout",
        "20",
        *options,
    ]
    result = subprocess.run(  # noqa: S603 (our own tool, our own arguments)
        command, cwd=tmp_path, capture_output=True, text=True, timeout=240, check=False
    )
    print(result.stdout)  # what was run and found: shown with -s, or below a failure
    assert result.returncode == 0, (
        f"schemathesis found failures (its report is above){result.stderr}"
    )


def test_api_anonymous(live_server, registry, tmp_path):
    schemathesis(tmp_path, f"{live_server.url}/api/v1/openapi.json", "--checks", API_CHECKS)


def test_api_with_a_staff_token(live_server, registry, tmp_path):
    schemathesis(
        tmp_path,
        f"{live_server.url}/api/v1/openapi.json",
        "--checks",
        API_CHECKS,
        "--header",
        f"Authorization: Bearer {registry['token']}",
    )


def test_sushi_with_a_customers_credentials(live_server, registry, tmp_path):
    credentials = "\n".join(f'{name} = "{value}"' for name, value in registry["sushi"].items())
    schemathesis(
        tmp_path,
        str(SPEC_PATH / "COUNTER_API.json"),
        "--url",
        f"{live_server.url}/sushi",
        "--checks",
        SUSHI_CHECKS,
        "--include-path-regex",
        SUSHI_PATHS,
        # A null character is refused before any view (400), which COUNTER's document cannot
        # list for /r51/status: the hostile-input table checks it.
        "--generation-allow-x00",
        "false",
        config=f"[parameters]\n{credentials}\n",
    )
