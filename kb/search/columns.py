"""Per-document columns of a search index as small code arrays: facets counted with bincount.

A query can match tens of thousands of documents; counting them per section, language or status
with a Python loop costs milliseconds, with numpy over one code per document microseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Codes = npt.NDArray[np.signedinteger[Any]]
Docnums = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Column:
    """One value per document, stored as a code into `names`; `len(names)` means none."""

    names: tuple[str, ...]
    codes: Codes

    @classmethod
    def of(cls, values: Mapping[int, str | None], size: int, names: Iterable[str] = ()) -> Column:
        """Encode docnum → value (documents not in `values`, or None, have no value).

        `names` fixes the order of known values (statuses); other values follow, sorted.
        """
        order = list(dict.fromkeys(names))
        order += sorted({v for v in values.values() if v is not None} - set(order))
        code = {name: number for number, name in enumerate(order)}
        # A byte per document while the values fit (statuses, most sites' sections).
        codes: Codes = np.full(size, len(order), dtype=np.int16)
        if len(order) < np.iinfo(np.int8).max:
            codes = codes.astype(np.int8)
        if values:
            docs = np.fromiter(values, dtype=np.intp, count=len(values))
            codes[docs] = [
                code.get(v, len(order)) if v is not None else len(order) for v in values.values()
            ]
        return cls(tuple(order), codes)

    def name_of(self, docnum: int) -> str | None:
        """Return a document's value, None when it has none."""
        number = int(self.codes[docnum])
        return self.names[number] if number < len(self.names) else None

    def code_of(self, name: str | None) -> int:
        """Return the code of a value (`len(names)` for an unknown one or None)."""
        if name is None:
            return len(self.names)
        try:
            return self.names.index(name)
        except ValueError:
            return len(self.names)

    def mask(self, wanted: Iterable[str]) -> npt.NDArray[np.bool_]:
        """Return, per code, whether a document with it has one of some values (None: never)."""
        keep = np.zeros(len(self.names) + 1, dtype=np.bool_)
        for name in wanted:
            if name in self.names:
                keep[self.names.index(name)] = True
        return keep

    def count(self, docnums: Docnums) -> dict[str, int]:
        """Count some documents per value (values no document has are left out)."""
        counts = np.bincount(self.codes[docnums], minlength=len(self.names) + 1)
        return {name: int(n) for name, n in zip(self.names, counts.tolist(), strict=False) if n}

    def nbytes(self) -> int:
        """Return the memory the codes take."""
        return int(self.codes.nbytes)
