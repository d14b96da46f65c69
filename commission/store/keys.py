"""The compact keys of score rows: numbers for evaluators, tenders and criteria, ids for sheets.

A score row holds four small integers where it used to hold four text ids, a file name, a
64-character SHA-256 and a column heading. :class:`Keys` turns one exercise's text ids into
those numbers and back (numpy lookups, never a per-row join); :class:`Sheets` finds or records
the ``sheets`` row of each imported file and turns ``(sheet_id, sheet_column)`` back into the
file, its SHA-256 and the column. Every read that returns text ids goes through them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, insert, select, update

from .models import CriterionRow, EvaluatorRow, SheetRow, TenderRow, table_of

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

KINDS = ("evaluator", "tender", "criterion")
_MODELS: dict[str, Any] = {
    "evaluator": EvaluatorRow,
    "tender": TenderRow,
    "criterion": CriterionRow,
}


class UnknownKey(KeyError):
    """A text id with no number: a row naming something the exercise does not hold."""


class Keys:
    """Numbers and text ids of one exercise's evaluators, tenders and criteria."""

    def __init__(self, connection: Connection, exercise_id: str) -> None:
        import numpy as np
        import pandas as pd

        self.exercise_id = exercise_id
        self._index: dict[str, pd.Index] = {}
        self._numbers: dict[str, np.ndarray] = {}
        self._ids: dict[str, np.ndarray] = {}
        for kind in KINDS:
            model = _MODELS[kind]
            pairs = connection.execute(
                select(model.id, model.number).where(model.exercise_id == exercise_id)
            ).all()
            ids = [i for i, _ in pairs]
            numbers = np.array([n for _, n in pairs], dtype=np.int64)
            self._index[kind] = pd.Index(ids, dtype=object)
            self._numbers[kind] = numbers
            table = np.full(int(numbers.max()) + 2 if len(numbers) else 1, None, dtype=object)
            table[numbers] = ids
            self._ids[kind] = table

    def one_to_one(self) -> bool:
        """Whether each kind's ids and numbers pair off one to one, every number at least 0
        (a number given to two ids would read back as only one of them)."""
        import numpy as np

        return all(
            self._index[kind].is_unique
            and len(np.unique(self._numbers[kind])) == len(self._numbers[kind])
            and not (self._numbers[kind] < 0).any()
            for kind in KINDS
        )

    def numbers(self, kind: str, ids: Any) -> np.ndarray:
        """The number of each text id (int64); :class:`UnknownKey` for an id not stored."""
        import numpy as np

        values = np.asarray(ids, dtype=object)
        if not len(values):
            return np.zeros(0, dtype=np.int64)
        where = self._index[kind].get_indexer(values)
        if (where < 0).any():
            raise UnknownKey(f"unknown {kind} {values[where < 0][0]!r}")
        return self._numbers[kind][where]

    def known_numbers(self, kind: str, ids: Iterable[str]) -> list[int]:
        """The numbers of those ids that are stored (others left out), as Python ints."""
        import numpy as np

        values = np.asarray(list(ids), dtype=object)
        where = self._index[kind].get_indexer(values) if len(values) else np.zeros(0, int)
        return [int(n) for n in self._numbers[kind][where[where >= 0]]]

    def number(self, kind: str, id_: str) -> int:
        return int(self.numbers(kind, [id_])[0])

    def ids(self, kind: str, numbers: Any) -> np.ndarray:
        """The text id of each number (object array)."""
        import numpy as np

        values = np.asarray(numbers, dtype=np.int64)
        table = self._ids[kind]
        values = np.where((values >= 0) & (values < len(table)), values, len(table) - 1)
        return table[values]

    def decode(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``evaluator_no, tender_no, criterion_no`` columns replaced by the text ids
        ``evaluator, tender, criterion`` (the other columns kept, in place)."""
        renamed = {}
        for kind in KINDS:
            name = f"{kind}_no"
            if name in frame.columns:
                renamed[name] = kind
                frame[name] = self.ids(kind, frame[name].to_numpy())
        return frame.rename(columns=renamed)


class Sheets:
    """The ``sheets`` rows of one exercise: found or recorded on import, decoded on reads."""

    def __init__(self, connection: Connection, exercise_id: str | None) -> None:
        self.connection = connection
        self.exercise_id = exercise_id
        s = table_of(SheetRow).c
        query = select(s.id, s.exercise_id, s.file, s.sha256, s.round, s.columns)
        if exercise_id is not None:
            query = query.where(s.exercise_id == exercise_id)
        self.rows: dict[int, list[Any]] = {
            int(r[0]): [r[1], r[2], r[3], r[4], list(r[5] or [])] for r in connection.execute(query)
        }
        self._by_key = {(r[0], r[1], r[2], r[3]): i for i, r in self.rows.items()}

    def ensure(
        self, file: str, sha256: str, round_name: str, columns: Iterable[str]
    ) -> tuple[int, dict[str, int]]:
        """The id of this exercise's sheet row for the file (recorded when new, its column
        list extended when the rows name a column it lacks) and each column's index."""
        wanted = [c for c in dict.fromkeys(columns)]
        key = (self.exercise_id, file, sha256, round_name)
        table = table_of(SheetRow)
        sheet_id = self._by_key.get(key)
        if sheet_id is None:
            sheet_id = int(
                self.connection.execute(
                    insert(table).returning(table.c.id),
                    [
                        {
                            "exercise_id": self.exercise_id,
                            "file": file,
                            "sha256": sha256,
                            "round": round_name,
                            "columns": wanted,
                            "imported_at": datetime.now(UTC),
                        }
                    ],
                ).scalar_one()
            )
            self.rows[sheet_id] = [self.exercise_id, file, sha256, round_name, list(wanted)]
            self._by_key[key] = sheet_id
        else:
            known = self.rows[sheet_id][4]
            missing = [c for c in wanted if c not in known]
            if missing:
                known.extend(missing)
                self.connection.execute(
                    update(table).where(table.c.id == sheet_id).values(columns=list(known))
                )
        return sheet_id, {c: i for i, c in enumerate(self.rows[sheet_id][4])}

    def encode(
        self,
        files: Any,
        columns: Any,
        sha: Mapping[str, str],
        round_name: str,
    ) -> tuple[np.ndarray, list[Any]]:
        """``(sheet_id, sheet_column)`` of rows read from ``files`` at ``columns`` (None for
        no column): an int64 array, and a list of ints and Nones."""
        import numpy as np
        import pandas as pd

        # one hash pass over each column; the few (file, column) pairs are looked up after
        file_codes, file_names = pd.factorize(np.asarray(files, dtype=object))
        column_codes, column_names = pd.factorize(np.asarray(columns, dtype=object))
        lookup = np.full((len(file_names), len(column_names) + 1), -1, dtype=np.int64)
        sheet_of = np.zeros(len(file_names), dtype=np.int64)
        for i, name in enumerate(file_names):
            used = np.unique(column_codes[file_codes == i])
            used = used[used >= 0]
            named = [str(column_names[c]) for c in used]
            sheet_id, index = self.ensure(str(name), sha[str(name)], round_name, named)
            sheet_of[i] = sheet_id
            lookup[i, used] = [index[n] for n in named]
        codes = lookup[file_codes, column_codes].astype(object)  # -1 picks the last column
        codes[column_codes < 0] = None
        return sheet_of[file_codes], codes.tolist()

    def decode(self, sheet_ids: Any, columns: Any) -> tuple[Any, Any, Any]:
        """``(file, sha256, column)`` object arrays for rows' sheet ids and column indexes."""
        import numpy as np
        import pandas as pd

        ids = np.asarray(sheet_ids, dtype=np.int64)
        order = sorted(self.rows)
        files = np.array([self.rows[i][1] for i in order] + [None], dtype=object)
        shas = np.array([self.rows[i][2] for i in order] + [None], dtype=object)
        where = pd.Index(order, dtype=np.int64).get_indexer(ids)
        where[where < 0] = len(order)
        names: list[Any] = []
        offset = np.zeros(len(order) + 1, dtype=np.int64)
        for k, i in enumerate(order):
            offset[k] = len(names)
            names += self.rows[i][4]
        offset[len(order)] = len(names)
        names.append(None)
        table = np.array(names, dtype=object)
        codes = pd.to_numeric(pd.Series(np.asarray(columns, dtype=object)), errors="coerce")
        missing = codes.isna().to_numpy()
        index = codes.fillna(0).to_numpy(dtype=np.int64)
        width = np.diff(offset, append=offset[-1])  # each sheet's columns; 0 for no sheet
        position = offset[where] + index
        # an index outside its own sheet's columns names no column (not a neighbour's)
        position[missing | (index < 0) | (index >= width[where])] = len(names) - 1
        return files[where], shas[where], table[position]


