"""Train and evaluate the same hybrid on an outside data set given as CSV tables.

So that the recommender can be checked on data that is not ours (a public data set, another
bureau's logs) without patching internals. A folder holds:

``interactions.csv`` (required)
    ``user_id,item_id`` and optionally ``timestamp`` (ISO date-time or Unix seconds), ``rating``
    (kept when ``>= --min-rating``) and ``split`` (``train``/``test``: a fixed split such as
    MovieLens' ``ua``; without it the latest ``--test-fraction`` of events by time are held out).
``users.csv``, ``items.csv`` (optional)
    ``user_id`` / ``item_id`` and any other columns; each cell becomes a feature ``column:value``,
    and a cell may hold several values separated by ``|`` (genres). Ids are any strings.

The fit is the service's own: the content-only LightFM on these attribute features, then the
hybrid warm-started from it with frozen attributes (:mod:`recommender.model`), with the same
hyperparameters. The evaluation is the service's ranking protocol over all items (the rules,
travel and diversity of the served list have no meaning outside Yancheng, so the served list *is*
the top ten here): precision@10, recall@10, AUC, cold-start users' AUC, with bootstrap intervals
and n, against popularity.

For MovieLens-100k, write ``interactions.csv`` from ``u.data`` (``user_id,item_id,rating,timestamp``
with ``split`` from ``ua.base``/``ua.test``), ``users.csv`` from ``u.user`` (age, gender,
occupation) and ``items.csv`` from ``u.item`` (genres joined with ``|``); LightFM's published
reference there is WARP precision@10 0.11 and AUC 0.90. No registry package reachable from here
ships that data, so the suite runs this path on a generated data set of the same shape
(``tests/training_jobs/test_outside_data.py``).

``python -m training_jobs.outside_data DIR [--min-rating 4] [--report report.md]``
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from recommender.evaluation import EvalTask, auc_per_user, evaluate_scores, precision_recall_at_k
from recommender.features import FeatureSpace, IdMap
from recommender.items import Interaction
from recommender.model import HybridModel, ModelParams, WarmStart, build_interaction_matrices
from recommender.served_evaluation import bootstrap_mean

K = 10


@dataclass
class OutsideData:
    """An outside data set with ids mapped to ints (``user_keys[i]`` is the original id of ``i``)."""

    train: list[Interaction]
    test: list[Interaction]
    user_names: dict[int, list[str]]
    item_names: dict[int, list[str]]
    user_keys: list[str]
    item_keys: list[str]


def _when(raw: str | None, row: int) -> datetime:
    if not raw:
        return datetime.fromtimestamp(row, tz=UTC)  # file order when there is no time
    if raw.replace(".", "", 1).isdigit():
        return datetime.fromtimestamp(float(raw), tz=UTC)
    moment = datetime.fromisoformat(raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _attributes(path: Path, key: str) -> dict[str, list[str]]:
    if not path.is_file():
        return {}
    out: dict[str, list[str]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            names = [f"{col}:{v.strip()}" for col, cell in r.items() if col != key and cell
                     for v in cell.split("|") if v.strip()]
            out[r[key]] = names
    return out


def read_outside(folder: Path, min_rating: float | None = None, test_fraction: float = 0.2) -> OutsideData:
    """Read the CSV tables of the module docstring and split train/test.

    Raises
    ------
    ValueError
        When ``interactions.csv`` lacks ``user_id``/``item_id``, or a row has an empty id, or a
        ``split`` other than train/test; every bad row is listed.
    """
    users: dict[str, int] = {}
    items: dict[str, int] = {}
    rows: list[tuple[int, int, datetime, str | None]] = []
    errors: list[str] = []
    with open(folder / "interactions.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if not {"user_id", "item_id"} <= set(reader.fieldnames or ()):
            raise ValueError("interactions.csv needs user_id and item_id columns")
        for n, r in enumerate(reader, start=2):
            if not r["user_id"] or not r["item_id"]:
                errors.append(f"line {n}: empty user_id or item_id")
                continue
            split = (r.get("split") or "").strip() or None
            if split not in (None, "train", "test"):
                errors.append(f"line {n}: split must be train or test, not {split!r}")
                continue
            if min_rating is not None and r.get("rating") and float(r["rating"]) < min_rating:
                continue
            u = users.setdefault(r["user_id"], len(users))
            i = items.setdefault(r["item_id"], len(items))
            rows.append((u, i, _when(r.get("timestamp"), n), split))
    if errors:
        raise ValueError("interactions.csv: " + "; ".join(errors))
    events = [Interaction(u, i, "enrol", at) for u, i, at, _ in rows]
    if any(s is not None for *_, s in rows):
        train = [e for e, r in zip(events, rows, strict=True) if r[3] != "test"]
        test = [e for e, r in zip(events, rows, strict=True) if r[3] == "test"]
    else:
        ordered = sorted(events, key=lambda e: (e.at, e.worker_id, e.course_id))
        cut = int(len(ordered) * (1.0 - test_fraction))
        train, test = ordered[:cut], ordered[cut:]
    uattr, iattr = _attributes(folder / "users.csv", "user_id"), _attributes(folder / "items.csv", "item_id")
    return OutsideData(train, test, {u: uattr.get(k, []) for k, u in users.items()},
                       {i: iattr.get(k, []) for k, i in items.items()}, list(users), list(items))


def _shared(target: Mapping[str, int], source: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
    names = [n for n in source if n in target]
    return (np.array([target[n] for n in names], dtype=np.int64),
            np.array([source[n] for n in names], dtype=np.int64))


def fit_outside(data: OutsideData, params: ModelParams) -> tuple[tuple[HybridModel, FeatureSpace],
                                                                tuple[HybridModel, FeatureSpace]]:
    """Fit content-only, then the warm-started hybrid, on the training events."""
    uids = IdMap.from_ids(sorted({e.worker_id for e in data.train}))
    iids = IdMap.from_ids(sorted({e.course_id for e in data.train}))
    mats = build_interaction_matrices(data.train, uids, iids)
    fitted = []
    content_model: HybridModel | None = None
    content_fs: FeatureSpace | None = None
    for identity in (False, True):
        fs = FeatureSpace.from_names(data.user_names, data.item_names, uids, iids, identity, params.identity_weight)
        uf = fs.user_matrix_from_names([(u, data.user_names[u]) for u in uids.external_ids])
        itf = fs.item_matrix_from_names([(i, data.item_names[i]) for i in iids.external_ids])
        warm = None
        epochs = params.epochs
        if identity and content_model is not None and content_fs is not None and params.warm_epochs > 0:
            warm = WarmStart(content_model.lightfm, _shared(fs.user_columns, content_fs.user_columns),
                             _shared(fs.item_columns, content_fs.item_columns), freeze=params.freeze_attributes)
            epochs = params.warm_epochs
        model = HybridModel(params).fit(mats.interactions, uf, itf, mats.weights, epochs=epochs, warm_start=warm)
        fitted.append((model, fs))
        content_model, content_fs = model, fs
    return fitted[1], fitted[0]


def outside_task(data: OutsideData) -> EvalTask:
    """Users with a test positive not seen in training, ranked over every item."""
    train_pos: dict[int, set[int]] = {}
    for e in data.train:
        train_pos.setdefault(e.worker_id, set()).add(e.course_id)
    test_pos: dict[int, set[int]] = {}
    for e in data.test:
        if e.course_id not in train_pos.get(e.worker_id, set()):
            test_pos.setdefault(e.worker_id, set()).add(e.course_id)
    users = sorted(test_pos)
    cands = np.arange(len(data.item_keys), dtype=np.int64)
    exclude = np.zeros((len(users), cands.size), dtype=bool)
    relevant = np.zeros_like(exclude)
    for r, u in enumerate(users):
        exclude[r, list(train_pos.get(u, ()))] = True
        relevant[r, list(test_pos[u])] = True
    train_items = {e.course_id for e in data.train}
    return EvalTask(users, cands, exclude, relevant, np.array([u not in train_pos for u in users], dtype=bool),
                    np.array([i not in train_items for i in cands], dtype=bool), [frozenset() for _ in users])


def _scores(model: HybridModel, fs: FeatureSpace, data: OutsideData, task: EvalTask) -> np.ndarray:
    users = model.user_matrix(fs.user_matrix_from_names([(u, data.user_names[u]) for u in task.user_ids]))
    items = model.item_matrix(fs.item_matrix_from_names([(int(i), data.item_names[int(i)])
                                                         for i in task.candidate_ids]))
    return users.vectors @ items.vectors.T + items.biases[None, :] + users.biases[:, None]


def evaluate_outside(data: OutsideData, params: ModelParams, n_boot: int = 500) -> dict[str, Any]:
    """Fit and grade hybrid, content-only and popularity; means with bootstrap intervals and n."""
    t = time.perf_counter()
    (hm, hfs), (cm, cfs) = fit_outside(data, params)
    fit_s = time.perf_counter() - t
    task = outside_task(data)
    pop = np.zeros(task.candidate_ids.size)
    for e in data.train:
        pop[e.course_id] += 1.0
    scores = {"hybrid": _scores(hm, hfs, data, task), "content_only": _scores(cm, cfs, data, task),
              "popularity": np.broadcast_to(pop, task.relevant.shape)}
    out: dict[str, Any] = {"fit_seconds": fit_s, "n_users": len(task.user_ids),
                           "n_items": int(task.candidate_ids.size), "cold_users": int(task.cold.sum())}
    for name, s in scores.items():
        prec, rec = precision_recall_at_k(s, task.relevant, task.exclude, K)
        auc = auc_per_user(s, task.relevant, task.exclude)
        out[name] = {f"precision@{K}": bootstrap_mean(prec, n_boot), f"recall@{K}": bootstrap_mean(rec, n_boot),
                     "auc": bootstrap_mean(auc, n_boot), "cold_user_auc": bootstrap_mean(auc[task.cold], n_boot),
                     "coverage@10": evaluate_scores(s, task, K)[f"coverage@{K}"]}
    return out


def render(metrics: Mapping[str, Any], source: str) -> str:
    """A short markdown report."""
    def ci(s: Mapping[str, Any]) -> str:
        return "—" if s["mean"] is None else f"{s['mean']:.3f} [{s['lo']:.3f}, {s['hi']:.3f}] n={s['n']}"

    lines = [f"# Outside data set: {source}", "",
             f"{metrics['n_users']} test users ({metrics['cold_users']} without training events), "
             f"{metrics['n_items']} items; fit {metrics['fit_seconds']:.1f} s (content-only + hybrid).", "",
             f"| scorer | precision@{K} | recall@{K} | AUC | cold-user AUC |", "|---|---|---|---|---|"]
    for name in ("hybrid", "content_only", "popularity"):
        m = metrics[name]
        lines.append(f"| {name} | {ci(m[f'precision@{K}'])} | {ci(m[f'recall@{K}'])} | {ci(m['auc'])} | "
                     f"{ci(m['cold_user_auc'])} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: evaluate the recommender on an outside CSV data set and print (or write) the report."""
    ap = argparse.ArgumentParser(description="Train and evaluate the hybrid on outside CSV tables.")
    ap.add_argument("folder", type=Path)
    ap.add_argument("--min-rating", type=float, default=None)
    ap.add_argument("--test-fraction", type=float, default=0.2)
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--report", type=Path, default=None)
    args = ap.parse_args(argv)
    params = ModelParams()
    if args.epochs is not None:
        params = replace(params, epochs=args.epochs)
    data = read_outside(args.folder, args.min_rating, args.test_fraction)
    report = render(evaluate_outside(data, params), args.folder.name)
    if args.report is not None:
        args.report.write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
