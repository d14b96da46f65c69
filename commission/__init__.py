"""commission: co-productive commissioning with equal-weight community and officer panels.

The public library (SPEC §9)::

    import commission
    results = commission.score(exercise_doc, tender_docs, score_rows)
    results.to_dict()   # the JSON of `commission results --format json`
    results.to_frame()  # a pandas DataFrame, one row per tender

Heavy dependencies (pandas, SQLAlchemy, reportlab) are imported only when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    CommissionError,
    DecisionRefused,
    InvalidCriteria,
    InvalidDocument,
    InvalidExercise,
    InvalidScores,
    InvalidTender,
    NotFound,
    Problem,
    Refused,
)

__version__ = "0.1.0"

__all__ = [
    "CommissionError",
    "DecisionRefused",
    "InvalidCriteria",
    "InvalidDocument",
    "InvalidExercise",
    "InvalidScores",
    "InvalidTender",
    "NotFound",
    "Problem",
    "Refused",
    "score",
    "__version__",
]

if TYPE_CHECKING:
    from .scoring import Results


def score(exercise: Any, tenders: Any, scores: Any) -> Results:
    """Score tenders with no database and no files; see :func:`commission.app.evaluation.score`."""
    from .app.evaluation import score as _score

    return _score(exercise, tenders, scores)
