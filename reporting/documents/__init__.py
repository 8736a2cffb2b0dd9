"""Official documents: one module per document, each a pure function returning PDF bytes.

Fonts, styles, letterhead and page furniture live in ``layout``; shared text blocks in ``blocks``.
"""
