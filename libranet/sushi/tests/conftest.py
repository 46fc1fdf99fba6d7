"""The SUSHI face's tests: the network and roll-ups of the report tests, a clock in April
2024 (March the last month that can be processed), and credentials to ask with."""

import datetime as dt

import pytest

from libranet.usage.credentials import sushi_credential_issue
from libranet.usage.tests.counter_support import build_world


@pytest.fixture
def world(make_center):
    return build_world(make_center)


@pytest.fixture
def april(time_machine):
    time_machine.move_to(dt.datetime(2024, 4, 15, 12, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def credential(db):
    """Issue a credential for a customer_id; returns the request parameters that use it."""

    def issue(customer_id, requestor_id="erm.example.org"):
        _credential, key = sushi_credential_issue(
            actor=None, name="ERM", requestor_id=requestor_id, customer_id=customer_id
        )
        return {"customer_id": customer_id, "requestor_id": requestor_id, "api_key": key}

    return issue
