"""/sitemap.xml: an index of sections, each valid against (a minimal form of) the sitemap
schema, every address absolute, in both languages with its hreflang alternates."""

import pytest
from django.contrib.sitemaps import Sitemap
from lxml import etree

from libranet.meetings.models import Meeting
from libranet.meetings.services import meeting_save
from libranet.public.sitemaps import SITEMAPS, ResourcesSitemap
from libranet.public.tests.resources_data import make_resource
from libranet.videos.services import decide_video, publish_video

from .conftest import RUTUBE

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
# The sitemap protocol's schemas, cut to what Libranet writes; other namespaces (xhtml:link)
# are allowed where the official schema allows them.
URLSET_XSD = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
  targetNamespace="{NS}" xmlns="{NS}" elementFormDefault="qualified">
  <xs:element name="urlset"><xs:complexType><xs:sequence>
    <xs:element name="url" maxOccurs="50000"><xs:complexType><xs:sequence>
      <xs:element name="loc" type="xs:anyURI"/>
      <xs:element name="lastmod" type="xs:string" minOccurs="0"/>
      <xs:element name="changefreq" type="xs:string" minOccurs="0"/>
      <xs:element name="priority" type="xs:decimal" minOccurs="0"/>
      <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="sitemapindex"><xs:complexType><xs:sequence>
    <xs:element name="sitemap" maxOccurs="50000"><xs:complexType><xs:sequence>
      <xs:element name="loc" type="xs:anyURI"/>
      <xs:element name="lastmod" type="xs:string" minOccurs="0"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>"""
SCHEMA = etree.XMLSchema(etree.fromstring(URLSET_XSD.encode()))


def _parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    document = etree.fromstring(response.content)
    SCHEMA.assertValid(document)
    return document


@pytest.fixture
def site(tver_rc, penza_rc, make_video, network_user):
    make_resource("pl:test/1")
    make_resource("pl:test/staff", access_level="staff")
    meeting = meeting_save(
        actor=None,
        number="XI",
        slug="2020-penza",
        title_ru="Совещание",
        starts_on="2020-10-21",
        ends_on="2020-10-22",
        city_ru="Пенза",
    )
    Meeting.objects.filter(pk=meeting.pk).update(published=True)
    video = decide_video(actor=network_user, video=make_video(), accept=True)
    publish_video(actor=network_user, video=video, published_url=RUTUBE)


def test_sitemap_index_and_sections(client, site):
    index = _parse(client.get("/sitemap.xml"))
    assert index.tag == f"{{{NS}}}sitemapindex"
    sections = [loc.text for loc in index.iter(f"{{{NS}}}loc")]
    assert sections == [f"http://testserver/sitemap-{name}.xml" for name in SITEMAPS]
    locations = {}
    for section in sections:
        document = _parse(client.get(section.removeprefix("http://testserver")))
        for url in document.iter(f"{{{NS}}}url"):
            loc = url.findtext(f"{{{NS}}}loc")
            assert loc.startswith("http://testserver/")
            alternates = {
                link.get("hreflang"): link.get("href") for link in url.iter(f"{{{XHTML}}}link")
            }
            assert set(alternates) == {"ru", "en"} and loc in alternates.values()
            locations[loc] = url.findtext(f"{{{NS}}}lastmod")
    expected = [
        "/ru/",
        "/en/",
        "/ru/centers/",
        "/en/centers/RU-TVE-RC/",
        "/ru/centers/RU-PNZ-RC/",
        "/en/resources/pl:test/1/",
        "/ru/meetings/",
        "/en/meetings/2020-penza/",
        "/ru/video/",
        "/en/video/",
        "/ru/news/",
        "/en/events/",
    ]
    for path in expected:
        assert f"http://testserver{path}" in locations, path
    assert not any("pl:test/staff" in loc for loc in locations)
    assert locations["http://testserver/en/centers/RU-TVE-RC/"]
    assert locations["http://testserver/ru/video/"]


def test_a_section_splits_at_the_limit(client, site, monkeypatch):
    monkeypatch.setattr(ResourcesSitemap, "limit", 1)
    make_resource("pl:test/2")
    index = _parse(client.get("/sitemap.xml"))
    pages = [loc.text for loc in index.iter(f"{{{NS}}}loc") if "resources" in loc.text]
    assert len(pages) == 4  # two resources in two languages
    assert Sitemap.limit == 50_000
