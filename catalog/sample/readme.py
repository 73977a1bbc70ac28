"""catalog/data/README.md: what a consumer of the sample catalog should know, with its counts."""

from __future__ import annotations

from typing import Any

from catalog import vocabulary as V
from catalog.sample.basis import CATEGORIES, KEY_GROUPS, SEED, TODAY, months_range
from catalog.sample.lists import SHORTAGE_ADDED, SHORTAGE_CHANGED, SHORTAGE_REMOVED


def render_readme(stats: dict[str, Any]) -> str:
    n = stats["counts"]
    cty = stats["cty"]
    county_line = ", ".join(f"{c} {cty[c]}" for c in V.COUNTIES)
    tt = ", ".join(f"{k} {stats['tt'][k]}" for k in V.TRAINING_TYPES)
    ct = ", ".join(f"{k} {stats['ct'][k]}" for k in V.CERTIFICATE_TYPES)
    dm = ", ".join(f"{k} {stats['dm'][k]}" for k in V.DELIVERY_MODES)
    lv = ", ".join(f"{k} {stats['lv'][k]}" for k in ["5", "4", "3", "2", "1", "-"])
    months = ", ".join(f"{y}-{m:02d} {stats['months'][(y, m)]}" for y, m in months_range())
    types = ", ".join(f"{k} {stats['types'][k]}" for k in V.INSTITUTION_TYPES)
    ns = "; ".join(f"{c} (effective {d}): {k} courses not on the list" for c, (d, k) in stats["not_subsidized"].items())
    return f"""# Sample catalog data (generated — NOT official)

These CSVs are **generated sample data** for development, demos and tests of the Yancheng
skills-upgrading course recommender. Occupation codes and Chinese occupation names are real (2022
national classification and the special-operations catalogue, checked against
`/work/shared/data/occupations/`); everything else — institutions, addresses, phone numbers, credit
ratings, evaluation institutions, courses, shortage/subsidized lists and subsidy amounts — is invented
(some institution names imitate real local schools). Do not present it as official information.

File formats: `catalog/FORMAT.md`. Import with `flask --app wsgi catalog import catalog/data`.

## Regenerate

```sh
. .venv/bin/activate
python -m catalog.sample            # rewrites the CSVs and this README
python -m catalog.sample --check    # validates the CSVs in place, writes nothing
# options: --occupations-dir PATH (default: catalog/reference), --out-dir PATH
```

Seed `{SEED}`; reference date ("today") {TODAY.isoformat()}. Two runs give byte-identical files.
Edit the tables in `catalog/sample/` (one module per job: `occupations.py`, `institutions.py`,
`lists.py`, `courses.py`), not the CSVs. The generator ends with a self-check (`check.py`: counts,
enums, foreign keys, ranges, coverage, and every course against the rules as the catalog import
checks it) and refuses to write if it fails.

## Files

| file | rows | content |
|---|---|---|
| `counties.csv` | {n['counties']} | the 9 county-level divisions + 2 zones, codes from `catalog/vocabulary.py` |
| `occupations.csv` | {n['occupations']} | real 2022 codes and names; {stats['so_count']} special operations `SO-<item_no>` |
| `occupation_lists.csv` | {n['occupation_lists']} | city shortage list (2 versions) + county subsidized lists |
| `institutions.csv` | {n['institutions']} | training institutions, every type: {types} |
| `evaluation_institutions.csv` | {n['evaluation_institutions']} | skill-evaluation institutions |
| `courses.csv` | {n['courses']} | courses starting 2026-09 … 2027-12 |

`job_centers.csv` in this directory is maintained by hand (not written or checked by `catalog.sample`).

## What a consumer should know

- **Occupation `category`** values used: {", ".join(CATEGORIES)}. Special operations are `safety`,
  `special_operation=true`, `access_restricted=true`, `levels=5`; their courses have `level=5`,
  `training_type=safety`, `certificate_type=special_operation`, and `stage` `initial` (初训, 48–96 h,
  open to any job seeker) or `refresher` (复审, 16–24 h, for holders of the certificate).
  Access-restricted (准入类) trades: electrician, welder,
  security guard, fire-facility operator, scaffolder, hoisting operator, elevator installer,
  forklift driver, and all special operations.
- **Levels**: typical trades `5|4|3|2|1`; engineering technicians (`2-02-38-*`) and a few new
  occupations `5|4|3`; some irregular sets (农业经理人 `4|3|2`, 创业指导师 `3|2|1`, 医疗护理员
  `5|4`). A course's `level` is empty only for `special_ability` and `training_completion`
  certificates (entrepreneurship, work-as-training, some pre-job and farmer courses).
- **Entrepreneurship**: general SYB/GYB/IYB/网络创业 courses use occupation `4-07-03-03` 创业指导师
  as a proxy (the classification has no "entrepreneur" occupation); sector courses use the business'
  occupation (电子商务师, 农业经理人, 民宿管家). They target `entrepreneur` and usually
  `returning_migrant`, certificate `training_completion`, subsidy 1500–2000. The general ones carry
  their `stage` (`GYB`, `SYB`, `IYB`, `online`): R4 treats each stage as its own training.
- **Reserved vs aimed at**: `reserved_for` is set only on 专场 classes ({stats['reserved']} courses:
  残疾人专场 `disabled`, 退役军人专场 `veteran`, 返乡创业专场 `returning_migrant`); it is the only group
  rule. `target_groups` (aimed at) is a ranking term, and lists only groups whose members the rules
  accept for that course (each course is checked with `policy.catalog_check`).
- **Handicraft**: 抽纱刺绣工 6-09-03-11 (incl. 东台发绣), 绒线编织拼布工 6-05-01-06, 民间工艺品制作工
  6-09-03-17 (草柳编), 工艺品雕刻工 6-09-03-01.
- **Shortage list** (kind `shortage`, county empty): versions effective 2025-01-01 and 2026-07-01;
  the newer one drops {", ".join(SHORTAGE_REMOVED)}, adds {", ".join(SHORTAGE_ADDED)} and changes the
  level of {", ".join(SHORTAGE_CHANGED)}. Every plan-named occupation is on both.
- **Subsidized lists** (kind `subsidized`) exist only for: {", ".join(stats['sub_counties'])}
  (dongtai has two versions, 2025-07-01 and 2026-09-01). The other counties publish none, so by the
  default rule every course there is subsidizable. Each list leaves out some occupations on purpose:
  {ns}.
- **Subsidy standards** (`subsidy_cny`, CNY/trainee, multiples of 10) are one city-wide standard per
  occupation × level: level 5 800–1200, 4 1200–1800, 3 1800–2500, 2 2500–3500, 1 3500–4500
  (shortage/digital occupations sit higher in the band); special operations 600–1200; special
  ability 600–1000; other completion-certificate courses 400–700; entrepreneurship 1500–2000;
  work-as-training 500 per month × 3–6 months.
- **Dates** are built around today = {TODAY.isoformat()}: courses that started before it are (nearly)
  full; {stats['open_soon']} courses starting Dec 2026–Mar 2027 still take enrolments, {stats['full_soon']}
  of that window are already full, {stats['past_deadline']} have an enrolment deadline already past.
- `free_for_key_groups` is true exactly when `target_groups` contains an R10 key group
  ({", ".join(KEY_GROUPS)}); work-as-training rows ({stats['wat']}) are employer subsidies,
  never free and never meant to be recommended to a worker.
- Courses of `disability_base` institutions are `accessible=true` and target `disabled`; some
  online courses elsewhere are accessible too. Only `disability_base`-type institutions have
  `disability_base=true`.
- `project_based` (R12) is set on part of the employment-skills, apprenticeship and entrepreneurship
  courses run by enterprises, schools, agencies and associations.
- Locations: courses are held at the institution (within ~7 km of the county centre) or at a
  satellite site (田间学校 / 社区教学点 …) in a town of the same county (2–8 km from the centre);
  `county` of a course is always its institution's county.
- Every course occupation + certificate (except training_completion) is covered by at least one
  evaluation institution.

## Counts

- courses per county: {county_line}
- training types: {tt}
- certificates: {ct}
- delivery modes: {dm}
- levels: {lv}
- start months: {months}
- occupations without courses (listed for completeness): {", ".join(stats['courses_without_occ']) or "none"}
"""


# ---------------------------------------------------------------------------------------------
