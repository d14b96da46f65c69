"""The decision's "How robust is this result?" section, in plain words.

Numbers are shown as people read them (two decimals, rounded half up from the exact value, as
everywhere in the toolkit); the exact values stay in the results JSON. An end of a range that is
not itself included reads "just above" / "just below" it.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from ..records import Exercise
from ..scoring import display
from .robustness import Robustness, SmallestChange, WeightRange

__all__ = ["robustness_sentences"]


def robustness_sentences(
    robustness: Robustness, exercise: Exercise, bidders: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """Four short sentences: panel weight, price weight, leaving one evaluator out, and the
    smallest change to one panel's mean that would change the winner. ``bidders`` (tender id →
    bidder name) adds the bidder's name after the winner's id."""
    winner = robustness.winner
    if bidders and winner in bidders:
        winner = f"{winner} ({bidders[winner]})"
    return (
        _community(winner, robustness.community_weight_range),
        _price(robustness.price_weight_range, exercise.price_weight),
        _leave_one_out(robustness.leave_one_out),
        _smallest(robustness.smallest_change, exercise),
    )


def _percent(value: Fraction) -> str:
    return f"{display(value)}%"


def _today(value: Fraction) -> str:
    return f"{value.numerator}%" if value.denominator == 1 else _percent(value)


def _span(span: WeightRange) -> str:
    low = f"from {'' if span.lo_included else 'just above '}{_percent(span.lo)}"
    high = f"to {'' if span.hi_included else 'just below '}{_percent(span.hi)}"
    return f"{low} {high}"


def _community(winner: str, span: WeightRange) -> str:
    if span.lo == 0 and span.hi == 100 and span.lo_included and span.hi_included:
        return (
            f"{winner} stays first whatever weight the community panel's scores are given, "
            "from 0% to 100% (today 50%, the officer panel carrying the rest)."
        )
    if span.lo == span.hi:
        return (
            f"{winner} is first only at exactly 50% each: any shift of weight between the "
            "panels would change the result."
        )
    return (
        f"{winner} stays first for any community-panel weight {_span(span)} "
        "(today 50%, the officer panel carrying the rest)."
    )


def _price(span: WeightRange | None, today: Fraction) -> str:
    if span is None:
        return "This exercise gives price no weight, so price cannot change the result."
    return f"It stays first for any price weight {_span(span)} (today {_today(today)})."


def _leave_one_out(evaluators: tuple[str, ...]) -> str:
    if not evaluators:
        return "Leaving out any one evaluator and all their scores would not change the winner."
    if len(evaluators) == 1:
        return f"Leaving out the scores of evaluator {evaluators[0]} alone would change the winner."
    named = ", ".join(evaluators[:-1]) + f" or {evaluators[-1]}"
    return f"Leaving out the scores of any one of evaluators {named} would change the winner."


def _smallest(change: SmallestChange | None, exercise: Exercise) -> str:
    if change is None:
        return (
            "No change to one panel's mean score on one criterion, anywhere on the scale, "
            "would change the winner."
        )
    name = exercise.criteria[change.criterion].name
    subject = f"the {change.panel} panel's mean score for {change.tender} on {name}"
    now = display(change.mean)
    if change.delta == 0:
        # The tender sits exactly on a pass line: the smallest move across it changes the winner.
        moving = "rise" if change.rising else "fall"
        return f"The result rests on a line: any {moving} in {subject} (now {now}) would change it."
    moving = "rising" if change.delta > 0 else "falling"
    size = display(abs(change.delta))
    amount = f"by {size} points" if change.inclusive else f"by more than {size} points"
    return (
        f"The smallest change that would alter the result is {subject} {moving} {amount}, "
        f"from {now} to {display(change.mean + change.delta)}."
    )
