"""Archival properties of the official PDFs: XMP metadata that agree with the information
dictionary, an sRGB output intent with its ICC profile, a file identifier, PDF 1.4, embedded
fonts, and no PDF/A claim that a validator would refute (docs/records.md)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from reporting.documents.grant_notice import render_grant_notice
from reporting.documents.rejection_notice import render_rejection_notice
from tests.reporting.helpers import approved, pdf_fonts, pdf_text, rejected

pytestmark = pytest.mark.django_db

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
}


@pytest.fixture(params=["rejection", "grant", "grant in a batch"])
def pdf(request, world) -> bytes:
    if request.param == "rejection":
        return render_rejection_notice(application=rejected(world))
    if request.param == "grant in a batch":
        # Issue 14: fonts, profile and accelerators are set up once per process; the fifth notice
        # of a batch must be as complete an archival file as the first.
        grant = approved(world, years=(2026, 2027)).grant
        batch = [render_grant_notice(grant=grant) for _ in range(5)]
        assert pdf_text(batch[-1]) == pdf_text(batch[0])
        return batch[-1]
    return render_grant_notice(grant=approved(world).grant)


def test_reportlab_runs_with_its_c_accelerators():
    # rl-accel (pinned in pyproject.toml) halves the time of a notice; without it ReportLab
    # silently falls back to pure Python.
    from reportlab.lib import rl_accel

    assert type(rl_accel.fp_str).__name__ == "builtin_function_or_method"
    assert type(rl_accel.instanceStringWidthTTF).__name__ == "builtin_function_or_method"


def _xmp(reader: PdfReader) -> ET.Element:
    stream = reader.trailer["/Root"]["/Metadata"].get_object()
    assert stream["/Type"] == "/Metadata" and stream["/Subtype"] == "/XML"
    return ET.fromstring(stream.get_data())


def test_the_xmp_metadata_say_what_the_information_dictionary_says(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    info = reader.metadata
    description = _xmp(reader).find(".//rdf:Description", NS)
    assert description.find("dc:title/rdf:Alt/rdf:li", NS).text == info.title
    assert description.find("dc:creator/rdf:Seq/rdf:li", NS).text == info.author
    assert description.find("dc:description/rdf:Alt/rdf:li", NS).text == info.subject
    assert description.find("pdf:Keywords", NS).text == info["/Keywords"]
    assert description.find("pdf:Producer", NS).text == info.producer
    assert description.find("xmp:CreatorTool", NS).text == info.creator == "Förderverwaltung"
    created = info.creation_date
    assert description.find("xmp:CreateDate", NS).text == created.isoformat()
    assert description.find("xmp:ModifyDate", NS).text == info.modification_date.isoformat()
    assert info.title.startswith(("Ablehnungsbescheid", "Zuwendungsbescheid"))


def test_colours_have_an_srgb_output_intent_with_an_embedded_profile(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    [intent] = reader.trailer["/Root"]["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    assert intent["/OutputConditionIdentifier"] == "sRGB IEC61966-2.1"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3
    data = profile.get_data()
    assert data[36:40] == b"acsp" and data[16:20] == b"RGB "


def test_the_file_is_pdf_1_4_with_an_identifier_and_only_embedded_fonts(pdf):
    assert pdf.startswith(b"%PDF-1.4\n")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.trailer["/ID"]) == 2
    for page, font in pdf_fonts(pdf):
        descriptor = font.get("/FontDescriptor")
        assert descriptor is not None and "/FontFile2" in descriptor.get_object(), (page, font["/BaseFont"])


def test_no_pdfa_conformance_is_claimed(pdf):
    # ReportLab writes no end-of-line before "endstream" (ISO 19005 6.1.7): a claim would fail.
    reader = PdfReader(io.BytesIO(pdf))
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid" not in metadata
