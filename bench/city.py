"""A reproducible city-scale data set for ``bench/run.py``, generated with numpy in seconds.

Sizes default to the issue's city: 100,000 workers, 10,000 courses, 1,000,000 interactions. The
same seed gives the same data. Courses come from :func:`training_jobs.synthetic.generate_courses`
(the generator the load test uses); workers and interactions are drawn here, column by column,
because the per-person generator of ``training_jobs.synthetic`` costs minutes at this size.

The served model is a LightFM-shaped artifact (embeddings and biases over the real feature
space) with random weights, written in the artifact format: the benchmark measures serving cost,
which depends on the shapes, not on how well the weights were fitted. The interactions are written
as events, so the stored workers' reads (dismissals) see a realistic history.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

TODAY = date(2026, 11, 29)
EDUCATION = ("junior_high", "senior_high", "secondary_vocational", "junior_college", "bachelor")
STATUSES = ("employed", "unemployed", "employed", "flexible")
GROUPS = ("enterprise_employee", "rural_migrant", "unemployed_graduate", "veteran", "professional_farmer",
          "high_risk_worker", "entrepreneur", "laid_off_unemployed")
INTERESTS = ("digital", "modern_services", "advanced_manufacturing", "agriculture", "safety", "business")
KINDS = ("view", "view", "view", "click", "save", "dismiss", "enrol")
COMPONENTS = 64


@dataclass(frozen=True)
class Sizes:
    workers: int = 100_000
    courses: int = 10_000
    interactions: int = 1_000_000
    seed: int = 2019


@dataclass
class City:
    sizes: Sizes
    courses: list[Any]  # recommender.items.CourseItem
    counties: list[str]
    county_lat: np.ndarray
    county_lon: np.ndarray
    # Worker columns (row i is worker id i + 1).
    county: np.ndarray
    birth: np.ndarray  # months since 1960-01
    education: np.ndarray
    status: np.ndarray
    group: np.ndarray
    interests: np.ndarray  # two interest indexes per worker
    lat: np.ndarray
    lon: np.ndarray
    # Interactions: worker row, course row, kind index.
    inter_worker: np.ndarray
    inter_course: np.ndarray
    inter_kind: np.ndarray
    generate_seconds: float = 0.0

    def profile(self, i: int) -> Any:
        from policy.profile import WorkerProfile

        county = self.counties[int(self.county[i])]
        months = int(self.birth[i])
        return WorkerProfile(
            birth_date=date(1960 + months // 12, months % 12 + 1, 1), hukou_county=county,
            residence_county=county, jobseeking_county=county,
            employment_status=STATUSES[int(self.status[i])], priority_groups=frozenset({GROUPS[int(self.group[i])]}),
            education=EDUCATION[int(self.education[i])], gender=None,
            interests=tuple(INTERESTS[int(j)] for j in self.interests[i]),
            lat=round(float(self.lat[i]), 2), lon=round(float(self.lon[i]), 2), online_ok=True)


def generate(sizes: Sizes, counties: list[tuple[str, float, float]] | None = None) -> City:
    """Draw the city; ``counties`` are (code, lat, lon) (default: Yancheng's, from the reference data)."""
    from training_jobs.synthetic import generate_courses

    started = time.perf_counter()
    if counties is None:
        counties = reference_counties()
    rng = np.random.default_rng(sizes.seed)
    n, m = sizes.workers, sizes.courses
    codes = [c for c, _, _ in counties]
    clat = np.array([lat for _, lat, _ in counties])
    clon = np.array([lon for _, _, lon in counties])
    county = rng.integers(0, len(codes), n)
    # Popularity is skewed (a few courses get most views), as in any catalog.
    popularity = rng.zipf(1.3, m * 4).astype(np.float64)[:m]
    popularity /= popularity.sum()
    city = City(
        sizes=sizes, courses=generate_courses(m, sizes.seed, TODAY), counties=codes,
        county_lat=clat, county_lon=clon, county=county,
        birth=rng.integers((1966 - 1960) * 12, (2006 - 1960) * 12, n),
        education=rng.integers(0, len(EDUCATION), n), status=rng.integers(0, len(STATUSES), n),
        group=rng.integers(0, len(GROUPS), n), interests=rng.integers(0, len(INTERESTS), (n, 2)),
        lat=clat[county] + rng.normal(0, 0.08, n), lon=clon[county] + rng.normal(0, 0.08, n),
        inter_worker=rng.integers(0, n, sizes.interactions),
        inter_course=rng.choice(m, sizes.interactions, p=popularity),
        inter_kind=rng.integers(0, len(KINDS), sizes.interactions),
    )
    city.generate_seconds = time.perf_counter() - started
    return city


def reference_counties() -> list[tuple[str, float, float]]:
    import csv

    path = Path(__file__).resolve().parents[1] / "catalog" / "data" / "counties.csv"
    with open(path, encoding="utf-8") as fh:
        return [(r["code"], float(r["lat"]), float(r["lon"])) for r in csv.DictReader(fh)]


def random_artifact(city: City, root: Path) -> str:
    """A served model over the city's real feature space, with random weights (see module doc)."""
    from recommender.artifacts import save_artifact
    from recommender.features import FeatureSpace
    from recommender.model import HybridModel

    workers = {i + 1: city.profile(i) for i in range(city.sizes.workers)}
    courses = {c.id: c for c in city.courses}
    space = FeatureSpace.fit(workers, courses, TODAY)
    rng = np.random.default_rng(city.sizes.seed + 1)
    n_user, n_item = space.n_user_features, space.n_item_features
    model = HybridModel.from_arrays({
        "user_embeddings": rng.normal(0, 0.1, (n_user, COMPONENTS)).astype(np.float32),
        "user_biases": rng.normal(0, 0.1, n_user).astype(np.float32),
        "item_embeddings": rng.normal(0, 0.1, (n_item, COMPONENTS)).astype(np.float32),
        "item_biases": rng.normal(0, 0.1, n_item).astype(np.float32)})
    shutil.rmtree(root, ignore_errors=True)
    return save_artifact(root, model, space, {"users": space.user_ids, "items": space.item_ids},
                         {"created_at": datetime.now(UTC).isoformat(), "bench": "random weights"}, {})


def write_database(city: City, url: str) -> dict[str, float]:
    """Migrate, import the reference data, write the catalog, the workers and the interactions."""
    from sqlalchemy import insert, select

    from bench.load import write_synthetic_catalog
    from catalog.importing import apply, expand_paths, plan
    from catalog.tables import JobCenter
    from storage.engine import make_engine
    from storage.migrate import upgrade
    from storage.session import make_session_factory, writing
    from workers.tables import Worker, new_public_id

    timings: dict[str, float] = {}
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    t = time.perf_counter()
    with writing(sessions) as session:
        apply(session, plan(session, expand_paths([Path(__file__).resolve().parents[1] / "catalog" / "data"])))
        write_synthetic_catalog(session, city.courses)
        centers = {code: cid for cid, codes in session.execute(select(JobCenter.id, JobCenter.counties))
                   for code in codes}
    timings["catalog_s"] = time.perf_counter() - t
    t = time.perf_counter()
    fallback = next(iter(centers.values()))
    rows = []
    for i in range(city.sizes.workers):
        p = city.profile(i)
        rows.append({
            "id": i + 1, "public_id": new_public_id(), "job_center_id": centers.get(p.residence_county, fallback),
            "name": f"bench {i + 1}", "birth_date": p.birth_date, "education": p.education,
            "hukou_county": p.hukou_county, "residence_county": p.residence_county,
            "jobseeking_county": p.jobseeking_county, "lat": p.lat, "lon": p.lon,
            "employment_status": p.employment_status, "priority_groups": sorted(p.priority_groups),
            "interests": list(p.interests), "online_ok": True})
    with writing(sessions) as session:
        for start in range(0, len(rows), 20_000):
            session.execute(insert(Worker), rows[start:start + 20_000])
    timings["workers_s"] = time.perf_counter() - t
    t = time.perf_counter()
    course_ids = np.array([c.id for c in city.courses])
    # One minute apart from New Year on; written through the driver in bulk (the ORM's per-row
    # work would take minutes for a million rows), in SQLAlchemy's SQLite datetime format.
    at = (np.datetime64("2026-01-01T00:00") + np.arange(city.sizes.interactions).astype("timedelta64[m]"))
    at_text = np.char.add(np.datetime_as_string(at, unit="s").astype("U19"), ".000000")
    at_text = np.char.replace(at_text, "T", " ")
    kinds = np.array(KINDS)[city.inter_kind]
    with writing(sessions) as session:  # SQLite's placeholders: the benchmark runs on SQLite
        cursor = session.connection().connection.driver_connection.cursor()
        step = 200_000
        for start in range(0, city.sizes.interactions, step):
            sl = slice(start, start + step)
            cursor.executemany(
                "INSERT INTO events (worker_id, course_id, kind, at, source) VALUES (?, ?, ?, ?, 'app')",
                zip((city.inter_worker[sl] + 1).tolist(), course_ids[city.inter_course[sl]].tolist(),
                    kinds[sl].tolist(), at_text[sl].tolist(), strict=True))
    timings["interactions_s"] = time.perf_counter() - t
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return timings
