"""The test people the local provider offers, one for each case a reader's sign-in must handle."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Contact:
    id: int
    type: str  # ESIA's: EML (e-mail), MBT (mobile phone), PHN (home phone), CEM (work e-mail)
    value: str
    verified: bool

    @property
    def status(self) -> str:
        return "VERIFIED" if self.verified else "NOT_VERIFIED"


@dataclass(frozen=True)
class TestPerson:
    oid: str
    last_name: str
    first_name: str
    middle_name: str
    confirmed: bool  # a confirmed account; False is ESIA's "simplified" one
    note: str
    contacts: tuple[Contact, ...] = field(default_factory=tuple)

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name} {self.middle_name}"


PEOPLE = (
    TestPerson(
        oid="1000000001",
        last_name="Смирнова",
        first_name="Анна",
        middle_name="Сергеевна",
        confirmed=True,
        note=_("confirmed account, verified e-mail"),
        contacts=(
            Contact(11, "EML", "anna.smirnova@example.org", True),
            Contact(12, "MBT", "+7(900)0000001", True),
        ),
    ),
    TestPerson(
        oid="1000000002",
        last_name="Кузнецов",
        first_name="Борис",
        middle_name="Олегович",
        confirmed=True,
        note=_("confirmed account, no e-mail"),
        contacts=(Contact(21, "MBT", "+7(900)0000002", True),),
    ),
    TestPerson(
        oid="1000000003",
        last_name="Попова",
        first_name="Вера",
        middle_name="Андреевна",
        confirmed=True,
        note=_("confirmed account, e-mail not verified"),
        contacts=(Contact(31, "EML", "vera.popova@example.org", False),),
    ),
    TestPerson(
        oid="1000000004",
        last_name="Соколов",
        first_name="Глеб",
        middle_name="Игоревич",
        confirmed=False,
        note=_("simplified account: identity not confirmed"),
        contacts=(Contact(41, "EML", "gleb.sokolov@example.org", True),),
    ),
)

BY_OID = {person.oid: person for person in PEOPLE}
