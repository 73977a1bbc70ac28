"""Small-cell suppression: no published figure may single out people of a sensitive group.

A *sensitive cell* counts people of a sensitive priority group (disability, low income, dibao,
zero-employment family, poverty, employment difficulty, community correction: PIPL's sensitive
personal information), or trainees of a program made of such a group, or trainees of a course
aimed only at such groups. Rule, applied to every published table:

1. **Primary suppression.** A sensitive cell with ``1 <= n < threshold`` (10 by default, the
   ``RECO_STATS_MIN_CELL`` setting) is published as empty (``None``) and flagged
   ``suppressed``. Zero is published: it says nobody, and identifies nobody.
2. **Secondary suppression.** Tables are published beside their totals, so a single suppressed
   cell in a margin (one program's counties, say) could be recovered by subtraction. When a margin
   has exactly one suppressed cell in a column, the smallest other non-zero cell of that margin and
   column is suppressed too.

Rates computed over a suppressed count are suppressed with it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, Final

DEFAULT_MIN_CELL: Final[int] = 10


def suppress(rows: Sequence[dict[str, Any]], columns: Sequence[str], sensitive: Callable[[dict[str, Any]], bool],
             margin: Callable[[dict[str, Any]], Hashable], threshold: int = DEFAULT_MIN_CELL,
             dependent: dict[str, Sequence[str]] | None = None) -> list[dict[str, Any]]:
    """Copies of ``rows`` with small sensitive cells blanked (see the module docstring).

    Parameters
    ----------
    rows
        Table rows (dicts); ``columns`` are their count fields.
    sensitive
        Whether a row's cells are sensitive.
    margin
        The total a row adds into (e.g. its program); secondary suppression works within it.
    threshold
        Smallest publishable non-zero count.
    dependent
        Fields derived from a count column (``{"finished": ["certificate_rate", …]}``), blanked
        with it.

    Returns
    -------
    list of dict
        Each row gains ``suppressed`` (bool).
    """
    out = [dict(r, suppressed=False) for r in rows]
    blank: set[tuple[int, str]] = set()
    for i, r in enumerate(out):
        if not sensitive(r):
            continue
        for c in columns:
            v = r[c]
            if v is not None and 0 < v < threshold:
                blank.add((i, c))
    margins: dict[Hashable, list[int]] = {}
    for i, r in enumerate(out):
        margins.setdefault(margin(r), []).append(i)
    for members in margins.values():
        for c in columns:
            hidden = [i for i in members if (i, c) in blank]
            if len(hidden) != 1:
                continue
            others = [i for i in members if (i, c) not in blank and (out[i][c] or 0) > 0]
            if others:
                blank.add((min(others, key=lambda i: (out[i][c], i)), c))
    for i, c in sorted(blank):
        out[i][c] = None
        out[i]["suppressed"] = True
        for d in (dependent or {}).get(c, ()):
            out[i][d] = None
    return out
