"""The work key: one group for the same work as catalogs write it differently."""

from libranet.catalogs.works import isbn13, isbns, normal_title, work_key, year_of


def test_isbn_forms_meet_in_one_isbn13():
    assert isbn13("5-699-12345-6") == ""  # a wrong check digit
    assert isbn13("978-5-17-090630-7") == "9785170906307"
    assert isbn13("5-17-090630-X (в пер.)") == ""
    assert isbns(["0-306-40615-2", "978-0-306-40615-7", "ошибка"]) == ["9780306406157"]


def test_titles_creators_and_years_normalised():
    a = work_key(
        title="Евгений Онегин : роман в стихах / А. С. Пушкин",
        creators=["Пушкин, А. С."],
        year=year_of("М. : Эксмо, 2019"),
        isbns=[],
    )
    b = work_key(
        title="ЕВГЕНИЙ ОНЕГИН", creators=["Пушкин Александр Сергеевич"], year=2019, isbns=[]
    )
    assert a == b and a.startswith("work:")
    assert a != work_key(title="Евгений Онегин", creators=["Пушкин"], year=2020, isbns=[])
    assert normal_title("Ёлка [Текст] : сказка") == "елка"
    assert work_key(title="", creators=[], year=None, isbns=[]) == ""
    assert work_key(title="x", creators=[], year=None, isbns=["9780306406157"]) == (
        "isbn:9780306406157"
    )
