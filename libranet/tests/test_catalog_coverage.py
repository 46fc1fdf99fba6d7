"""Every translatable string of the code and templates is in the Russian catalog, translated.

The messages are extracted afresh (``makemessages``' own machinery, GNU xgettext) into a
temporary folder and compared with ``locale/ru/LC_MESSAGES/django.po``: a string added to the
code without ``make messages`` and a translation fails here, named. The catalog's own entries
(fuzzy, empty, placeholders) are checked by ``public/tests/test_translations.py``.
"""

import ast
import io
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.core.management import call_command
from django.core.management.commands.makemessages import Command as MakeMessages

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
# As ``make messages`` ignores them.
IGNORED = [".venv/*", "data/*"]
# The names xgettext reads as marking a message (its own for Python, and makemessages').
KEYWORDS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}


class ExtractInto(MakeMessages):
    """``makemessages`` that writes its template (django.pot) into ``target``, not beside the
    project's catalog, so that the check never touches the catalog it checks."""

    target = ""

    def find_files(self, root):
        files = super().find_files(root)
        self.locale_paths = [self.target]
        return [self.translatable_file_class(f.dirpath, f.file, self.target) for f in files]


def _key(message) -> tuple[str | None, str]:
    return message.context, message.id[0] if message.pluralizable else message.id


def _translated(message) -> bool:
    forms = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return not message.fuzzy and all(forms)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    target = tmp_path_factory.mktemp("messages")
    command = ExtractInto()
    command.target = str(target)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        call_command(
            command,
            locale=["ru"],
            ignore_patterns=IGNORED,
            no_location=True,
            keep_pot=True,
            verbosity=0,
        )
    # The template's header leaves the plural rule to each language, in words Babel cannot read.
    template = (target / "django.pot").read_text(encoding="utf-8")
    template = template.replace("nplurals=INTEGER; plural=EXPRESSION;", "nplurals=2; plural=0;")
    return read_po(io.StringIO(template))


def test_every_extracted_string_has_a_russian_translation(extracted):
    with CATALOG.open("rb") as f:
        catalog = {_key(m): m for m in read_po(f, locale="ru") if m.id}
    problems = []
    for message in extracted:
        if not message.id:
            continue
        context, msgid = _key(message)
        name = f"{context}|{msgid!r}" if context else repr(msgid)
        known = catalog.get((context, msgid))
        if known is None:
            problems.append(f"{name}: not in the catalog (run make messages)")
        elif not _translated(known):
            problems.append(f"{name}: not translated or fuzzy")
    assert not problems, f"{CATALOG.relative_to(ROOT)} lacks:\n" + "\n".join(problems)


def test_the_extraction_finds_the_project_strings(extracted):
    """A guard on the check itself: it read the code and the templates."""
    ids = {_key(m)[1] for m in extracted}
    assert "in Russian" in ids  # libranet/network/templatetags/l10n_data.py
    assert "Breadcrumbs" in ids  # libranet/templates/partials/breadcrumbs.html


def test_translation_functions_keep_names_xgettext_reads():
    """``gettext_lazy as _lazy`` hides every message marked with it from the extraction."""
    hidden = []
    for path in sorted((ROOT / "libranet").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                for alias in node.names:
                    name = alias.asname or alias.name
                    if "gettext" in alias.name and name not in KEYWORDS:
                        hidden.append(f"{path.relative_to(ROOT)}: {alias.name} as {name}")
    assert not hidden, "messages xgettext never sees:\n" + "\n".join(hidden)
