"""Registry pages cached in Redis shared by several servers: a page one server cached is
served by the others, and none of them serves it once the registry has changed."""

import pytest
import redis

from libranet.network.models import Center
from libranet.network.services import center_update

pytestmark = pytest.mark.django_db
DIRECTORY = "/en/centers/"


def test_a_page_cached_by_one_server_is_stale_on_none_after_an_edit(
    client, tver_rc, network_user, cache_server, redis_server
):
    with cache_server():  # server A builds the page and caches it
        assert "Regional center in Tver Region" in client.get(DIRECTORY).text
    with redis.Redis.from_url(redis_server.extra["url"]) as shared:
        assert shared.keys("*libranet:page:*")

    # A change behind the services' back (no new registry version) shows that server B
    # serves A's page from the shared cache rather than building its own.
    Center.objects.filter(pk=tver_rc.pk).update(name_en="Renamed behind the cache")
    with cache_server():
        assert "Regional center in Tver Region" in client.get(DIRECTORY).text

    with cache_server():  # an edit through server A's services: a new registry version
        center_update(actor=network_user, center=tver_rc, name_en="Tver's regional center")
    with cache_server():  # server B no longer serves the old page
        text = client.get(DIRECTORY).text
        assert "Tver&#x27;s regional center" in text and "Regional center in" not in text
