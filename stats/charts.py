"""Charts of a quarterly report: progress per program, trainings per county, outcome funnels.

matplotlib ``Figure`` objects without pyplot (no display, no global state: safe in a web
worker); SVG output carries no date and a fixed hash salt,
so the same report draws the same file. Labels are English: the CJK fonts a bureau machine has
are not guaranteed on a server, and a chart of empty boxes is worse than an English one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from stats.programs import PROGRAMS

FORMATS = ("png", "svg")


def _save(fig: Figure, folder: Path, name: str, formats: Sequence[str]) -> list[Path]:
    out = []
    for fmt in formats:
        path = folder / f"{name}.{fmt}"
        tmp = path.with_name(f"{name}.tmp.{fmt}")
        with matplotlib.rc_context({"svg.hashsalt": "reco-stats"}):
            fig.savefig(tmp, format=fmt, dpi=110, bbox_inches="tight",
                        metadata={"Date": None} if fmt == "svg" else {"Software": None})
        tmp.replace(path)
        out.append(path)
    return out


def progress_chart(report: Mapping[str, Any]) -> Figure:
    """Horizontal bars: share of each program's target reached, with the straight-line mark."""
    rows = list(report["progress"])
    fig = Figure(figsize=(8, 0.45 * len(rows) + 1.4))
    ax = fig.subplots()
    labels = [PROGRAMS[r["program"]].name_en for r in rows]
    shares = [min(r["share_of_target"], 1.2) * 100 for r in rows]
    colors = ["#2e7d32" if r["on_track"] else "#c62828" for r in rows]
    y = range(len(rows))
    ax.barh(list(y), shares, color=colors)
    for i, r in enumerate(rows):
        ax.plot([r["expected_share"] * 100] * 2, [i - 0.4, i + 0.4], color="black", linewidth=1.5)
        done = r[f"plan_{report['measure']}"]
        ax.text(shares[i] + 1, i, f"{done:,} / {r['target']:,}", va="center", fontsize=8)
    ax.set_yticks(list(y), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"% of target ({report['measure']}); black mark: where a straight line would be")
    ax.set_title(f"Plan {report['plan']}: progress at the end of {report['quarter']} ({report['scope']})")
    ax.set_xlim(0, max(110.0, max(shares, default=0) + 25))
    return fig


def county_chart(report: Mapping[str, Any]) -> Figure:
    """Trainings of the whole plan per county in the quarter, by stage."""
    rows = sorted((r for r in report["by_county"] if r["program"] == "all"), key=lambda r: r["county"])
    fig = Figure(figsize=(8, 3.6))
    ax = fig.subplots()
    x = range(len(rows))
    for offset, stage, color in ((-0.27, "enrolled", "#90caf9"), (0.0, "completed", "#1e88e5"),
                                 (0.27, "certified", "#0d47a1")):
        ax.bar([i + offset for i in x], [r[stage] or 0 for r in rows], width=0.27, label=stage, color=color)
    ax.set_xticks(list(x), [r["county"] for r in rows], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("subsidized trainings")
    ax.set_title(f"Subsidized trainings per county, {report['quarter']}")
    ax.legend(fontsize=8)
    return fig


def funnel_chart(report: Mapping[str, Any], top: int = 12) -> Figure:
    """Outcome funnel of the largest institutions: enrolled → completed → certified, with rating."""
    rows = sorted((r for r in report["institutions"] if r["enrolled"] is not None),
                  key=lambda r: (-r["enrolled"], r["key"]))[:top]
    fig = Figure(figsize=(8, 0.42 * len(rows) + 1.4))
    ax = fig.subplots()
    y = list(range(len(rows)))
    ax.barh(y, [r["enrolled"] for r in rows], color="#cfd8dc", label="enrolled")
    ax.barh(y, [r["completed"] for r in rows], color="#78909c", label="completed")
    ax.barh(y, [r["certified"] for r in rows], color="#263238", label="certified")
    for i, r in enumerate(rows):
        rate = r["certificate_rate"]
        if rate is not None:
            ax.text(r["enrolled"] + 2, i, f"{rate:.0%} [{r['certificate_rate_low']:.0%}–"
                    f"{r['certificate_rate_high']:.0%}] of {r['finished']}", va="center", fontsize=7)
    ax.set_yticks(y, [f"{r['key']} ({r['credit_rating']})" for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("trainees; text: certificate rate of finished trainees [95% Wilson] of n")
    ax.set_title(f"Outcome funnel of the largest institutions, to the end of {report['quarter']}")
    ax.legend(fontsize=8, loc="lower right")
    return fig


def write_charts(folder: Path, report: Mapping[str, Any], formats: Sequence[str] = FORMATS) -> list[Path]:
    """``progress``, ``counties`` and ``funnel`` charts in each format, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    out += _save(progress_chart(report), folder, "progress", formats)
    out += _save(county_chart(report), folder, "counties", formats)
    out += _save(funnel_chart(report), folder, "funnel", formats)
    return out
