"""The training report: report.md and its plots, written next to every artifact."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

K = 10
SCORERS = (("hybrid", "hybrid"), ("content_only", "content-only"), ("popularity", "popularity-among-eligible"),
           ("rule_based", "rule-based (no model)"))


def _fmt(v: Any) -> str:
    return "—" if v is None else f"{v:.4f}" if isinstance(v, float) else str(v)


def _ci(stats: Mapping[str, Any] | None) -> str:
    if not stats or stats.get("mean") is None:
        return "— (n 0)"
    return f"{stats['mean']:.3f} [{stats['lo']:.3f}, {stats['hi']:.3f}] n={stats['n']}"


def summary_table(metrics: Mapping[str, Any]) -> str:
    """Markdown table of the served list and of the ranking among servable courses, per scorer."""
    lines = [f"| scorer | served recall@{K} | recall@{K} among servable | AUC among servable | "
             "cold-user AUC among servable | new-item AUC |", "|---|---|---|---|---|---|"]
    for key, label in SCORERS:
        if key not in metrics:
            continue
        s = metrics[key]["served"]
        lines.append(f"| {label} | {_ci(s['served_recall'])} | {_ci(s.get('eligible_recall'))} | "
                     f"{_ci(s.get('eligible_auc'))} | {_ci(s.get('eligible_auc_cold_users'))} | "
                     f"{_ci(s.get('new_items_auc'))} |")
    return "\n".join(lines)


def all_open_table(metrics: Mapping[str, Any]) -> str:
    """The old protocol (every open course a candidate), kept for comparison with earlier reports."""
    cols = [f"precision@{K}", f"recall@{K}", "auc", f"coverage@{K}"]
    lines = ["| model | " + " | ".join(cols) + " | cold-user AUC | new-item AUC |", "|---" * (len(cols) + 3) + "|"]
    for name in ("hybrid", "popularity", "content_only"):
        m = metrics[name]
        lines.append(f"| {name} | " + " | ".join(_fmt(m[c]) for c in cols)
                     + f" | {_fmt(m['cold_users']['auc'])} | {_fmt(m['new_items_auc'])} |")
    return "\n".join(lines)


def group_table(metrics: Mapping[str, Any]) -> str:
    """Markdown table of served recall@10 per priority group, with n and intervals."""
    h = metrics["hybrid"]["served"]["served_recall_by_group"]
    diffs = metrics["comparisons"]["group_served_recall_hybrid_minus_popularity"]
    lines = [f"| priority group | test users | hybrid served recall@{K} | content-only | popularity-among-eligible | "
             "hybrid − popularity (paired) |", "|---|---|---|---|---|---|"]
    for g, stats in h.items():
        lines.append(f"| {g} | {stats['n']} | {_ci(stats)} | "
                     f"{_ci(metrics['content_only']['served']['served_recall_by_group'].get(g))} | "
                     f"{_ci(metrics['popularity']['served']['served_recall_by_group'].get(g))} | {_ci(diffs.get(g))} |")
    return "\n".join(lines)


def gaps_section(metrics: Mapping[str, Any]) -> list[str]:
    """Fairness: every group below 0.8× the overall served recall, named with interval and cause."""
    overall = metrics["hybrid"]["served"]["served_recall"]["mean"]
    gaps = metrics.get("group_gaps", [])
    if not gaps:
        return [f"Every priority group's served recall@{K} is at least 0.8 × the overall ({_fmt(overall)})."]
    lines = [f"Overall hybrid served recall@{K}: {_fmt(overall)}; 0.8 × overall = {_fmt(0.8 * overall)}. "
             "Groups below it (\"clearly\": the whole interval is below; \"possibly\": the mean is, the interval "
             "reaches above). The cause is read from the share of the group's test positives the rules forbid "
             "and from the group's served recall counted only over positives the rules allow (if that reaches "
             "0.8 × the overall figure counted the same way, the rules explain the gap; otherwise the model "
             "and ranking do).", "",
             "Beside it, the share of the group's positives known only from the training archive (enrolments "
             "a counselor recorded, no app event) and the group's served recall over app-event positives only.",
             "",
             "| group | served recall@10 | status | positives the rules forbid | recall over allowed positives "
             "(overall) | archive-only positives | recall over app-event positives (overall) | cause |",
             "|---|---|---|---|---|---|---|---|"]
    for g in gaps:
        share = g.get("archive_only_share")
        lines.append(f"| {g['group']} | {_ci(g['served_recall'])} | {g['status']} | {g['forbidden_share']:.1%} | "
                     f"{_fmt(g['allowed_recall'])} ({_fmt(g['overall_allowed_recall'])}) | "
                     f"{'—' if share is None else f'{share:.0%}'} | "
                     f"{_fmt(g.get('app_event_recall'))} ({_fmt(g.get('overall_app_event_recall'))}) | {g['cause']} |")
    return lines


def outcome_section(metrics: Mapping[str, Any]) -> list[str]:
    """The outcome terms' effect: served recall beside expected certificates per recommendation."""
    eff = metrics.get("outcome_effect")
    if not eff:
        return []
    return [
        "## Outcome-aware ranking: relevance and certificates",
        "",
        "The blend prefers courses whose past trainees earned their certificates (the course's certificate "
        "rate shrunk toward its institution's, and that toward the mean: `recommender.course_outcomes`; "
        f"weight {eff['outcome_weight']}) and demotes courses of institutions under the training-quality "
        f"floor (poor credit rating, or a shrunk rate far below peers; weight {eff['quality_floor_weight']}). "
        "*Expected certificates per recommendation* is the mean shrunk certificate rate of the courses in a "
        "served list (the archive's rates as of today).",
        "",
        f"| hybrid's served list | served recall@{K} | expected certificates per recommendation |",
        "|---|---|---|",
        f"| with the outcome terms | {_ci(eff['with']['served_recall'])} | {_ci(eff['with']['served_certificates'])} |",
        f"| without (weights 0) | {_ci(eff['without']['served_recall'])} | "
        f"{_ci(eff['without']['served_certificates'])} |",
        *(f"| {label} | {_ci(eff[key]['served_recall'])} | {_ci(eff[key]['served_certificates'])} |"
          for key, label in (("certificate_term_only", "certificate-rate term only"),
                             ("quality_floor_only", "quality floor only")) if key in eff),
        "",
    ]


