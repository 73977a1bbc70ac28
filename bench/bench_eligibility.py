"""How long does eligibility for one worker against 10,000 courses take?

Run from the repository root: ``python -m bench.bench_eligibility`` (or ``python
bench/bench_eligibility.py``). Prints a table and writes ``bench/results/eligibility.json``.

Three timings from the same process, so the ratios mean something on any machine:

* baseline: numpy building one 10,000-element boolean mask (``arr > x``), the cheapest possible
  vectorized filter;
* ``decide_many`` for each of a few hundred random workers against the same 10,000-course table;
* a naive Python loop of ``decide`` over the 10,000 courses, for a few workers.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalog.vocabulary import CERTIFICATE_TYPES, COUNTIES, PRIORITY_GROUPS, TRAINING_TYPES
from policy import CourseTable, PolicySettings, decide, decide_many
from policy.profile import Certificate, CourseFacts, FamilyMember, TrainingRecord, WorkerProfile

N_COURSES = 10_000
N_WORKERS = 300
REPEATS_PER_WORKER = 5
BASELINE_REPEATS = 2_000
NAIVE_WORKERS = 3
ON = date(2025, 6, 1)
RESULTS = Path(__file__).resolve().parent / "results" / "eligibility.json"

GROUPS = tuple(PRIORITY_GROUPS)
PLACES = (*COUNTIES, "other")


def random_occupation(rng: random.Random) -> str:
    # ~300 distinct codes in the shape of the national classification.
    return f"{rng.randint(2, 6)}-{rng.randint(1, 12):02d}-{rng.randint(1, 5):02d}-01"


def random_course(rng: random.Random, course_id: int) -> CourseFacts:
    start = ON + timedelta(days=rng.randint(-30, 400))
    return CourseFacts(
        id=course_id,
        occupation_code=random_occupation(rng),
        level=rng.choice((None, 1, 2, 3, 4, 5, 5, 4)),
        training_type=rng.choice(tuple(TRAINING_TYPES)),
        certificate_type=rng.choice(tuple(CERTIFICATE_TYPES)),
        county=rng.choice(PLACES),
        start_date=start,
        end_date=start + timedelta(days=rng.randint(3, 90)),
        subsidy_cny=float(rng.randrange(300, 4000, 50)),
        target_groups=frozenset(rng.sample(GROUPS, 2)) if rng.random() < 0.2 else frozenset(),
        free_for_key_groups=rng.random() < 0.3,
        occupation_access_restricted=rng.random() < 0.1,
        occupation_special_operation=rng.random() < 0.1,
        on_county_subsidized_list=rng.choice((None, True, True, False)),
        project_based=rng.random() < 0.2,
    )


def random_profile(rng: random.Random) -> WorkerProfile:
    def place() -> str | None:
        return rng.choice((*PLACES, None))

    trainings = tuple(
        TrainingRecord(
            occupation_code=random_occupation(rng),
            level=rng.choice((None, 3, 4, 5)),
            training_type=rng.choice(tuple(TRAINING_TYPES)),
            status=rng.choice(("enrolled", "completed", "completed", "dropped")),
            subsidized=rng.random() < 0.8,
            end_date=ON + timedelta(days=rng.randint(-900, 300)),
        )
        for _ in range(rng.randint(0, 6))
    )
    certificates = tuple(
        Certificate(
            occupation_code=random_occupation(rng),
            level=rng.choice((None, 2, 3, 4, 5)),
            certificate_type=rng.choice(tuple(CERTIFICATE_TYPES)),
            issued_on=ON - timedelta(days=rng.randint(0, 3000)),
        )
        for _ in range(rng.randint(0, 3))
    )
    family = tuple(
        FamilyMember(
            relation="parent",
            priority_groups=frozenset(rng.sample(GROUPS, rng.randint(0, 2))),
            disability_grade=rng.choice((None, None, 1, 2, 3, 4)),
        )
        for _ in range(rng.randint(0, 2))
    )
    return WorkerProfile(
        birth_date=date(rng.randint(1960, 2010), rng.randint(1, 12), rng.randint(1, 28)),
        hukou_county=place(),
        residence_county=place(),
        jobseeking_county=place(),
        draws_pension=rng.random() < 0.05,
        priority_groups=frozenset(rng.sample(GROUPS, rng.randint(1, 3))),
        rural=rng.random() < 0.5,
        current_occupation_code=random_occupation(rng) if rng.random() < 0.3 else None,
        certificates=certificates,
        family=family,
        trainings=trainings,
    )


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def summary_us(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_us": statistics.median(ordered) * 1e6,
        "p95_us": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1e6,
        "min_us": ordered[0] * 1e6,
        "samples": len(ordered),
    }


def keep_freed_memory() -> bool:
    """Ask glibc to stop returning freed heap to the OS (as MALLOC_TRIM_THRESHOLD_ would).

    decide_many allocates a dozen 10-80 KB result arrays; with glibc's default trimming those
    pages are given back after each call and faulted in again on the next, which is most of its
    time. Returns False where there is no glibc (then the second row is skipped).
    """
    name = ctypes.util.find_library("c")
    if name is None or platform.system() != "Linux":
        return False
    libc = ctypes.CDLL(name)
    m_trim_threshold, m_mmap_threshold, m_top_pad = -1, -3, -2
    return bool(
        libc.mallopt(m_trim_threshold, 256 << 20)
        and libc.mallopt(m_mmap_threshold, 32 << 20)
        and libc.mallopt(m_top_pad, 16 << 20)
    )


def time_bulk(
    profiles: list[WorkerProfile], table: CourseTable, settings: PolicySettings
) -> list[float]:
    decide_many(profiles[0], table, ON, settings)  # warm-up: first-call imports and caches
    samples: list[float] = []
    for profile in profiles:
        for _ in range(REPEATS_PER_WORKER):
            samples.append(timed(lambda p=profile: decide_many(p, table, ON, settings)))
    return samples


def main() -> None:
    rng = random.Random(20190601)
    settings = PolicySettings()
    courses = [random_course(rng, i) for i in range(N_COURSES)]
    profiles = [random_profile(rng) for _ in range(N_WORKERS)]

    build_s = timed(lambda: CourseTable.from_courses(courses))
    table = CourseTable.from_courses(courses)

    # Baseline: the cheapest vectorized filter over the same number of rows.
    values = np.random.default_rng(0).random(N_COURSES)
    baseline = [timed(lambda: values > 0.5) for _ in range(BASELINE_REPEATS)]

    bulk = time_bulk(profiles, table, settings)
    eligible_share = [
        float(decide_many(profile, table, ON, settings).eligible.mean()) for profile in profiles
    ]

    naive: list[float] = []
    for profile in profiles[:NAIVE_WORKERS]:
        naive.append(timed(lambda p=profile: [decide(p, c, ON, settings) for c in courses]))

    # Last, because it changes the allocator for the rest of the process.
    kept = keep_freed_memory()
    bulk_kept = summary_us(time_bulk(profiles, table, settings)) if kept else None

    base, many, loop = summary_us(baseline), summary_us(bulk), summary_us(naive)
    rows = [
        ("numpy mask arr > x (baseline)", base),
        ("decide_many, one worker", many),
    ]
    if bulk_kept is not None:
        rows.append(("decide_many, glibc trim off", bulk_kept))
    rows.append(("loop of decide, one worker", loop))
    print(f"eligibility: 1 worker x {N_COURSES:,} courses ({N_WORKERS} workers x "
          f"{REPEATS_PER_WORKER} repeats; naive loop for {NAIVE_WORKERS} workers)")
    print(f"{'what':34} {'median':>12} {'p95':>12} {'x baseline':>11}")
    for name, stats in rows:
        ratio = stats["median_us"] / base["median_us"]
        print(f"{name:34} {stats['median_us']:>10.1f}us {stats['p95_us']:>10.1f}us {ratio:>10.1f}x")
    print(f"CourseTable.from_courses({N_COURSES:,}): {build_s * 1e3:.1f} ms (once per catalog)")
    print(f"decide_many is {loop['median_us'] / many['median_us']:.0f}x faster than the loop; "
          f"median eligible share {statistics.median(eligible_share):.1%}")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "eligibility",
                "n_courses": N_COURSES,
                "n_workers": N_WORKERS,
                "repeats_per_worker": REPEATS_PER_WORKER,
                "naive_workers": NAIVE_WORKERS,
                "baseline_mask": base,
                "decide_many": many,
                "decide_loop": loop,
                "decide_many_glibc_trim_off": bulk_kept,
                "decide_many_vs_baseline": many["median_us"] / base["median_us"],
                "decide_loop_vs_baseline": loop["median_us"] / base["median_us"],
                "decide_loop_vs_decide_many": loop["median_us"] / many["median_us"],
                "course_table_build_ms": build_s * 1e3,
                "median_eligible_share": statistics.median(eligible_share),
                "python": platform.python_version(),
                "numpy": np.__version__,
                "machine": platform.machine(),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