def decode_rows(
    frame: pd.DataFrame, keys: Keys, sheets: Sheets, *, sha256: bool = False
) -> pd.DataFrame:
    """A frame of stored rows with text ids: keys decoded, ``sheet_id, sheet_row,
    sheet_column`` become ``file, row, column`` (and ``sha256`` when asked)."""
    frame = keys.decode(frame)
    if "sheet_id" in frame.columns:
        file, sha, column = sheets.decode(
            frame["sheet_id"].to_numpy(), frame["sheet_column"].to_numpy(dtype=object)
        )
        at = list(frame.columns).index("sheet_id")
        frame = frame.drop(columns=["sheet_id", "sheet_column"])
        frame.insert(at, "file", file)
        frame = frame.rename(columns={"sheet_row": "row"})
        frame.insert(list(frame.columns).index("row") + 1, "column", column)
        if sha256:
            frame["sha256"] = sha
    return frame


def next_numbers(connection: Connection, model: Any, exercise_id: str, count: int) -> list[int]:
    """``count`` numbers after the highest one this exercise has given out."""
    highest = connection.execute(
        select(func.max(model.number)).where(model.exercise_id == exercise_id)
    ).scalar_one_or_none()
    start = int(highest or 0) + 1
    return list(range(start, start + count))


def numbered(items: Sequence[Any]) -> list[tuple[int, Any]]:
    return list(enumerate(items, start=1))
