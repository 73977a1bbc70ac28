"""Synthetic worker profiles: groups, ages, places, certificates and a hidden personal taste."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from catalog.vocabulary import COUNTIES
from policy.profile import Certificate, FamilyMember, WorkerProfile
from training_jobs.synthetic.courses import OCC_BY_CODE, OCCUPATIONS
from training_jobs.synthetic.sampling import COUNTY_WEIGHTS, jitter, pick

# Primary-group weights from the plan's program targets (thousands of person-times, §3).
PRIMARY_GROUP_WEIGHTS: dict[str, float] = {
    "enterprise_employee": 150.0,
    "professional_farmer": 100.0,
    "entrepreneur": 60.0,
    "high_risk_worker": 40.0,
    "community_correction": 21.0,
    "rural_migrant": 6.0,  # modern-services program (10k) split over its usual trainees
    "laid_off_unemployed": 4.0,
    "veteran": 5.1,
    "poor_labor": 5.0,
    "disabled": 4.0,
    "two_after_youth": 2.0,
    "unemployed_graduate": 2.0,
}

# Taste per group: category affinities, training-type affinities, favourite-occupation pool.
TASTES: dict[str, dict[str, Any]] = {
    "enterprise_employee": {"cat": {"advanced_manufacturing": 1.5, "digital": 0.4, "safety": 0.2},
                            "type": {"skill_upgrade": 1.0, "apprenticeship": 0.6, "transfer": 0.3}},
    "professional_farmer": {"cat": {"agriculture": 2.0, "digital": 0.3, "business": 0.3},
                            "type": {"skill_upgrade": 0.3, "employment_skills": 0.3, "entrepreneurship": 0.3}},
    "entrepreneur": {"cat": {"business": 1.5, "digital": 0.6, "modern_services": 0.2},
                     "type": {"entrepreneurship": 1.8}},
    "returning_migrant": {"cat": {"business": 1.0, "digital": 0.4, "agriculture": 0.6},
                          "type": {"entrepreneurship": 1.2}},
    "high_risk_worker": {"cat": {"safety": 2.2, "advanced_manufacturing": 0.4}, "type": {"safety": 1.2}},
    "community_correction": {"cat": {"construction": 1.2, "transport": 0.9, "modern_services": 0.6},
                             "type": {"employment_skills": 1.0}},
    "rural_migrant": {"cat": {"modern_services": 1.4, "transport": 0.8, "construction": 0.5},
                      "type": {"employment_skills": 0.8, "pre_job": 0.4}},
    "laid_off_unemployed": {"cat": {"modern_services": 1.2, "transport": 0.7, "digital": 0.3},
                            "type": {"employment_skills": 0.9, "transfer": 0.5}},
    "veteran": {"cat": {"transport": 1.0, "modern_services": 0.6, "business": 0.6},
                "type": {"employment_skills": 0.6, "entrepreneurship": 0.5}},
    "poor_labor": {"cat": {"modern_services": 1.0, "agriculture": 0.8}, "type": {"employment_skills": 0.8}},
    "low_income_household": {"cat": {"agriculture": 0.6, "modern_services": 0.6}, "type": {"employment_skills": 0.4}},
    "dibao": {"cat": {"modern_services": 0.6}, "type": {"employment_skills": 0.4}},
    "disabled": {"cat": {"handicraft": 1.8, "digital": 0.8, "healthcare": 0.8}, "type": {"employment_skills": 0.6},
                 "online": 0.8},
    "employment_difficulty": {"cat": {"modern_services": 0.4}, "type": {"employment_skills": 0.4}},
    "two_after_youth": {"cat": {"modern_services": 1.2, "digital": 1.2}, "type": {"employment_skills": 1.2}},
    "unemployed_graduate": {"cat": {"digital": 2.0, "business": 0.4}, "type": {"employment_skills": 0.8}},
    "zero_employment_family": {"cat": {"modern_services": 0.5}, "type": {"employment_skills": 0.4}},
}


def _secondary_groups(rng: np.random.Generator, primary: str, rural: bool) -> set[str]:
    g = {primary}
    add = lambda name, p: g.add(name) if rng.random() < p else None  # noqa: E731
    if primary == "entrepreneur":
        add("returning_migrant", 0.35)
    if primary in ("rural_migrant", "professional_farmer") and rural:
        add("returning_migrant", 0.08)
        add("entrepreneur", 0.08)
    if primary == "disabled":
        g.add("employment_difficulty")
    if primary == "poor_labor":
        add("low_income_household", 0.6)
        add("dibao", 0.3)
    if primary == "laid_off_unemployed":
        add("employment_difficulty", 0.25)
        add("zero_employment_family", 0.1)
    if primary == "two_after_youth":
        add("dibao", 0.1)
    if primary == "veteran":
        add("entrepreneur", 0.2)
    if primary == "community_correction":
        add("laid_off_unemployed", 0.3)
    if primary == "enterprise_employee":
        add("high_risk_worker", 0.05)
        add("rural_migrant", 0.15 if rural else 0.0)
    return g


_GROUP_AGE = {"two_after_youth": (16, 20), "unemployed_graduate": (21, 27), "enterprise_employee": (20, 56),
              "professional_farmer": (28, 62), "veteran": (22, 45), "high_risk_worker": (22, 56)}
_GROUP_EDU = {
    "two_after_youth": {"junior_high": 0.6, "senior_high": 0.4},
    "unemployed_graduate": {"junior_college": 0.5, "bachelor": 0.45, "postgraduate": 0.05},
    "professional_farmer": {"primary": 0.3, "junior_high": 0.5, "senior_high": 0.2},
    "enterprise_employee": {"junior_high": 0.3, "senior_high": 0.2, "secondary_vocational": 0.3, "junior_college": 0.2},
}
_DEFAULT_EDU = {"primary": 0.1, "junior_high": 0.45, "senior_high": 0.25, "secondary_vocational": 0.1,
                "junior_college": 0.1}
_GROUP_EMPLOYMENT = {"enterprise_employee": "employed", "high_risk_worker": "employed",
                     "professional_farmer": "farmer", "two_after_youth": "student",
                     "unemployed_graduate": "unemployed", "laid_off_unemployed": "unemployed",
                     "entrepreneur": "self_employed"}


def _favourite_pool(groups: set[str], rng: np.random.Generator) -> list[str]:
    # A third of people have a personal interest outside what their group usually takes.
    if rng.random() < 0.35:
        return [o.code for o in OCCUPATIONS if not o.special_operation]
    cats: dict[str, float] = {}
    for g in sorted(groups):
        for c, v in TASTES.get(g, {}).get("cat", {}).items():
            cats[c] = cats.get(c, 0.0) + v
    if not cats:
        cats = {"modern_services": 1.0}
    cat = pick(rng, cats)
    return [o.code for o in OCCUPATIONS if o.category == cat]



@dataclass(frozen=True)
class SyntheticWorker:
    """A generated worker: the profile the model sees and the hidden taste it does not."""

    profile: WorkerProfile
    job_center: str
    favourites: tuple[str, ...]  # occupation codes; declared in ``interests`` only half of the time
    activity: float  # multiplier of the mean number of sessions


def generate_worker(rng: np.random.Generator, today: date) -> SyntheticWorker:
    """Draw one worker (see :mod:`training_jobs.synthetic` for the distributions)."""
    so_codes = [o.code for o in OCCUPATIONS if o.special_operation]
    mfg_codes = [o.code for o in OCCUPATIONS if o.category == "advanced_manufacturing"]
    counties = list(COUNTY_WEIGHTS)
    primary = pick(rng, PRIMARY_GROUP_WEIGHTS)
    rural = bool(rng.random() < (0.85 if primary in ("professional_farmer", "rural_migrant", "poor_labor") else 0.45))
    groups = _secondary_groups(rng, primary, rural)
    lo, hi = _GROUP_AGE.get(primary, (20, 58))
    age = float(rng.uniform(lo, hi))
    birth = today - timedelta(days=int(age * 365.25))
    hukou = pick(rng, COUNTY_WEIGHTS)
    residence = hukou if rng.random() < 0.8 else counties[int(rng.integers(len(counties)))]
    jobseeking = residence if rng.random() < 0.85 else counties[int(rng.integers(len(counties)))]
    _, _, clat, clon = COUNTIES[residence]
    lat, lon = jitter(rng, clat, clon, 8.0)
    education = pick(rng, _GROUP_EDU.get(primary, _DEFAULT_EDU))
    employment = _GROUP_EMPLOYMENT.get(primary, "unemployed" if rng.random() < 0.6 else "self_employed")
    current_occ: str | None = None
    certs: list[Certificate] = []
    if "enterprise_employee" in groups:
        current_occ = mfg_codes[int(rng.integers(len(mfg_codes)))]
        if rng.random() < 0.7:
            lvl = int(rng.choice([5, 4, 3], p=[0.5, 0.35, 0.15]))
            certs.append(Certificate(current_occ, lvl, "skill_level", birth + timedelta(days=365 * 22)))
    if "high_risk_worker" in groups:
        current_occ = so_codes[int(rng.integers(len(so_codes)))]
        if rng.random() < 0.5:  # the other half lacks a valid special-operation certificate
            certs.append(Certificate(current_occ, None, "special_operation", today - timedelta(days=800),
                                     today + timedelta(days=1000)))
    disability = int(rng.integers(1, 5)) if "disabled" in groups else None
    family: tuple[FamilyMember, ...] = ()
    if rng.random() < 0.02:
        family = (FamilyMember("parent", frozenset({"disabled"}), int(rng.integers(1, 3))),)
    pension = bool(age > 50 and rng.random() < 0.06)
    # The hidden personal taste, revealed in declared interests only half of the time.
    pool = _favourite_pool(groups, rng)
    favs = tuple(str(f) for f in rng.choice(pool, size=min(len(pool), int(rng.integers(1, 3))), replace=False))
    interests: tuple[str, ...] = ()
    r = rng.random()
    if r < 0.5:
        interests = favs
    elif r < 0.7:
        interests = (str(OCC_BY_CODE[favs[0]].category),)
    profile = WorkerProfile(
        birth_date=birth, hukou_county=hukou, residence_county=residence, jobseeking_county=jobseeking,
        employment_status=employment, draws_pension=pension, priority_groups=frozenset(groups),
        disability_grade=disability, rural=rural, current_occupation_code=current_occ,
        certificates=tuple(certs), family=family, education=education,
        gender=str(rng.choice(["female", "male"])), interests=interests,
        max_travel_km=float(rng.choice([10, 20, 30])) if rng.random() < 0.2 else None,
        online_ok=bool(rng.random() < 0.85), lat=lat, lon=lon,
    )
    activity = float(rng.lognormal(0.0, 0.6)) * (0.2 if pension else 1.0)
    return SyntheticWorker(profile, f"JC-{residence}", favs, activity)
