"""The RSS and Atom feeds read by an independent parser (feedparser), in both languages."""

import feedparser
import pytest

from libranet.news.models import Section


@pytest.fixture
def news(make_article, ulan_bator, penza_rc):
    make_article(slug="bortenev")
    make_article(
        title_ru="Встреча в Улан-Баторе",
        title_en="A meeting in Ulan Bator",
        section=Section.FOREIGN,
        centers=[ulan_bator],
    )
    make_article(title_ru="Только по-русски", title_en="", centers=[penza_rc])
    make_article(publish=False, title_ru="Черновик", title_en="Draft")


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feeds_in_russian_and_english(client, news, kind):
    ru = feedparser.parse(client.get(f"/ru/news/feed.{kind}").content)
    assert not ru.bozo, ru.bozo_exception
    titles = {e.title for e in ru.entries}
    assert titles == {
        "Конкурс к 700-летию Бортеневской битвы",
        "Встреча в Улан-Баторе",
        "Только по-русски",
    }
    assert ru.feed.get("language", "ru").startswith("ru")
    en = feedparser.parse(client.get(f"/en/news/feed.{kind}").content)
    assert not en.bozo
    assert {e.title for e in en.entries} == {
        "A contest for the 700th anniversary of the Battle of Bortenev",
        "A meeting in Ulan Bator",
    }
    entry = next(e for e in en.entries if "Bortenev" in e.title)
    assert entry.link.endswith("/en/news/bortenev/")
    assert entry.published_parsed is not None


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feeds_by_section_and_region(client, news, kind):
    foreign = feedparser.parse(client.get(f"/en/news/feed.{kind}?section=foreign").content)
    assert [e.title for e in foreign.entries] == ["A meeting in Ulan Bator"]
    tver = feedparser.parse(client.get(f"/ru/news/feed.{kind}?region=RU-TVE").content)
    assert [e.title for e in tver.entries] == ["Конкурс к 700-летию Бортеневской битвы"]
    assert "Тверская" in tver.feed.title
