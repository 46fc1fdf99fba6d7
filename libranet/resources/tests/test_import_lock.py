"""The resource import against a real SQLite file, as `make run` has it: other writers go on
while the records are checked, and a refused file never takes the write lock."""

import json

from libranet.imports.tests.test_faults import folder, migrated, run_manage  # noqa: F401

RECORDS = 3000

# Run in a child process (``manage.py shell``): RECORDS records as CSV, every other one with a
# page image from a ZIP archive. While the records are checked, another connection writes with
# no patience at all (a busy timeout of 0): it must never find the database locked. While they
# are written, it must (this is how the probe knows a lock when it meets one).
PROBE = r"""
RECORDS = int("{records}")
import io, json, sqlite3, zipfile
from PIL import Image
from django.conf import settings
from libranet.resources.importing import ZipSource, import_resources, read_batch
from libranet.resources.models import Resource
from libranet.resources.services import collection_create

collection_create(actor=None, code="power", name_ru="Власть")
buffer = io.BytesIO()
Image.new("RGB", (200, 300), "navy").save(buffer, "PNG")
lines, members = ["identifier,title_ru,date,type,collections,access_level,files"], {}
for i in range(RECORDS):
    name = f"p/{i}.png" if i % 2 == 0 else ""
    if name:
        members[name] = buffer.getvalue()
    lines.append(f"pl-{i:05d},Книга {i},{1800 + i % 200},book,power,open,{name}")
archive = io.BytesIO()
with zipfile.ZipFile(archive, "w") as zf:
    for name, content in members.items():
        zf.writestr(name, content)
good = ("\n".join(lines) + "\n").encode()
refused = good + "pl-bad,Плохая,при Петре,book,power,open,\n".encode()

other = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=0, isolation_level=None)
other.execute("CREATE TABLE probe (n INTEGER)")
result = {}
for name, data in (("refused", refused), ("good", good)):
    seen = {"validating": [0, 0], "applying": [0, 0]}
    def progress(done, total, label):
        if done % 250:
            return
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO probe VALUES (?)", [done])
            other.execute("COMMIT")
            seen[label][0] += 1
        except sqlite3.OperationalError as error:
            assert "locked" in str(error), error
            seen[label][1] += 1
    report = import_resources(
        actor=None,
        batch=read_batch(data),
        files=ZipSource(io.BytesIO(archive.getvalue())),
        progress=progress,
    )
    result[name] = {
        "created": report.created,
        "errors": len(report.errors),
        "resources": Resource.objects.count(),
        **seen,
    }
print(json.dumps(result))
""".replace("{records}", str(RECORDS))


def test_other_writers_go_on_while_the_records_are_checked(folder):  # noqa: F811
    output = run_manage(folder, "shell", "-c", PROBE)
    result = json.loads(output.strip().splitlines()[-1])
    refused, good = result["refused"], result["good"]
    # A refused file: checked while the probe wrote every time, and nothing written.
    assert (refused["errors"], refused["created"], refused["resources"]) == (1, 0, 0)
    assert refused["validating"] == [RECORDS // 250, 0]
    assert refused["applying"] == [0, 0]
    # A good one: the same while checking; then the short write transaction.
    assert (good["created"], good["resources"]) == (RECORDS, RECORDS)
    assert good["validating"] == [RECORDS // 250, 0]
    assert good["applying"][1] > 0  # the probe does see the write transaction
