"""Archival properties of every official PDF, as far as open-source ReportLab allows (docs/records.md).

What every document gets (besides the embedded DejaVu fonts of ``layout``):

- **XMP metadata** (Dublin Core title, author and description; ``pdf:Keywords``, ``pdf:Producer``,
  ``xmp:CreatorTool``, creation and modification date), written from the same values as the
  document information dictionary at the moment the file is written, so both always agree;
- an **sRGB output intent** (``GTS_PDFA1``) with an embedded ICC profile made by littlecms
  (through Pillow), so every DeviceRGB colour has a defined meaning;
- a file identifier in the trailer (ReportLab writes it) and PDF version 1.4.

What it does **not** claim: PDF/A conformance. ReportLab's open-source serializer writes
``endstream`` directly after the stream data, without the end-of-line marker ISO 19005-1/-2
(6.1.7) require, and its TrueType subsets have not been checked by a PDF/A validator here; so
the XMP carries no ``pdfaid`` identification. An archive that needs PDF/A converts the files
(e.g. Ghostscript ``-dPDFA=2``) or validates them with veraPDF on ingest.
"""

from __future__ import annotations

import functools
from typing import Any
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfdoc import (
    XMP,
    PDFArray,
    PDFCatalog,
    PDFDictionary,
    PDFName,
    PDFStream,
    PDFString,
    PDFZCompress,
)
from reportlab.pdfgen.canvas import Canvas

SRGB = "sRGB IEC61966-2.1"


@functools.cache
def srgb_profile() -> bytes | None:
    """An sRGB ICC profile (a few hundred bytes), or None where Pillow has no littlecms."""
    try:
        from PIL import ImageCms

        return bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    except (ImportError, OSError, ValueError):  # pragma: no cover - Pillow without littlecms
        return None


def _date(doc: Any) -> str:
    """The information dictionary's date (``D:20261204220614+01'00'``) as an XMP date."""
    year, month, day, hour, minute, second = doc._timeStamp.YMDhms
    dhh, dmm = doc._timeStamp.dhh, doc._timeStamp.dmm
    sign = "-" if dhh < 0 or (dhh == 0 and dmm < 0) else "+"
    return (
        f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
        f"{sign}{abs(dhh):02d}:{abs(dmm):02d}"
    )


def xmp_packet(doc: Any) -> str:
    """The XMP metadata of ``doc`` (a ReportLab ``PDFDocument``), from its information dictionary."""
    info = doc.info
    when = _date(doc)

    def text(value: Any) -> str:
        return escape(str(value or ""))

    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about=""
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:xmp="http://ns.adobe.com/xap/1.0/"
  xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{text(info.title)}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>{text(info.author)}</rdf:li></rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{text(info.subject)}</rdf:li></rdf:Alt></dc:description>
<dc:language><rdf:Bag><rdf:li>de-DE</rdf:li></rdf:Bag></dc:language>
<pdf:Keywords>{text(info.keywords)}</pdf:Keywords>
<pdf:Producer>{text(info.producer)}</pdf:Producer>
<pdf:Trapped>{text(info.trapped)}</pdf:Trapped>
<xmp:CreatorTool>{text(info.creator)}</xmp:CreatorTool>
<xmp:CreateDate>{when}</xmp:CreateDate>
<xmp:ModifyDate>{when}</xmp:ModifyDate>
<xmp:MetadataDate>{when}</xmp:MetadataDate>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def add_archival_properties(canvas: Canvas) -> None:
    """Give the document of ``canvas`` its XMP metadata and sRGB output intent (call before
    anything is drawn; the metadata are written from the final information dictionary)."""
    doc = canvas._doc
    doc._pdfVersion = max(doc._pdfVersion, (1, 4))
    catalog = doc.Catalog
    catalog.Metadata = XMP(creator=lambda document: xmp_packet(document).encode("utf-8"))
    profile = srgb_profile()
    if profile is None:
        return
    icc = PDFStream(PDFDictionary({"N": 3}), content=profile, filters=[PDFZCompress])
    intent = PDFDictionary(
        {
            "Type": PDFName("OutputIntent"),
            "S": PDFName("GTS_PDFA1"),
            "OutputConditionIdentifier": PDFString(SRGB),
            "Info": PDFString(SRGB),
            "RegistryName": PDFString("http://www.color.org"),
            "DestOutputProfile": doc.Reference(icc),
        }
    )
    catalog.OutputIntents = PDFArray([intent])
    # The catalog writes only the keys it knows; this one it is told about.
    catalog.__NoDefault__ = [*PDFCatalog.__NoDefault__, "OutputIntents"]
