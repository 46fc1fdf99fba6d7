"""The demo news: the seed documents' articles on the site and in the feeds in both languages,
synthetic ones in every state."""

import feedparser

from libranet.events.demo import seed_events
from libranet.network.demo import seed_accounts, seed_network
from libranet.news.demo import seed_news
from libranet.news.models import Article, ArticleState


def test_demo_news_in_both_languages_and_feeds(client, db, now, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed_network(seed=2018, scale=1)
    seed_accounts(password="demo-password-for-tests-1")
    seed_events(seed=2018)
    seed_news(seed=2018)
    states = set(Article.objects.values_list("state", flat=True))
    assert states == {ArticleState.DRAFT, ArticleState.REVIEW, ArticleState.PUBLISHED}
    assert Article.objects.exclude(cover="").exists()
    tver = Article.objects.get(slug="tver-bortenev-700")
    assert tver.published_at.year == 2018 and tver.centers.get().code == "RU-TVE-RC"
    assert tver.events.get().starts_at.date().isoformat() == "2018-02-15"  # the award ceremony
    assert Article.objects.get(slug="ulan-bator-meeting-2018").centers.exists()
    assert "Бортеневской" in client.get("/ru/news/tver-bortenev-700/").content.decode()
    assert "Battle of Bortenev" in client.get("/en/news/tver-bortenev-700/").content.decode()
    ru = feedparser.parse(client.get("/ru/news/feed.rss").content)
    en = feedparser.parse(client.get("/en/news/feed.atom?section=foreign").content)
    assert any("Бортеневской" in e.title for e in ru.entries)
    assert any("Mongolia" in e.title for e in en.entries)
    assert client.get("/ru/news/?year=2023").status_code == 200