def tuning_table(rows: Sequence[Mapping[str, Any]], chosen: Mapping[str, Any]) -> str:
    """The validation grid: model weight × diversity cap → served recall and diversity."""
    lines = ["| model weight | cap per occupation / institution | hybrid | content-only | popularity | "
             "hybrid's list: length, distinct occupations (share) |", "|---|---|---|---|---|---|"]
    for r in rows:
        mark = " **(chosen)**" if (r["model_weight"] == chosen["model_weight"]
                                   and r["cap"] == chosen["max_per_occupation"]) else ""
        lines.append(f"| {r['model_weight']}{mark} | {r['cap'] if r['cap'] is not None else 'none'} | "
                     f"{r['hybrid']:.4f} | {r.get('content_only', float('nan')):.4f} | "
                     f"{r.get('popularity', float('nan')):.4f} | {r['list_length']:.1f}, {r['distinct_occupations']:.1f} "
                     f"({r['distinct_share']:.0%}) |")
    return "\n".join(lines)


def group_chart(metrics: Mapping[str, Any]) -> bytes:
    """PNG: served recall@10 per priority group with bootstrap intervals, hybrid vs baselines."""
    import matplotlib

    matplotlib.use("Agg")  # no display on training machines
    import matplotlib.pyplot as plt

    names = ("hybrid", "content_only", "popularity")
    groups = list(metrics["hybrid"]["served"]["served_recall_by_group"])
    x = np.arange(len(groups))
    fig, ax = plt.subplots(figsize=(11, 4.5))
    for i, name in enumerate(names):
        by = metrics[name]["served"]["served_recall_by_group"]
        mean = np.array([by[g]["mean"] or 0.0 for g in groups])
        lo = np.array([by[g]["lo"] if by[g]["lo"] is not None else 0.0 for g in groups])
        hi = np.array([by[g]["hi"] if by[g]["hi"] is not None else 0.0 for g in groups])
        ax.bar(x + (i - 1) * 0.27, mean, width=0.27, label=name,
               yerr=np.vstack([mean - lo, hi - mean]), capsize=2)
    overall = metrics["hybrid"]["served"]["served_recall"]["mean"] or 0.0
    ax.axhline(0.8 * overall, color="grey", linestyle="--", linewidth=1, label="0.8 × overall (hybrid)")
    ax.set_xticks(x)
    ax.set_xticklabels([f"{g}\n(n={metrics['hybrid']['served']['served_recall_by_group'][g]['n']})"
                        for g in groups], rotation=35, ha="right", fontsize=7)
    ax.set_ylabel(f"served recall@{K}")
    ax.set_title(f"Holdout served recall@{K} per priority group (95% bootstrap intervals)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _png(fig, plt)


def tuning_chart(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """PNG: the diversity/relevance trade-off on validation."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for r in rows:
        ax.scatter(r["distinct_occupations"], r["hybrid"], color="tab:blue")
        ax.annotate(f"w={r['model_weight']}, cap={r['cap']}", (r["distinct_occupations"], r["hybrid"]), fontsize=7)
    ax.set_xlabel("distinct occupations in the served list")
    ax.set_ylabel(f"validation served recall@{K} (hybrid)")
    ax.set_title("Diversity vs relevance (validation split)")
    fig.tight_layout()
    return _png(fig, plt)


def _png(fig: Any, plt: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def method_paragraph(params: Mapping[str, Any]) -> str:
    """How the hybrid was fitted, in words."""
    epochs, warm = params.get("epochs"), params.get("warm_epochs", 0)
    weight = params.get("identity_weight")
    if not warm:
        return (f"Hybrid LightFM ({params.get('loss')}, {params.get('no_components')} components), fitted from "
                f"scratch for {epochs} epochs on worker and course attribute features plus one identity "
                f"feature per worker and course seen in training (weight {weight} on top of the "
                "L1-normalized attributes). Content-only is the same LightFM without identity features.")
    frozen = params.get("freeze_attributes", False)
    return (f"The hybrid is fitted in two stages. Stage 1 is the content-only model: LightFM "
            f"({params.get('loss')}, {params.get('no_components')} components) trained {epochs} epochs on "
            "worker attributes (priority groups, age band, education, counties, occupation, certificates, "
            "interests) and course attributes (occupation, category, level, type, institution, county, "
            "shortage, delivery, target groups) only; it is also the content-only baseline below. Stage 2 "
            "adds one identity feature per worker and course seen in training, with weight "
            f"{weight} on top of the L1-normalized attributes, starts from stage 1's attribute embeddings "
            f"with zero identity embeddings, and trains {warm} more epochs"
            + (" with the attribute embeddings frozen" if frozen else "")
            + ": each identity embedding is an offset learning only what that worker's or course's history "
            "says beyond their attributes. Workers without history and new courses keep the attribute-only "
            "representation" + (", exactly the content-only model's" if frozen else "") + ".")


def render(version: str, promoted: bool, reason: str, metrics: Mapping[str, Any], info: Mapping[str, Any],
           data_source: str) -> str:
    """The whole report.md."""
    setup = metrics["serving_setup"]
    diff = metrics["comparisons"]["served_recall_hybrid_minus_popularity"]
    h, p = metrics["hybrid"]["served"]["served_recall"], metrics["popularity"]["served"]["served_recall"]
    separated = h["lo"] is not None and p["hi"] is not None and h["lo"] > p["hi"]
    cold_h = metrics["hybrid"]["served"]["eligible_auc_cold_users"]["mean"]
    cold_c = metrics["content_only"]["served"]["eligible_auc_cold_users"]["mean"]
    cold_ok = cold_h is not None and cold_c is not None and cold_h >= cold_c
    lines = [
        f"# Recommender training report — {version}",
        "",
        f"**Promoted:** {'yes' if promoted else 'NO'} — {reason}",
        "",
        "## Data",
        "",
        f"**{data_source}**",
        "",
        *(f"- {k}: {v}" for k, v in info.items()),
        "",
        f"## What a worker is shown: the served list (holdout, k = {K})",
        "",
        "Every test user is served as of the holdout cutoff by the serving code itself: the rules R1–R12, "
        "the enrolment window, the travel range, the blend of the model's rank percentile with the policy "
        "terms and the diversity caps (`recommender.served_evaluation`). *Served recall* counts the user's "
        "test positives found in that list, over all their test positives (including any the rules forbid). "
        "*Among servable* grades the raw scores over only the courses serving may show that user. "
        "Popularity-among-eligible is popularity's score through the same serving code. Means with 95% "
        "bootstrap intervals over users and n.",
        "",
        summary_table(metrics),
        "",
        f"Hybrid − popularity-among-eligible, served recall@{K} (paired bootstrap): {_ci(diff)}; the two "
        f"intervals {'do not overlap' if separated else 'OVERLAP'}. Cold-start users' AUC among servable "
        f"courses: hybrid {_fmt(cold_h)} vs content-only {_fmt(cold_c)} "
        f"({'hybrid ≥ content-only' if cold_ok else 'hybrid BELOW content-only'}).",
        "",
        "## Promotion gate",
        "",
        *(f"- {'pass' if ok else 'FAIL'}: {text}" for ok, text in metrics["gate"]["checks"]),
        *([f"- operator override: {metrics['gate']['override']}"] if metrics["gate"].get("override") else []),
        "",
        f"## Served recall@{K} per priority group",
        "",
        group_table(metrics),
        "",
        "![served recall per group](metrics_by_group.png)",
        "",
        "### Groups below 0.8 × the overall",
        "",
        *gaps_section(metrics),
        "",
        *outcome_section(metrics),
        "## Serving setup chosen on validation",
        "",
        "The model weight of the blend and the diversity caps were chosen on a validation split inside the "
        "training window (its latest events), with a model fitted on the events before it; the holdout "
        f"above was used once, with the chosen setup: model weight {setup['model_weight']}, at most "
        f"{setup['max_per_occupation'] or 'any number of'} courses per occupation and per institution. The "
        "artifact carries this setup and serving ranks with it.",
        "",
        tuning_table(metrics["tuning"], setup),
        "",
        "![diversity vs relevance](tuning.png)",
        "",
        "## Method",
        "",
        method_paragraph(info.get("params", {})),
        "",
        "## The old protocol: every open course a candidate",
        "",
        "Kept for comparison with earlier reports; it ranks courses nobody may take and no one is shown.",
        "",
        all_open_table(metrics),
        "",
    ]
    return "\n".join(lines)
