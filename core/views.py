"""Small views the apps share."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from core.tabular import TableTemplate

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def table_template_download(template: TableTemplate, fmt: str) -> HttpResponse:
    """An import's template as an XLSX or CSV download (``fmt``: ``xlsx`` or ``csv``)."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    content = template.xlsx() if fmt == "xlsx" else template.csv()
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{template.name}.{fmt}"'
    return response
