"""Benchmark: the training pipeline against the bare LightFM fits it needs, in one run.

``python bench/bench_training.py`` (5,000 synthetic workers, 600 courses, 3 repeats; ``--workers
1000 --repeat 1`` for a smoke run) prints a table and writes ``bench/results/training.json``.

1. **The fit phase**, each repeat: :func:`training_jobs.train.fit_hybrid` on the training split
   (features, interaction matrices, the content-only stage, the warm-started hybrid stage with its
   per-epoch freeze) against bare ``LightFM.fit_partial`` calls with the *same* matrices, epochs,
   components and threads (content-only ``epochs``, then hybrid ``warm_epochs``), and the
   time of building those matrices on its own. Target: pipeline / bare <= 1.25.
2. **The whole run**, once: :func:`training_jobs.train.run_training` with its phase timings (split,
   validation fit + tuning, train-split fit, evaluation, refit on all data when promoted, report,
   artifact) against the bare fits of the same three fits (validation window, training split, all
   events), so every overhead is named.
3. ``--grid``: quality per second of fitting for components x (epochs + warm epochs), served
   recall@10 and AUC of the hybrid on the holdout (how the defaults in ``ModelParams`` were chosen).

The fit-phase ratio is taken on CPU seconds of this process (all its threads), pipeline and bare
back to back within one repeat: on a shared, loaded machine wall-clock time mostly measures the
neighbours (the wall ratio is printed too). The whole run's phases are wall-clock seconds. The
load average is printed and saved with the figures.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ.setdefault("LIGHTFM_NO_CFLAGS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recommender.evaluation import build_task, temporal_split  # noqa: E402
from recommender.items import Interaction, TrainingData  # noqa: E402
from recommender.model import ModelParams  # noqa: E402
from recommender.served_evaluation import ServingSetup, build_served_task  # noqa: E402
from training_jobs.train import (  # noqa: E402
    _scores,
    evaluate_scorers,
    fit_hybrid,
    fit_inputs,
    run_training,
    synthetic_data,
)

TODAY = date(2027, 3, 1)


def bare_fit(data: TrainingData, events: list[Interaction], params: ModelParams) -> tuple[float, float, float]:
    """(CPU s building the matrices, CPU s and wall s of the bare LightFM calls) for one hybrid fit."""
    from lightfm import LightFM

    c = time.process_time()
    content = fit_inputs(data, events, params, TODAY, identity=False)
    hybrid = fit_inputs(data, events, params, TODAY, identity=True, reuse=content)
    features_s = time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    for inputs, epochs in ((content, params.epochs), (hybrid, params.warm_epochs)):
        model = LightFM(no_components=params.no_components, loss=params.loss, learning_rate=params.learning_rate,
                        item_alpha=params.item_alpha, user_alpha=params.user_alpha,
                        max_sampled=params.max_sampled, random_state=params.random_state)
        model.fit_partial(inputs.interactions, user_features=inputs.user_features,
                          item_features=inputs.item_features, sample_weight=inputs.weights, epochs=epochs,
                          num_threads=params.num_threads)
    return features_s, time.process_time() - c, time.perf_counter() - t


def fit_phase(data: TrainingData, params: ModelParams, repeat: int) -> list[dict[str, float]]:
    split = temporal_split(data.interactions, 0.2)
    rows = []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fit_hybrid(data, split.train, params, TODAY)
        pipeline_s, pipeline_wall_s = time.process_time() - c, time.perf_counter() - t
        features_s, bare_s, bare_wall_s = bare_fit(data, split.train, params)
        rows.append({"pipeline_s": pipeline_s, "bare_s": bare_s, "features_s": features_s,
                     "ratio": pipeline_s / bare_s, "pipeline_wall_s": pipeline_wall_s, "bare_wall_s": bare_wall_s,
                     "wall_ratio": pipeline_wall_s / bare_wall_s, "load1": os.getloadavg()[0]})
        print(f"fit phase (CPU s): pipeline {pipeline_s:6.2f}  bare LightFM {bare_s:6.2f}  "
              f"ratio {pipeline_s / bare_s:4.2f}  (of which feature/matrix building {features_s:5.2f}); "
              f"wall ratio {pipeline_wall_s / bare_wall_s:4.2f}; load {os.getloadavg()[0]:.1f}", flush=True)
    return rows


def whole_run(data: TrainingData, params: ModelParams) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-training-") as tmp:
        result = run_training(data, params, tmp, progress=False, override_reason="benchmark: always refit")
    split = temporal_split(data.interactions, 0.2)
    vsplit = temporal_split(split.train, 0.2)
    bare = {name: bare_fit(data, events, params)[2]
            for name, events in (("validation", vsplit.train), ("train_split", split.train),
                                 ("all_events", data.interactions))}
    return {"timings": result.timings, "bare_fits_s": bare, "promoted": result.promoted}


def grid(data: TrainingData, base: ModelParams, configs: list[tuple[int, int, int]]) -> list[dict[str, Any]]:
    split = temporal_split(data.interactions, 0.2)
    task = build_task(data, split)
    setup = ServingSetup()
    served = build_served_task(data, split, task, None, setup)
    out = []
    for comps, epochs, warm in configs:
        params = replace(base, no_components=comps, epochs=epochs, warm_epochs=warm)
        t = time.process_time()
        hybrid, content = fit_hybrid(data, split.train, params, TODAY)
        cpu_s = time.process_time() - t
        m = evaluate_scorers(_scores(hybrid, content, data, task, split.train, TODAY), task, served, setup, n_boot=200)
        row = {"components": comps, "epochs": epochs, "warm_epochs": warm, "fit_cpu_s": cpu_s,
               "served_recall@10": m["hybrid"]["served"]["served_recall"]["mean"],
               "served_recall@10_interval": [m["hybrid"]["served"]["served_recall"].get("lo"),
                                             m["hybrid"]["served"]["served_recall"].get("hi")],
               "auc": m["hybrid"].get("auc"),
               "popularity_served_recall@10": m["popularity"]["served"]["served_recall"]["mean"]}
        out.append(row)
        print(f"grid: {comps:>3} comps {epochs:>3}+{warm:<3} epochs  fit {cpu_s:6.2f} CPU s  served R@10 "
              f"{row['served_recall@10']:.3f}  AUC {row['auc'] if row['auc'] is None else round(row['auc'], 3)}",
              flush=True)
    return out


def _median_spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} [{min(values):.2f}-{max(values):.2f}]"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=5000)
    ap.add_argument("--courses", type=int, default=600)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None, help="LightFM threads (default: ModelParams')")
    ap.add_argument("--no-whole-run", action="store_true")
    ap.add_argument("--grid", action="store_true", help="also measure quality per second over a small grid")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "training.json")
    args = ap.parse_args(argv)
    params = ModelParams() if args.threads is None else replace(ModelParams(), num_threads=args.threads)
    t = time.perf_counter()
    data = synthetic_data(args.workers, args.courses, args.seed, TODAY)
    print(f"{args.workers} workers, {args.courses} courses, {len(data.interactions)} events "
          f"(generated in {time.perf_counter() - t:.1f} s); params {params.no_components} components, "
          f"{params.epochs} + {params.warm_epochs} epochs, {params.num_threads} threads", flush=True)
    result: dict[str, Any] = {"workers": args.workers, "courses": args.courses, "events": len(data.interactions),
                              "params": params.to_dict(), "target": "pipeline fit / bare LightFM fit <= 1.25"}
    result["fit_phase"] = fit_phase(data, params, args.repeat)
    if not args.no_whole_run:
        result["whole_run"] = whole_run(data, params)
    if args.grid:
        result["grid"] = grid(data, params, [(16, 15, 5), (32, 10, 5), (32, 20, 10), (64, 40, 10)])
    load = os.getloadavg()
    result["machine"] = {"platform": platform.platform(), "python": platform.python_version(),
                         "cpus": os.cpu_count(), "loadavg": load, "numpy": np.__version__}

    fp = result["fit_phase"]
    print()
    print("| measure | median [min-max] | target |")
    print("|---|---|---|")
    print(f"| fit phase: pipeline, CPU s | {_median_spread([r['pipeline_s'] for r in fp])} | |")
    print(f"| fit phase: bare LightFM, CPU s | {_median_spread([r['bare_s'] for r in fp])} | |")
    print(f"| fit phase: feature + matrix building, CPU s | {_median_spread([r['features_s'] for r in fp])} | |")
    print(f"| **fit phase: pipeline / bare (CPU)** | {_median_spread([r['ratio'] for r in fp])} | <= 1.25 |")
    print(f"| fit phase: pipeline / bare (wall) | {_median_spread([r['wall_ratio'] for r in fp])} | |")
    if "whole_run" in result:
        w = result["whole_run"]
        tm, bare = w["timings"], w["bare_fits_s"]
        for k in ("prepare_s", "tune_s", "fit_holdout_s", "evaluate_s", "fit_serving_s", "report_s", "artifact_s",
                  "total_s"):
            print(f"| whole run: {k} | {tm.get(k, float('nan')):.2f} | |")
        print(f"| whole run: bare fits (validation, train split, all events) s | "
              f"{bare['validation']:.2f} + {bare['train_split']:.2f} + {bare['all_events']:.2f} | |")
        fits = tm["tune_s"] + tm["fit_holdout_s"] + tm["fit_serving_s"]
        print(f"| whole run: total / bare fits | {tm['total_s'] / sum(bare.values()):.2f} | |")
        print(f"| whole run: (tune + fit + refit) / bare fits | {fits / sum(bare.values()):.2f} | |")
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, default=str))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
