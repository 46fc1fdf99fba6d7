"""The object store in tests: ``s3_storage`` points ``STORAGES`` at a new bucket of the
session's SeaweedFS (``s3_server``), as ``LIBRANET_STORAGE_URL=s3://…`` would; modules that need
it import the fixture."""

import uuid

import pytest

from libranet.storage import storages_from_url
from libranet.tests.servers import s3_client


def store_url(server, bucket: str, prefix: str = "") -> str:
    path = f"/{prefix}" if prefix else ""
    return f"s3://{bucket}{path}?endpoint={server.extra['endpoint']}&region=us-east-1"


def new_bucket(server) -> str:
    bucket = f"t-{uuid.uuid4().hex[:24]}"
    s3_client(server).create_bucket(Bucket=bucket)
    return bucket


def keys(server, bucket: str) -> list[str]:
    listed = s3_client(server).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listed.get("Contents", []))


@pytest.fixture
def s3_storage(s3_server, settings):
    """STORAGES on a bucket of its own (``media`` prefix); the settings fixture's change tells
    Django to build its storages again, and again when the test ends."""
    bucket = new_bucket(s3_server)
    settings.LIBRANET_STORAGE_ACCESS_KEY = s3_server.extra["access_key"]
    settings.LIBRANET_STORAGE_SECRET_KEY = s3_server.extra["secret_key"]
    settings.STORAGES = {
        **settings.STORAGES,
        **storages_from_url(
            store_url(s3_server, bucket, "media"),
            access_key=s3_server.extra["access_key"],
            secret_key=s3_server.extra["secret_key"],
        ),
    }
    return bucket


def unreachable_storages(port: int) -> dict:
    """STORAGES entries for a store on a closed port (nothing listens there)."""
    return storages_from_url(
        f"s3://gone?endpoint=http://127.0.0.1:{port}&region=us-east-1",
        access_key="x",
        secret_key="y",
    )
