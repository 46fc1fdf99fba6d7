"""The PostgreSQL search backend's table (LIBRANET_SEARCH_BACKEND=postgres): created on
PostgreSQL only, where the backend can run; SQLite gets nothing. Not a Django model: its
``document`` column is a generated tsvector that the ORM does not describe, and only the
backend reads or writes it (libranet/resources/search/postgres_backend.py)."""

from django.db import migrations

CREATE = """
CREATE TABLE resources_searchdocument (
    resource_id bigint PRIMARY KEY,
    identifier text NOT NULL,
    type text NOT NULL,
    language text NOT NULL,
    access_level text NOT NULL,
    collections text[] NOT NULL,
    decade integer,
    year_from integer,
    year_to integer,
    modified_at timestamptz,
    title_ru text NOT NULL,
    title_en text NOT NULL,
    creators text NOT NULL,
    subjects text NOT NULL,
    description_ru text NOT NULL,
    description_en text NOT NULL,
    body text NOT NULL,
    generation bigint NOT NULL DEFAULT 0,
    document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('russian'::regconfig, title_ru), 'A')
        || setweight(to_tsvector('english'::regconfig, title_en), 'A')
        || setweight(to_tsvector('russian'::regconfig, creators), 'B')
        || setweight(to_tsvector('russian'::regconfig, subjects), 'C')
        || setweight(to_tsvector('russian'::regconfig, description_ru), 'D')
        || setweight(to_tsvector('english'::regconfig, description_en), 'D')
        || setweight(to_tsvector('russian'::regconfig, body), 'D')
    ) STORED
);
CREATE INDEX resources_searchdocument_document ON resources_searchdocument USING gin (document);
CREATE INDEX resources_searchdocument_collections
    ON resources_searchdocument USING gin (collections);
CREATE INDEX resources_searchdocument_decade ON resources_searchdocument (decade);
CREATE INDEX resources_searchdocument_year ON resources_searchdocument (year_from);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE.split(";"):
            if statement.strip():
                schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS resources_searchdocument")


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0002_search_index_change"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
