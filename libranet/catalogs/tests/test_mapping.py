"""Harvested records in the common fields, against records shaped like real ones: a Library of
Congress MARC 21 record, a National Library of Russia RUSMARC record, a DSpace Dublin Core
record; every mapped field asserted."""

from pathlib import Path

import pytest
from lxml import etree

from libranet.catalogs import works
from libranet.catalogs.mapping import MappingError, language_code, map_record

SAMPLES = Path(__file__).parent / "samples"
OAI = "{http://www.openarchives.org/OAI/2.0/}"


def metadata(name: str):
    return etree.parse(str(SAMPLES / name)).getroot().find(f"{OAI}metadata")


def test_library_of_congress_marc21():
    fields = map_record(metadata("loc_marc21.xml"), "marc21")
    assert fields == {
        "title": "Anna Karenina: a novel in eight parts",
        "creators": ["Tolstoy, Leo", "Pevear, Richard", "Volokhonsky, Larissa"],
        "date_text": "2004",
        "year": 2004,
        "type": "book",
        "subjects": ["Karenina, Anna (Fictitious character)", "Married women", "Russia"],
        "language": "en",
        "isbns": ["9780143035008"],  # the ISBN-10 and the ISBN-13 of one book: once
        "identifiers": ["LCCN 2004558290", "(OCoLC)54758207"],
        "publisher": "Penguin Books",
        "work_key": "isbn:9780143035008",
        "title_key": works.title_key(title=fields["title"], creators=fields["creators"], year=2004),
    }


def test_national_library_of_russia_rusmarc():
    fields = map_record(metadata("nlr_rusmarc.xml"), "rusmarc")
    assert fields == {
        "title": "Война и мир : роман : в 4 т.",
        "creators": ["Толстой, Л. Н.", "Бочаров, Сергей Георгиевич"],
        "date_text": "2014",
        "year": 2014,
        "type": "book",
        "subjects": ["Художественная литература", "Отечественная война 1812 г."],
        "language": "ru",
        "isbns": ["9785389062566"],
        "identifiers": [],
        "publisher": "Азбука",
        "work_key": "isbn:9785389062566",
        "title_key": works.title_key(title=fields["title"], creators=fields["creators"], year=2014),
    }


def test_dspace_dublin_core():
    fields = map_record(metadata("dspace_dc.xml"), "oai_dc")
    assert fields == {
        "title": "Енисейская Сибирь в XVII веке",
        "creators": ["Ремнёв, Анатолий Викторович", "Smith, John"],
        "date_text": "2018",  # not the repository's accession timestamps
        "year": 2018,
        "type": "book",
        "subjects": ["Сибирь", "история", "Siberia -- History -- 17th century"],
        "language": "ru",
        "isbns": ["9785170905003"],
        "identifiers": [
            "Ремнёв А. В. Енисейская Сибирь в XVII веке. Красноярск : СФУ, 2018. 240 с.",
            "http://elib.sfu-kras.ru/handle/2311/4321",
        ],
        "publisher": "Сибирский федеральный университет",
        "work_key": "isbn:9785170905003",
        "title_key": works.title_key(title=fields["title"], creators=fields["creators"], year=2018),
    }


def test_a_record_without_isbn_is_keyed_by_title_creator_and_year():
    element = metadata("nlr_rusmarc.xml")
    for field in element.iter("{http://www.loc.gov/MARC21/slim}datafield"):
        if field.get("tag") == "010":
            field.getparent().remove(field)
    fields = map_record(element, "rusmarc")
    assert fields["isbns"] == []
    assert fields["work_key"] == works.work_key(
        title="Война и мир : роман : в 4 т.", creators=["Толстой, Л. Н."], year=2014, isbns=[]
    )
    assert fields["work_key"].startswith("work:")
    assert fields["title_key"] == fields["work_key"]  # the ISBN key's record keeps it beside


@pytest.mark.parametrize(
    ("leader", "expected"),
    [
        ("01478cas a2200385 a 4500", "periodical"),
        ("01478cem a2200385 a 4500", "map"),
        ("01478ckm a2200385 a 4500", "photograph"),
        ("01478cjm a2200385 a 4500", "sound"),
        ("01478ctm a2200385 a 4500", "manuscript"),
    ],
)
def test_marc21_type_from_the_leader(leader, expected):
    element = metadata("loc_marc21.xml")
    element.find(".//{http://www.loc.gov/MARC21/slim}leader").text = leader
    assert map_record(element, "marc21")["type"] == expected


def test_a_record_with_no_title_is_refused_with_that_reason():
    element = metadata("dspace_dc.xml")
    for title in element.iter("{http://purl.org/dc/elements/1.1/}title"):
        title.text = " "
    with pytest.raises(MappingError, match="no title"):
        map_record(element, "oai_dc")


def test_metadata_missing_or_unknown_format():
    with pytest.raises(MappingError, match="no metadata"):
        map_record(None, "oai_dc")
    with pytest.raises(MappingError, match="Unknown record format"):
        map_record(metadata("dspace_dc.xml"), "mods")


@pytest.mark.parametrize(
    ("value", "code"),
    [("rus", "ru"), ("ru", "ru"), ("ger", "de"), ("Russian", "ru"), ("chu", "cu"), ("xx1", "")],
)
def test_language_codes(value, code):
    assert language_code(value) == code
