"""Open data: the awards of issued final decisions as an OCDS 1.1 release package (SPEC §12).

``ocds_package(exercise, tenders, results, decisions, options)`` is pure and returns the package
as a dict, validated against the vendored OCDS 1.1.5 profile; the use case that reads the store
for it is :func:`commission.app.publish.publish_ocds`.
"""

from __future__ import annotations

from .decisions import IssuedDecision, IssuedFile, from_audit
from .ocds import OcdsOptions, ocds_package
from .schema import package_schema, problems, release_schema, validate

__all__ = [
    "IssuedDecision",
    "IssuedFile",
    "OcdsOptions",
    "from_audit",
    "ocds_package",
    "package_schema",
    "problems",
    "release_schema",
    "validate",
]
