"""The promotion gate: whether a freshly trained model may replace the one being served.

The old gate compared precision@10 and recall@10 over every open course. Both tie for every model
when there are ten or fewer candidates (everything is in everybody's top ten), so on such data
nothing was ever promoted; and neither figure is what a worker sees. The gate now reads the
serving-true evaluation (:mod:`recommender.served_evaluation`) and refuses when any check fails:

1. **ranking among servable courses**: the hybrid's AUC among the courses serving may show is
   above popularity's (AUC stays informative with two courses);
2. **the served list**: the hybrid's served recall@10 is not below popularity-among-eligible's
   (popularity's scores through the very same ranking);
3. **unseen workers**: the hybrid's AUC for cold-start users is not below the content-only model's
   beyond the paired bootstrap interval (every inline profile from the app is such a worker);
4. **every priority group**: no group's served recall is worse than popularity-among-eligible's
   beyond the paired bootstrap interval (the interval's upper end is below zero).

An operator may promote a refused model with a reason (``--promote --reason``); the override is
recorded in the artifact's meta.json and appended to ``promotion_audit.jsonl`` next to the versions.
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

AUDIT_FILE = "promotion_audit.jsonl"


@dataclass(frozen=True)
class GateDecision:
    """The gate's verdict: each check as one readable line, and whether all passed."""

    passed: bool
    checks: list[tuple[bool, str]] = field(default_factory=list)

    @property
    def failures(self) -> list[str]:
        """Texts of the failed checks."""
        return [text for ok, text in self.checks if not ok]

    def summary(self) -> str:
        """One line: why promoted or why not."""
        if self.passed:
            return "all gate checks passed: " + "; ".join(text for _, text in self.checks)
        return "refused: " + "; ".join(self.failures)


def _f(v: Any) -> str:
    return "—" if v is None else f"{v:.3f}"


def _ci(stats: Mapping[str, Any]) -> str:
    if stats.get("mean") is None:
        return "— (n 0)"
    return f"{_f(stats['mean'])} [{_f(stats['lo'])}, {_f(stats['hi'])}] (n {stats['n']})"


def gate(metrics: Mapping[str, Any]) -> GateDecision:
    """Apply the four checks of the module docstring to a training run's metrics.

    Parameters
    ----------
    metrics
        As written by :func:`training_jobs.train.run_training` (``hybrid``/``popularity``/
        ``content_only`` each with a ``served`` summary, and ``comparisons``).

    Returns
    -------
    GateDecision
    """
    h, p = metrics["hybrid"]["served"], metrics["popularity"]["served"]
    comp = metrics["comparisons"]
    checks: list[tuple[bool, str]] = []

    ha, pa = h["eligible_auc"]["mean"], p["eligible_auc"]["mean"]
    checks.append((ha is not None and (pa is None or ha > pa),
                   f"AUC among servable courses {_f(ha)} vs popularity {_f(pa)}"))

    diff = comp["served_recall_hybrid_minus_popularity"]
    hr, pr = h["served_recall"]["mean"], p["served_recall"]["mean"]
    ok = diff["mean"] is not None and diff["mean"] >= 0.0
    checks.append((ok, f"served recall@10 {_f(hr)} vs popularity-among-eligible {_f(pr)} "
                       f"(difference {_ci(diff)})"))

    cold = comp["cold_auc_hybrid_minus_content_only"]
    ok = cold["mean"] is None or cold["hi"] >= 0.0
    checks.append((ok, "cold-start users: AUC difference hybrid − content-only "
                       + (_ci(cold) if cold["mean"] is not None else "not measurable (no cold-start test user)")))

    worse = [(g, d) for g, d in comp["group_served_recall_hybrid_minus_popularity"].items()
             if d["mean"] is not None and d["n"] > 1 and d["hi"] < 0.0]
    if worse:
        checks.append((False, "worse than popularity-among-eligible beyond the interval for "
                              + ", ".join(f"{g} {_ci(d)}" for g, d in worse)))
    else:
        checks.append((True, "no priority group is served worse than by popularity beyond its interval"))
    return GateDecision(all(ok for ok, _ in checks), checks)


def record_override(artifacts_root: Path, version: str, reason: str, decision: GateDecision) -> dict[str, Any]:
    """Append an operator's override to the audit file and return the entry (for meta.json).

    Raises
    ------
    ValueError
        Without a reason: an override nobody can explain later is not an audit trail.
    """
    if not reason or not reason.strip():
        raise ValueError("an override needs a reason (--reason)")
    entry = {"version": version, "at": datetime.now(UTC).isoformat(timespec="seconds"),
             "by": getpass.getuser(), "reason": reason.strip(), "gate": decision.summary()}
    artifacts_root.mkdir(parents=True, exist_ok=True)
    fd = os.open(artifacts_root / AUDIT_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return entry
