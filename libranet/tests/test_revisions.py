"""The stale-copy check that every edited record's service uses (libranet.revisions)."""

from types import SimpleNamespace

import pytest

from libranet.revisions import EditConflict, revision_check


def _stored(**values):
    return SimpleNamespace(revision=3, **values)


def test_a_save_from_the_current_revision_passes():
    revision_check(_stored(title="A"), 3, {"title": "B"})


def test_no_expected_revision_skips_the_check():
    revision_check(_stored(title="A"), None, {"title": "B"})


def test_a_save_from_an_older_revision_names_what_the_other_person_changed():
    obj = _stored(title="Stored", note="same", count=5)
    with pytest.raises(EditConflict) as caught:
        revision_check(obj, 2, {"title": "Mine", "note": " same ", "count": 5}, {"title": "Title"})
    conflict = caught.value
    assert (conflict.expected, conflict.stored) == (2, 3)
    assert [(d.field, d.label, d.stored, d.submitted) for d in conflict.differences] == [
        ("title", "Title", "Stored", "Mine")
    ]
    assert conflict.code == "edit_conflict"


def test_stored_values_given_by_the_caller_are_compared_instead_of_attributes():
    obj = _stored()
    with pytest.raises(EditConflict) as caught:
        revision_check(obj, 1, {"answer:7": "12"}, stored_values={"answer:7": "10"})
    assert [(d.stored, d.submitted) for d in caught.value.differences] == [("10", "12")]
