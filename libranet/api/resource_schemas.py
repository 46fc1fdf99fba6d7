"""What the resources API reads and writes, as OpenAPI documents it. The rules are in the
resources' services and the access decision; these only give shape."""

import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import field_validator

from .schemas import BodyIn, Text, _blank_to_none

# The models' choices, spelled out so that OpenAPI shows them inline (a test keeps them equal).
ResourceType = Literal[
    "book",
    "periodical",
    "manuscript",
    "archival",
    "photograph",
    "map",
    "sound",
    "video",
    "other",
]
AccessLevelName = Literal["open", "readers", "on_site", "staff"]
FileKind = Literal["pdf", "page", "audio", "video"]


class ResourceQuery(Schema):
    q: str | None = Field(None, description="Words to find in the titles (Russian or English).")
    type: ResourceType | None = Field(None, description="Type of resource.")
    collection: str | None = Field(
        None, description="Code of a collection; its sub-collections are included."
    )
    language: str | None = Field(None, description="ISO 639 code of the language (ru, en).")
    access_level: AccessLevelName | None = Field(None, description="Access level.")
    readable_here: bool | None = Field(
        None,
        description="true: only those whose files the caller may read from where the request "
        "comes from; false: only those they may not.",
    )

    # An empty text or code means "any"; an empty type, access level or readable_here is
    # refused, as every value outside their lists is.
    _blank = field_validator("q", "collection", "language", mode="before")(_blank_to_none)


class CollectionRef(Schema):
    code: str
    name_ru: str
    name_en: str


class ResourceFileOut(Schema):
    id: int
    kind: FileKind
    label: str
    content_type: str
    size: int = Field(description="Bytes.")
    url: str = Field(
        description="Where the file is read. Listed for everyone; each request for it is "
        "decided by the access rule for the requester and where they are (403 if refused)."
    )


class ResourceOut(Schema):
    identifier: str
    title: str = Field(description="The title in the language asked (Accept-Language).")
    title_ru: str
    title_en: str
    type: ResourceType
    access_level: AccessLevelName
    readable_here: bool = Field(
        description="Whether the caller may read its files from where the request comes from."
    )
    date: str = Field(description="The date as catalogued: exact, a year or a range.")
    year_from: int | None
    year_to: int | None
    creators: list[str]
    language: str
    collections: list[CollectionRef]
    files: list[ResourceFileOut]
    url: str = Field(description="The resource's page on the site.")


class ResourcePage(Schema):
    count: int
    items: list[ResourceOut]


class AccessOut(Schema):
    allowed: bool
    reason: str = Field(
        description="open, in_center, confirmed_reader, staff when allowed; on_site, sign_in, "
        "not_confirmed, staff_only when refused."
    )
    message: str = Field(description="The reason, for a person, in the language asked.")


class ResourceDetailOut(ResourceOut):
    description: str
    description_ru: str
    description_en: str
    subjects: list[str]
    rights: str
    thumbnail: str | None
    modified_at: datetime.datetime
    access: AccessOut = Field(description="The access decision for the caller, here.")


class ResourceIn(BodyIn):
    identifier: str = Field(description="Persistent: never changes and is never reused.")
    title_ru: str
    title_en: Text = ""
    type: ResourceType
    access_level: AccessLevelName
    creators: list[str] = Field(default_factory=list)
    date: Text = Field("", description="1703-05-27, 27.05.1703, 1703, 1700–1725 or 1920s.")
    subjects: list[str] = Field(default_factory=list)
    language: Text = Field("", description="ISO 639 code: ru, en, rus.")
    description_ru: Text = ""
    description_en: Text = ""
    collections: list[str] = Field(default_factory=list, description="Codes of collections.")
    rights: Text = ""


class ResourcePatch(BodyIn):
    """Only the fields given change; the identifier never does."""

    title_ru: str | None = None
    title_en: Text | None = None
    type: ResourceType | None = None
    access_level: AccessLevelName | None = None
    creators: list[str] | None = None
    date: Text | None = None
    subjects: list[str] | None = None
    language: Text | None = None
    description_ru: Text | None = None
    description_en: Text | None = None
    collections: list[str] | None = None
    rights: Text | None = None
