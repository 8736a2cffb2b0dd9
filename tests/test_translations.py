"""The UI is German by default: the German catalogue must be complete and compiled."""

import re
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "de" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def _entries():
    return [e for e in polib.pofile(str(LOCALE / "django.po")) if not e.obsolete]


def test_every_german_message_is_translated_and_not_fuzzy():
    missing = [
        e.msgid
        for e in _entries()
        if "fuzzy" in e.flags or not (e.msgstr or (e.msgstr_plural and all(e.msgstr_plural.values())))
    ]
    assert missing == []


def test_german_translations_keep_every_placeholder():
    broken = [
        e.msgid
        for e in _entries()
        if not e.msgid_plural
        and sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(e.msgstr))
    ]
    assert broken == []


def test_the_committed_mo_file_matches_the_po_file():
    compiled = {
        (e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(LOCALE / "django.mo")) if not e.msgid_plural
    }
    source = {(e.msgctxt, e.msgid): e.msgstr for e in _entries() if not e.msgid_plural}
    assert {k: v for k, v in source.items() if compiled.get(k) != v} == {}
