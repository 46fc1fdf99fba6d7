"""The demo collections: deterministic by seed, every type and level, small generated files
that are what they say they are, fast."""

import io
import random
import re
import wave
from collections import Counter

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image
from pypdf import PdfReader

from libranet.network.reference_data import read_csv
from libranet.resources.demo import SEED_ITEMS, SYNTHETIC_PER_COPY, _synthetic, seed_resources
from libranet.resources.demo.files import text_pdf, title_video
from libranet.resources.models import AccessLevel, Collection, Resource, ResourceFile
from libranet.resources.services import parse_date

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def catalogue() -> list[tuple]:
    return list(
        Resource.objects.order_by("identifier").values_list(
            "identifier", "title_ru", "type", "access_level", "date_text", "language"
        )
    )


def wipe() -> None:
    Resource.objects.all().delete()
    Collection.objects.filter(parent__isnull=False).delete()
    Collection.objects.all().delete()


def test_same_seed_same_resources():
    result = seed_resources(seed=7)
    first = catalogue()
    assert result.resources == len(first) > 300
    wipe()
    seed_resources(seed=7)
    again = catalogue()
    assert [row[0] for row in again] == [row[0] for row in first]
    assert again == first
    # Another seed, another catalogue (with the same identifiers).
    regions = read_csv("federal_subjects.csv")
    assert _synthetic(random.Random(8), regions) != _synthetic(random.Random(7), regions)


def test_every_type_level_the_seed_subjects_and_real_files():
    result = seed_resources()
    resources = Resource.objects.all()
    assert set(resources.values_list("type", flat=True)) == set(Resource.Type.values)
    assert set(resources.values_list("access_level", flat=True)) == set(AccessLevel.values)
    english = resources.exclude(title_en="").count()
    assert 0 < english < resources.count()
    for subject in ("Бортеневская битва", "Тарханы", "Тюмень", "Улан-Батор", "ЕСИА"):
        assert any(subject in r.subjects for r in resources), subject
    assert resources.filter(title_ru__contains="Пенза, 2020").exists()
    tree = dict(Collection.objects.values_list("code", "parent__code"))
    assert tree["presidents"] == "power" and tree["regions"] == "territory"
    assert all(r.collections.exists() for r in resources[:50])
    assert result.files == ResourceFile.objects.count() > 100
    # A second run leaves what is there.
    assert seed_resources().resources == 0
    # The files are small and are what they say they are.
    kinds = Counter(ResourceFile.objects.values_list("kind", flat=True))
    assert set(kinds) == {"pdf", "page", "audio", "video"}
    total = sum(ResourceFile.objects.values_list("size", flat=True))
    assert total < 20 * 1024 * 1024
    pdf = ResourceFile.objects.filter(kind="pdf").select_related("resource").first()
    with default_storage.open(pdf.file.name) as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    # Real text, which the search reads: the title, and sentences the record does not hold.
    assert pdf.extracted_text.startswith(pdf.resource.title_ru)
    assert len(pdf.extracted_text) > 200
    assert not ResourceFile.objects.filter(kind="pdf", extracted_text="").exists()
    videos = ResourceFile.objects.filter(kind="video")
    assert videos.count() == Resource.objects.filter(type="video").count()
    video = videos.first()
    assert video.content_type == "video/webm" and video.size < 100 * 1024
    with default_storage.open(video.file.name) as handle:
        head = handle.read(64)
    assert head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head  # EBML, doc type webm
    page = ResourceFile.objects.filter(kind="page").first()
    with default_storage.open(page.file.name) as handle, Image.open(handle) as image:
        assert image.format == "PNG"
    audio = ResourceFile.objects.filter(kind="audio").first()
    with default_storage.open(audio.file.name) as handle, wave.open(handle) as sound:
        assert sound.getnframes() > 0
    assert Resource.objects.exclude(thumbnail="").count() == Resource.objects.count()


def test_the_pdf_cross_reference_table_points_at_its_objects():
    data = text_pdf([["Bortenev (1317)", "Бортенево", "back\\slash"], ["Вторая страница"]])
    start = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert data[start:].startswith(b"xref\n0 10\n")  # the free entry and 9 objects
    entries = data[start:].split(b"\n")[3:12]
    for number, entry in enumerate(entries, start=1):
        offset = int(entry.split(b" ")[0])
        assert data[offset:].startswith(b"%d 0 obj" % number)
    # Plain ASCII: Cyrillic as octal escapes of Windows-1251, parentheses escaped.
    assert data.isascii()
    assert b"(\\301\\356\\360\\362\\345\\355\\345\\342\\356) Tj" in data
    assert b"(Bortenev \\(1317\\)) Tj" in data and b"back\\\\slash" in data


def test_the_pdf_text_reads_back_exactly():
    lines = ["Бортеневская битва 1317 года", "«Кавычки», №, ё и Ё — тире…"]
    reader = PdfReader(io.BytesIO(text_pdf([lines, ["The second page"]])))
    assert [page.extract_text().splitlines() for page in reader.pages] == [
        lines,
        ["The second page"],
    ]


def test_a_video_is_the_same_for_the_same_title_and_small():
    video = title_video("Выездное совещание", "pl-000012 · 2020-10-21", (30, 60, 90))
    assert video == title_video("Выездное совещание", "pl-000012 · 2020-10-21", (30, 60, 90))
    assert video != title_video("Другое название", "pl-000012 · 2020-10-21", (30, 60, 90))
    assert video.startswith(b"\x1a\x45\xdf\xa3") and len(video) < 100 * 1024


def test_scale_adds_metadata_only_copies():
    double = seed_resources(seed=3, scale=2)
    # The seed documents' items once, the synthetic ones twice; files for the first copy only.
    first_copy = len(SEED_ITEMS) + SYNTHETIC_PER_COPY
    assert double.resources == first_copy + SYNTHETIC_PER_COPY
    last_with_files = max(ResourceFile.objects.values_list("resource__identifier", flat=True))
    assert last_with_files <= f"pl-{first_copy:06d}"
    assert Resource.objects.filter(identifier=f"pl-{double.resources:06d}").exists()


def test_seed_demo_seeds_the_collections():
    out = io.StringIO()
    call_command("seed_demo", "--password", "demo-password-for-tests", stdout=out)
    assert "resources in 12 collections" in out.getvalue()
    assert Resource.objects.filter(identifier="pl-000001").exists()


@pytest.mark.parametrize("seed", [2018, 7, 1])
def test_types_dates_titles_and_descriptions_agree(seed):
    """No photograph before 1839, sound before 1877 or film before 1895; each synthetic record
    has its title and description in both languages, the description naming the title's topic
    or town and the date."""
    regions = read_csv("federal_subjects.csv")
    earliest = {Resource.Type.PHOTOGRAPH: 1839, Resource.Type.SOUND: 1877}
    earliest[Resource.Type.VIDEO] = 1895
    for item in _synthetic(random.Random(seed), regions):
        first, last = parse_date(item.date_text)
        assert first >= earliest.get(item.type, 1000) and last <= 2020, item
        assert item.title_en and item.description_ru and item.description_en, item
        named = [subject for subject in item.subjects if subject in item.title_ru]
        assert named and all(s.lower() in item.description_ru.lower() for s in named), item
        assert str(first) in item.description_ru and str(first) in item.description_en, item
        assert not re.search(r"[А-ЯЁа-яё]", item.title_en + item.description_en), item
