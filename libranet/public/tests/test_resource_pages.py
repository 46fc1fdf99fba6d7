"""A resource's record and reader in both languages: the description for everyone, the files for
whoever the access rule lets read them here, and for the others why not and where instead."""

import pytest
from django.utils import timezone

from libranet.network.models import Center, Region
from libranet.network.places import WORKSTATION_COOKIE, workstation_register
from libranet.public.resource_views import NEAREST_LIMIT, haversine_km, where_to_read
from libranet.resources.models import Collection, ResourceFile

from .resources_data import (
    CENTER_ADDRESS,
    OUTSIDE_ADDRESS,
    add_file,
    confirm_reader,
    make_resource,
    media,  # noqa: F401 (a fixture)
    png,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

ON_SITE_MESSAGE = "Copyright keeps this resource on the premises"


@pytest.fixture
def book(tver_rc):
    power = Collection.objects.create(code="power", name_ru="Власть", name_en="Power")
    presidents = Collection.objects.create(
        code="presidents", parent=power, name_ru="Президенты", name_en="Presidents"
    )
    resource = make_resource(
        "pl:books/1703.2",
        access_level="on_site",
        title_ru="Арифметика Магницкого",
        title_en="",  # no English title: the Russian one shows on the English page
        creators=["Магницкий, Леонтий Филиппович"],
        date_text="1703",
        year_from=1703,
        year_to=1703,
        subjects=["математика"],
        language="ru",
        description_ru="Первый русский учебник математики.",
        description_en="The first Russian textbook of mathematics.",
        rights="Общественное достояние",
    )
    resource.collections.add(presidents)
    add_file(resource, label="Том 1")
    add_file(resource, kind=ResourceFile.Kind.PAGE, name="p1.png", content=png(), position=1)
    add_file(resource, kind=ResourceFile.Kind.PAGE, name="p2.png", content=png(), position=2)
    return resource


def page(client, resource, lang="en", suffix="", address=OUTSIDE_ADDRESS, **params):
    return client.get(
        f"/{lang}/resources/{resource.identifier}/{suffix}", params, REMOTE_ADDR=address
    )


# --- the record ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_record_in_both_languages(client, book, lang):
    response = page(client, book, lang)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert "Арифметика Магницкого" in html  # the Russian title, also where English is missing
    assert "Магницкий, Леонтий Филиппович" in html and "математика" in html
    assert "1703" in html and "pl:books/1703.2" in html
    assert "Общественное достояние" in html
    assert ("Власть › Президенты" if lang == "ru" else "Power › Presidents") in html
    assert ("Первый русский учебник" if lang == "ru" else "The first Russian textbook") in html
    assert ("Russian" if lang == "en" else "русский").lower() in html.lower()


def test_record_is_private_to_its_reader(client, book):
    response = page(client, book)
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_outside_the_on_site_files_are_refused_with_where_to_read(client, book, tver_rc):
    html = page(client, book).content.decode()
    assert ON_SITE_MESSAGE in html
    assert "/files/" not in html  # no file links for a refused reader
    assert 'id="where"' in html
    assert "Regional center in Tver Region" in html  # by default: each region's regional center
    assert 'href="/en/centers/RU-TVE-RC/"' in html


def test_the_same_page_from_a_centers_address_opens_the_files(client, book):
    outside = page(client, book).content.decode()
    inside = page(client, book, address=CENTER_ADDRESS).content.decode()
    assert ON_SITE_MESSAGE in outside
    # No anonymous page cache: the same URL, anonymous, decides again for the new place.
    assert ON_SITE_MESSAGE not in inside and "You may read it here." in inside
    assert f'href="/en/resources/{book.identifier}/read/"' in inside
    assert "Page images</span>, 2 pages" in inside
    pdf = book.files.get(kind="pdf")
    assert f'href="/files/{pdf.pk}/book.pdf"' in inside


def test_a_registered_workstation_opens_the_files(client, book, tver_rc, operator_user):
    _ws, cookie = workstation_register(actor=operator_user, center=tver_rc, name="зал")
    client.cookies[WORKSTATION_COOKIE] = cookie
    assert "You may read it here." in page(client, book).content.decode()


def test_spoofed_forwarded_for_is_still_outside(client, book):
    response = client.get(
        f"/en/resources/{book.identifier}/",
        REMOTE_ADDR=OUTSIDE_ADDRESS,
        HTTP_X_FORWARDED_FOR=CENTER_ADDRESS,
    )
    assert ON_SITE_MESSAGE in response.content.decode()


def test_readers_level_offers_gosuslugi_sign_in(client, tver_rc, make_staff):
    resource = make_resource("pl:readers/1", access_level="readers")
    add_file(resource)
    html = page(client, resource).content.decode()
    assert 'class="button esia-sign-in" href="/accounts/esia/login/?next=' in html
    assert "esia/login/?next=/en/resources/pl%3Areaders/1/" in html
    client.force_login(confirm_reader(make_staff("anna")))
    html = page(client, resource).content.decode()
    assert "You may read it here." in html and "esia-sign-in" not in html.split("<main")[1]


def test_centers_of_a_chosen_region_and_nearest_first(client, book, tver_rc, make_center):
    near = make_center(name_en="Near center", latitude="56.86", longitude="35.90")
    far = make_center(name_en="Far center", latitude="57.80", longitude="36.50")
    make_center(name_en="Closed center", status=Center.Status.CLOSED)
    html = page(client, book, region="RU-TVE").content.decode()
    assert "Open centers in Tver Region" in html
    assert "Near center" in html and "Far center" in html and "Closed center" not in html
    html = page(client, book, lat="56.85", lon="35.91").content.decode()
    assert "The nearest open centers" in html
    assert html.index("Near center") < html.index("Far center")
    assert " km" in html
    assert near and far


def test_nearest_centers_are_at_most_ten_sorted_by_distance(tver_rc, make_center):
    for step in range(NEAREST_LIMIT + 3):
        make_center(latitude=f"{50 + step}", longitude="30")
    where = where_to_read({"lat": "49.9", "lon": "30"})
    distances = [n.distance_km for n in where.centers]
    assert len(distances) == NEAREST_LIMIT
    assert distances == sorted(distances) and distances[0] < 20


def test_bad_location_and_region_are_ignored(client, book):
    response = page(client, book, lat="north", lon="1e999", region="<script>")
    assert response.status_code == 200
    assert "Regional centers" in response.content.decode()
    where = where_to_read({"lat": "91", "lon": "10"})
    assert where.location is None


def test_haversine():
    moscow, petersburg = (55.7558, 37.6173), (59.9343, 30.3351)
    assert 630 < haversine_km(moscow, petersburg) < 640
    assert haversine_km(moscow, moscow) == 0


def test_region_selector_lists_regions(client, book):
    html = page(client, book, "ru").content.decode()
    tver = Region.objects.get(code="RU-TVE")
    assert f'<option value="RU-TVE">{tver.name_ru}</option>' in html


def test_staff_only_resources_are_not_found_but_for_staff(client, operator_user):
    secret = make_resource("pl:staff/1", access_level="staff")
    assert page(client, secret, address=CENTER_ADDRESS).status_code == 404
    client.force_login(operator_user)
    response = page(client, secret)
    assert response.status_code == 200 and "You may read it here." in response.content.decode()


def test_withdrawn_resources_are_gone(client):
    resource = make_resource("pl:gone/1", deleted_at=timezone.now())
    response = page(client, resource)
    assert response.status_code == 410 and "Withdrawn" in response.content.decode()
    assert page(client, resource, suffix="read/").status_code == 410


def test_unknown_identifier_is_404(client):
    assert client.get("/en/resources/pl:nothing/here/").status_code == 404


def test_record_costs_a_fixed_number_of_queries(
    client, book, make_center, django_assert_max_num_queries
):
    for _ in range(5):
        make_center()
    # The resource, its files, collections and tree; the place; the regions and centers.
    with django_assert_max_num_queries(7):
        assert page(client, book).status_code == 200
    with django_assert_max_num_queries(8):  # and the chosen region
        assert page(client, book, region="RU-TVE", lat="56", lon="35").status_code == 200


# --- the reader ---------------------------------------------------------------------------------


def test_reader_shows_pages_pdf_and_players(client, book):
    audio = add_file(book, kind="audio", name="talk.mp3", content=b"ID3", content_type="audio/mpeg")
    video = add_file(book, kind="video", name="film.mp4", content=b"mp4", content_type="video/mp4")
    response = page(client, book, suffix="read/", address=CENTER_ADDRESS)
    assert response.status_code == 200
    html = response.content.decode()
    pdf = book.files.get(kind="pdf")
    # The PDF in PDF.js, from the file door; the pages through the IIIF image service, in
    # order (and as links without script).
    assert 'data-viewer="pdf"' in html and f'data-source="/files/{pdf.pk}/book.pdf"' in html
    pages = list(book.files.filter(kind="page").order_by("position"))
    infos = [f"/iiif/image/{p.pk}/info.json" for p in pages]
    assert html.index(infos[0]) < html.index(infos[1])
    assert html.index("p1.png") < html.index("p2.png")  # the strip: links to the images
    assert f'src="/iiif/image/{pages[0].pk}/full/!120,120/0/default.jpg"' in html
    assert f'href="/iiif/{book.identifier}/manifest.json"' in html
    assert f'<audio controls preload="metadata" src="/files/{audio.pk}/talk.mp3"' in html
    assert f'<video controls preload="metadata" src="/files/{video.pk}/film.mp4"' in html
    assert "private" in response["Cache-Control"]


def test_reader_of_one_file(client, book):
    pdf = book.files.get(kind="pdf")
    html = page(client, book, suffix=f"read/{pdf.pk}/", address=CENTER_ADDRESS).content.decode()
    assert "book.pdf" in html and "p1.png" not in html
    other = add_file(make_resource("pl:other"))
    assert page(client, book, suffix=f"read/{other.pk}/", address=CENTER_ADDRESS).status_code == 404


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_reader_refuses_with_the_same_explanation(client, book, lang):
    response = page(client, book, lang, suffix="read/")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="where"' in html and "/files/" not in html
    if lang == "en":
        assert ON_SITE_MESSAGE in html


def test_identifier_ending_in_read_still_has_its_record(client):
    resource = make_resource("pl:odd/read", access_level="open")
    response = client.get("/en/resources/pl:odd/read/")
    assert response.status_code == 200 and resource.title_en in response.content.decode()


def test_where_to_read_in_english_names_regions_in_english(tver_rc):
    from django.utils import translation

    with translation.override("en"):
        where = where_to_read({})
    assert ("RU-TVE", "Tver Region") in where.regions


# --- search -------------------------------------------------------------------------------------


@pytest.fixture
def indexed(book, tver_rc):
    """The catalogue as the search index has it (the resources here are made without the
    services, so without the outbox: the index is rebuilt from the database)."""
    from libranet.resources.search import index_rebuild

    make_resource(
        "pl:books/library",
        access_level="open",
        title_ru="Библиотека и её читатели",
        title_en="The library and its readers",
        date_text="1925",
        year_from=1925,
        year_to=1925,
        language="ru",
    )
    make_resource("pl:staff/2", access_level="staff", title_ru="Служебная библиотека")
    index_rebuild()
    return book


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_search_page_in_both_languages(client, indexed, lang):
    response = client.get(f"/{lang}/resources/", {"q": "библиотеки"}, REMOTE_ADDR=OUTSIDE_ADDRESS)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert 'href="/' + lang + '/resources/pl:books/library/"' in html  # stemmed: библиотека
    if lang == "ru":
        assert "<mark>Библиотека</mark> и её читатели" in html  # the service's highlighting
    assert "pl:staff/2" not in html  # staff-only records are not found by the public
    assert "private" in response["Cache-Control"] and "Cookie" in response["Vary"]


def test_search_facets_and_readable_here(client, indexed):
    outside = client.get("/en/resources/", REMOTE_ADDR=OUTSIDE_ADDRESS).content.decode()
    assert "2 results found" in outside and "1 readable here" in outside
    assert 'name="type" value="book"' in outside and 'name="decade" value="1920"' in outside
    inside = client.get("/en/resources/", REMOTE_ADDR=CENTER_ADDRESS).content.decode()
    assert "2 readable here" in inside
    readable = client.get(
        "/en/resources/", {"readable_here": "1"}, REMOTE_ADDR=OUTSIDE_ADDRESS
    ).content.decode()
    assert "1 result found" in readable and "pl:books/library" in readable
    by_collection = client.get("/en/resources/", {"collection": "power"}).content.decode()
    assert "1 result found" in by_collection and indexed.identifier in by_collection
    assert 'name="collection" value="power" checked' in by_collection


def test_search_quotes_on_site_text_only_inside_a_center(client, book):
    from libranet.resources.search import index_rebuild

    book.files.filter(kind=ResourceFile.Kind.PDF).update(
        extracted_text="Задачи о купцах и аршинах сукна."
    )
    index_rebuild()
    outside = client.get("/en/resources/", {"q": "аршин"}, REMOTE_ADDR=OUTSIDE_ADDRESS)
    html = outside.content.decode()
    assert book.identifier in html  # found by its text
    assert "сукна" not in html and "The first Russian textbook of mathematics." in html
    inside = client.get("/en/resources/", {"q": "аршин"}, REMOTE_ADDR=CENTER_ADDRESS)
    assert "<mark>аршинах</mark> сукна" in inside.content.decode()


def test_search_sort_and_pages(client, indexed):
    for number in range(25):
        make_resource(f"pl:many/{number:02d}", title_ru=f"Сборник {number}")
    from libranet.resources.search import index_rebuild

    index_rebuild()
    first = client.get("/en/resources/", {"q": "сборник"}).content.decode()
    assert "25 results found" in first and "page 1 of 2" in first
    assert 'href="?q=%D1%81%D0%B1%D0%BE%D1%80%D0%BD%D0%B8%D0%BA&amp;page=2" rel="next"' in first
    second = client.get("/en/resources/", {"q": "сборник", "page": "2"}).content.decode()
    assert "page 2 of 2" in second and second.count('class="hit"') == 5
    by_date = client.get("/en/resources/", {"sort": "date"}).content.decode()
    assert 'value="date" selected>Newest first</option>' in by_date


@pytest.mark.parametrize(
    "params",
    [
        {"q": '"unbalanced'},
        {"q": "AND OR NOT ( ) * ~ ^"},
        {"q": "x" * 10_000},
        {"page": "banana"},
        {"page": "99999"},
    ],
)
def test_bad_search_input_gets_an_answer_not_a_500(client, indexed, params):
    assert client.get("/en/resources/", params).status_code == 200


@pytest.mark.parametrize(
    "params", [{"decade": "nineties"}, {"type": "novel"}, {"sort": "sideways"}]
)
def test_impossible_filters_are_said_so(client, indexed, params):
    response = client.get("/en/resources/", params)
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()


def test_record_links_its_collections_to_the_search(client, book):
    html = page(client, book).content.decode()
    assert 'href="/en/resources/?collection=presidents"' in html


# --- wording by kind, files named once, labels in the page's language ---------------------------


@pytest.mark.parametrize(
    ("kind", "type_", "verb_ru", "verb_en"),
    [
        ("pdf", "book", "Читать", "Read"),
        ("video", "video", "Смотреть", "Watch"),
        ("audio", "sound", "Слушать", "Listen"),
        ("page", "photograph", "Смотреть", "View"),
    ],
)
def test_the_reader_button_says_what_one_does(client, kind, type_, verb_ru, verb_en):
    resource = make_resource(f"pl:kinds/{kind}", type=type_)
    add_file(resource, kind=kind, name=f"one.{kind}", content=b"x", content_type="")
    for lang, verb in (("ru", verb_ru), ("en", verb_en)):
        html = page(client, resource, lang).content.decode()
        assert (
            f'id="open-reader" href="/{lang}/resources/{resource.identifier}/read/">{verb}</a>'
            in html
        )
        if lang == "ru" and kind in ("video", "audio"):
            assert "прочитать" not in html  # a video is watched, a recording listened to


def test_each_kind_of_file_is_named_once(client):
    resource = make_resource("pl:kinds/three-pdfs")
    for number in (1, 2, 3):
        add_file(resource, name=f"part-{number}.pdf", label=f"Часть {number}")
    html = page(client, resource, "ru").content.decode()
    assert '<span class="file-group-name">PDF</span>, 3 файла' in html
    assert html.count('class="file-group-name"') == 1
    english = page(client, resource, "en").content.decode()
    assert '<span class="file-group-name">PDF</span>, 3 files' in english


@pytest.fixture
def old_books(tver_rc):
    from libranet.resources.search import index_rebuild

    for number, (year, language) in enumerate([(1872, "cu"), (1875, "ru"), (1923, "de")]):
        make_resource(
            f"pl:old/{number}",
            title_ru=f"Старая книга {number}",
            title_en=f"Old book {number}",
            date_text=str(year),
            year_from=year,
            year_to=year,
            language=language,
        )
    index_rebuild()


@pytest.mark.parametrize(
    ("lang", "words", "english_words"),
    [
        (
            "ru",
            ["Десятилетие", "1870-е", "Церковнославянский", "Немецкий", "Доступно здесь",
             "По релевантности", "Сначала новые", "Фильтры"],
            ["Readable here", "Decade", "Relevance", "1870s", ">cu<", "Filters"],
        ),
        (
            "en",
            ["Decade", "1870s", "Church Slavic", "German", "Readable here", "Relevance",
             "Newest first", "Filters"],
            ["Десятилетие", "1870-е", "церковнославянский"],
        ),
    ],
)  # fmt: skip
def test_search_labels_in_the_pages_language(client, old_books, lang, words, english_words):
    html = client.get(f"/{lang}/resources/", {"q": ""}, REMOTE_ADDR=OUTSIDE_ADDRESS)
    html = html.content.decode()
    for word in words:
        assert word in html, word
    for word in english_words:
        assert word not in html, word
    # On a phone the filters fold behind a disclosure after the results.
    assert html.index('class="results"') < html.index('<details class="facets-toggle"')
