"""Open data: the awards of issued final decisions as an OCDS 1.1 release package (SPEC §12).

``ocds_package(exercise, tenders, results, decisions, options)`` is pure and returns the package
as a dict, validated against the vendored OCDS 1.1.5 profile; ``publish_ocds(store, ...)`` is the
use case the ``commission publish --ocds`` command calls.
"""

from __future__ import annotations

from .decisions import IssuedDecision, IssuedFile, from_audit
from .ocds import OcdsOptions, ocds_package
from .schema import package_schema, problems, release_schema, validate
from .use_case import PublishOutcome, issued_decisions, publish_ocds

__all__ = [
    "IssuedDecision",
    "IssuedFile",
    "OcdsOptions",
    "PublishOutcome",
    "from_audit",
    "issued_decisions",
    "ocds_package",
    "package_schema",
    "problems",
    "publish_ocds",
    "release_schema",
    "validate",
]
