"""What a score sheet may say besides a score: an explicit abstention, and why a moderated score
changed (SPEC §5).

* A score cell reading ``abstain`` — or ``abstained``, ``abstention``, ``abstains``, any case,
  surrounding spaces ignored — records that the evaluator looked and declined to score. It is not
  a 0 and not a score: never counted in n or the means. The cell's comment is the reason given.
* A ``reason`` column (long and wide layouts; one reason per row) says why a score of the
  moderated round differs from the evaluator's earlier one. Independent imports ignore it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Score-cell words that mean "abstained", compared case-folded and stripped.
ABSTAIN_WORDS: frozenset[str] = frozenset({"abstain", "abstained", "abstention", "abstains"})
#: The word the toolkit itself writes for an abstention (pre-filled sheets).
ABSTAIN = "abstain"
#: Columns a sheet may carry for the moderated round.
ROUND_COLUMNS: tuple[str, ...] = ("reason",)
#: The marked frame: the score frame's columns plus these.
MARK_COLUMNS: tuple[str, ...] = ("abstain", "reason")


def abstentions_in(text: pd.Series) -> pd.Series:
    """True where a cleaned score cell is an abstention word (looked up per distinct value)."""
    import pandas as pd

    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    distinct = pd.Series(uniques, dtype=object).map(
        lambda v: str(v).strip().casefold() in ABSTAIN_WORDS
    )
    flags = distinct.to_numpy(dtype=bool)
    import numpy as np

    flags = np.append(flags, False)  # where the NaN sentinel -1 points
    return pd.Series(flags[codes], index=text.index, dtype=bool)
