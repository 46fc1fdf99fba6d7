"""The union search's partner works: the mark of how far the index follows the harvested
records, and the PostgreSQL backend's table of works (on PostgreSQL only, like the resources'
``resources_searchdocument``: its ``document`` tsvector is not an ORM model; only
libranet/catalogs/search_postgres.py reads and writes it)."""

from django.db import migrations, models

CREATE = """
CREATE TABLE catalogs_worksearchdocument (
    work_key text PRIMARY KEY,
    record_ids bigint[] NOT NULL,
    isbns text[] NOT NULL,
    type text NOT NULL,
    language text NOT NULL,
    decade integer,
    year integer,
    libraries text[] NOT NULL,
    regions text[] NOT NULL,
    sources text[] NOT NULL,
    title text NOT NULL,
    creators text NOT NULL,
    subjects text NOT NULL,
    publisher text NOT NULL,
    generation bigint NOT NULL DEFAULT 0,
    document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('russian'::regconfig, title), 'A')
        || setweight(to_tsvector('russian'::regconfig, creators), 'B')
        || setweight(to_tsvector('russian'::regconfig, subjects), 'C')
        || setweight(to_tsvector('russian'::regconfig, publisher), 'D')
    ) STORED
);
CREATE INDEX catalogs_worksearchdocument_document
    ON catalogs_worksearchdocument USING gin (document);
CREATE INDEX catalogs_worksearchdocument_record_ids
    ON catalogs_worksearchdocument USING gin (record_ids);
CREATE INDEX catalogs_worksearchdocument_year ON catalogs_worksearchdocument (year)
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE.split(";"):
            if statement.strip():
                schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS catalogs_worksearchdocument")


class Migration(migrations.Migration):
    dependencies = [("catalogs", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="WorkIndexMark",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("backend", models.CharField(max_length=32, unique=True)),
                ("indexed_until", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
