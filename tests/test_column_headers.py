"""Column headers say what they hold: "State" as a status never reads "Land" in German."""

import re
from pathlib import Path

from django.utils import translation

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PLAIN_STATE_HEADER = re.compile(r'<th[^>]*>\s*\{% translate "State" %\}\s*</th>')


def test_a_status_column_is_headed_status_not_land():
    with translation.override("de"):
        assert translation.pgettext("status column", "State") == "Status"
        assert translation.gettext("State") == "Land"  # the federal state, e.g. an office's


def test_no_table_header_uses_the_ambiguous_state():
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if PLAIN_STATE_HEADER.search(path.read_text())
    ]
    assert offenders == []
