"""Records management of a case file (Aktenführung): legal holds, retention periods, the retention run.

A case is an application with everything that hangs off it (its grant, proofs, reclaims,
attachments, documents). It is kept for the periods its programme sets and then anonymised;
files holding personal data are deleted. A legal hold (an open reclaim, a pending objection,
an audit) stops that until it is lifted. See ``docs/records.md``.
"""
