"""Feature vocabularies and sparse feature matrices for the hybrid LightFM model.

A worker is described by attribute features (priority groups, age band, education, the three
counties of R1, current occupation and its classification prefix, certificates, interests, rural
flag, employment status) and, when the worker was in the training data, one identity feature of
their own. Courses likewise: attributes (occupation, category, level, training type, certificate
type, institution, county, shortage, delivery mode, target groups) plus an identity feature.

Because an unseen worker or a course published this morning has only attribute features, the model
gives them an embedding without retraining: the representation is the (normalized) sum of the
attribute embeddings learned from everybody else.

Gender is deliberately not a feature. Training data reflects who took which course in the past,
and in vocational training that is strongly gendered (nursing and housekeeping vs. welding and
electrician courses); a model fed gender would learn to steer women and men into those tracks
and reproduce occupational segregation, which the plan's fairness goals (and the counselor's duty
to present all eligible options) rule out. Interests and history carry the legitimate signal.

Weights
-------
The attribute features of a row are L1-normalized (as ``lightfm.data.Dataset`` does with
``normalize=True``), so a worker with many attributes is not scored on a larger scale than one with
few. The identity feature, when present, is added *on top* with weight ``identity_weight`` (default
0.7): a trained worker's representation is their attribute (content) representation plus
``identity_weight`` times their own identity embedding, a per-worker *offset* learned from their
history. A worker or course without an identity feature is scored exactly as the content-only model
would score them, which is what lets the hybrid start from the content-only model and learn only the
offsets (see :mod:`recommender.model`, warm start). The same function builds the rows at training
and at serving time.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import scipy.sparse as sp

from policy.profile import WorkerProfile
from recommender.items import CourseItem

# Lower bounds of age bands (years). The plan names no bands; these follow the usual labour
# statistics cut-offs and can be overridden when fitting a FeatureSpace.
DEFAULT_AGE_BANDS: tuple[int, ...] = (16, 25, 35, 45, 55, 65)

USER_IDENTITY_PREFIX = "user_id:"
ITEM_IDENTITY_PREFIX = "item_id:"


@dataclass
class IdMap:
    """Bidirectional map between external ids and matrix rows.

    Parameters
    ----------
    external_ids
        ``external_ids[row]`` is the external id of that row.
    """

    external_ids: list[int]
    _rows: dict[int, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rows = {ext: row for row, ext in enumerate(self.external_ids)}
        if len(self._rows) != len(self.external_ids):
            raise ValueError("duplicate external ids in IdMap")

    @classmethod
    def from_ids(cls, ids: Iterable[int]) -> IdMap:
        """Build a map from ids in first-seen order, ignoring repeats."""
        return cls(list(dict.fromkeys(int(i) for i in ids)))

    def __len__(self) -> int:
        return len(self.external_ids)

    def __contains__(self, external_id: object) -> bool:
        return external_id in self._rows

    def row(self, external_id: int) -> int | None:
        """Row of an external id, or ``None`` when unknown."""
        return self._rows.get(external_id)

    def rows(self, external_ids: Iterable[int]) -> np.ndarray:
        """Rows of many ids; ``-1`` marks unknown ids."""
        return np.array([self._rows.get(i, -1) for i in external_ids], dtype=np.int64)

    def to_json(self) -> list[int]:
        """JSON-serializable form (the list of external ids in row order)."""
        return list(self.external_ids)

    @classmethod
    def from_json(cls, data: Sequence[int]) -> IdMap:
        """Inverse of :meth:`to_json`."""
        return cls([int(x) for x in data])


def age_band(birth_date: date | None, as_of: date, bands: Sequence[int] = DEFAULT_AGE_BANDS) -> str:
    """Age band label of a birth date on a given day (``"unknown"`` without a birth date).

    Parameters
    ----------
    birth_date
        The worker's birth date.
    as_of
        The day the age is computed for (training day or request day).
    bands
        Ascending lower bounds of the bands.

    Returns
    -------
    str
        e.g. ``"25-34"``, ``"<16"``, ``"65+"``.
    """
    if birth_date is None:
        return "unknown"
    age = as_of.year - birth_date.year - ((as_of.month, as_of.day) < (birth_date.month, birth_date.day))
    if age < bands[0]:
        return f"<{bands[0]}"
    for low, high in itertools.pairwise(bands):
        if low <= age < high:
            return f"{low}-{high - 1}"
    return f"{bands[-1]}+"


def occupation_prefix(code: str) -> str:
    """Classification prefix of an occupation code: major-middle group (``4-10-01-06`` → ``4-10``).

    Special operations (``SO-1.2``) map to their operation class (``SO-1``), so related special
    operations share a feature.
    """
    if code.startswith("SO-"):
        return code.split(".")[0]
    parts = code.split("-")
    return "-".join(parts[:2])


def user_attribute_features(profile: WorkerProfile, as_of: date,
                            bands: Sequence[int] = DEFAULT_AGE_BANDS) -> list[str]:
    """Attribute feature names of a worker (no identity feature).

    Parameters
    ----------
    profile
        The worker.
    as_of
        Day the age band is computed for.
    bands
        Age band lower bounds.

    Returns
    -------
    list of str
        Feature names, de-duplicated, in a stable order.
    """
    names: list[str] = [f"group:{g}" for g in sorted(profile.priority_groups)]
    names.append(f"age:{age_band(profile.birth_date, as_of, bands)}")
    names.append(f"edu:{profile.education or 'unknown'}")
    names.append(f"employment:{profile.employment_status or 'unknown'}")
    # The three places of R1 are separate features: where one lives and where one looks for
    # work say different things about which courses are reachable and useful.
    for place, county in (("hukou", profile.hukou_county), ("residence", profile.residence_county),
                          ("jobseeking", profile.jobseeking_county)):
        names.append(f"{place}:{county or 'unknown'}")
    if profile.current_occupation_code:
        names.append(f"occ:{profile.current_occupation_code}")
        names.append(f"occ_prefix:{occupation_prefix(profile.current_occupation_code)}")
    for cert in profile.certificates:
        names.append(f"cert_occ:{cert.occupation_code}")
        names.append(f"cert_level:{cert.level if cert.level is not None else 'none'}")
        names.append(f"cert_type:{cert.certificate_type}")
    for interest in profile.interests:
        names.append(f"interest:{interest}")
    if profile.rural is not None:
        names.append(f"rural:{'yes' if profile.rural else 'no'}")
    # gender intentionally omitted: see module docstring.
    return list(dict.fromkeys(names))


def item_attribute_features(course: CourseItem) -> list[str]:
    """Attribute feature names of a course (no identity feature).

    Parameters
    ----------
    course
        The course.

    Returns
    -------
    list of str
        Feature names, de-duplicated, in a stable order.
    """
    f = course.facts
    names = [
        f"occ:{f.occupation_code}",
        f"occ_prefix:{occupation_prefix(f.occupation_code)}",
        f"category:{course.occupation_category}",
        f"level:{f.level if f.level is not None else 'none'}",
        f"type:{f.training_type}",
        f"cert:{f.certificate_type}",
        f"inst:{course.institution_code}",
        f"county:{f.county}",
        f"delivery:{f.delivery_mode}",
        f"shortage:{'yes' if course.shortage_level is not None else 'no'}",
    ]
    if course.shortage_level is not None:
        names.append(f"shortage_level:{course.shortage_level}")
    if f.target_groups:
        names.extend(f"target:{g}" for g in sorted(f.target_groups))
    else:
        names.append("target:none")
    return list(dict.fromkeys(names))


def _column_map(names: Iterable[str]) -> dict[str, int]:
    return {name: i for i, name in enumerate(dict.fromkeys(names))}


@dataclass
class FeatureSpace:
    """Vocabulary of user and item feature names → matrix columns.

    Fitted once on the training data and saved with the model: the embedding row of each
    feature is its column here, so serving must use the very same vocabulary.

    Parameters
    ----------
    user_columns, item_columns
        Feature name → column.
    user_ids, item_ids
        The ids that have an identity feature (those seen in training).
    identity
        Whether identity features are used at all (``False`` gives a content-only model).
    age_bands
        Age band lower bounds.
    identity_weight
        Weight of the identity feature next to the L1-normalized attributes (see module docstring).
    """

    user_columns: dict[str, int]
    item_columns: dict[str, int]
    user_ids: IdMap
    item_ids: IdMap
    identity: bool = True
    age_bands: tuple[int, ...] = DEFAULT_AGE_BANDS
    identity_weight: float = 0.7

    @classmethod
    def fit(cls, workers: Mapping[int, WorkerProfile], courses: Mapping[int, CourseItem],
            as_of: date, user_ids: IdMap | None = None, item_ids: IdMap | None = None,
            identity: bool = True, age_bands: Sequence[int] = DEFAULT_AGE_BANDS,
            identity_weight: float = 0.7) -> FeatureSpace:
        """Collect the feature vocabulary from workers and courses.

        Parameters
        ----------
        workers, courses
            Profiles and courses whose attributes define the vocabulary.
        as_of
            Day ages are computed for.
        user_ids, item_ids
            Ids that get an identity feature (default: all given workers / courses). Pass only the
            ids with training interactions so that unseen ones stay attribute-only.
        identity
            Add identity features (hybrid) or not (content-only).
        age_bands
            Age band lower bounds.
        identity_weight
            Weight of the identity feature, added on top of the L1-normalized attributes. With
            LightFM's plain normalization (all features equal) the identity of a worker with 15
            attributes weighs 1/16 and barely moves their representation away from their group's.
            0.7 is the one weight (of 0.3/0.5/0.7/1.0) that beat content-only clearly on both the
            sample catalog's demo population and the synthetic catalog (1.0 ties content-only on
            the latter); see :mod:`training_jobs.train` for how it was chosen.

        Returns
        -------
        FeatureSpace
        """
        bands = tuple(age_bands)
        uids = user_ids if user_ids is not None else IdMap.from_ids(workers)
        iids = item_ids if item_ids is not None else IdMap.from_ids(courses)
        # Identity columns first so that column == row of the interaction matrix, which makes
        # artifacts easier to inspect; attributes follow in sorted order for stability.
        user_names: list[str] = [f"{USER_IDENTITY_PREFIX}{i}" for i in uids.external_ids] if identity else []
        attrs: set[str] = set()
        for p in workers.values():
            attrs.update(user_attribute_features(p, as_of, bands))
        user_names.extend(sorted(attrs))
        item_names: list[str] = [f"{ITEM_IDENTITY_PREFIX}{i}" for i in iids.external_ids] if identity else []
        iattrs: set[str] = set()
        for c in courses.values():
            iattrs.update(item_attribute_features(c))
        item_names.extend(sorted(iattrs))
        return cls(_column_map(user_names), _column_map(item_names), uids, iids, identity, bands, identity_weight)

    @property
    def n_user_features(self) -> int:
        """Number of user feature columns."""
        return len(self.user_columns)

    @property
    def n_item_features(self) -> int:
        """Number of item feature columns."""
        return len(self.item_columns)

    def _row(self, names: list[str], columns: Mapping[str, int], identity_prefix: str) -> tuple[list[int], list[float]]:
        # Attribute values never seen in training (a new institution, a new county code) have no
        # embedding; dropping them is the only consistent choice without retraining.
        cols = {columns[n]: n.startswith(identity_prefix) for n in names if n in columns}
        ordered = sorted(cols)
        has_id = any(cols.values())
        n_attr = sum(1 for c in ordered if not cols[c])
        if not ordered:
            return [], []
        if not has_id:
            return ordered, [1.0 / len(ordered)] * len(ordered)
        if n_attr == 0:
            return ordered, [1.0]
        # Attributes L1-normalized exactly as without identity; the identity is an offset on top.
        a = 1.0 / n_attr
        return ordered, [self.identity_weight if cols[c] else a for c in ordered]

    def _matrix(self, rows: list[tuple[list[int], list[float]]], n_cols: int) -> sp.csr_matrix:
        indptr = np.zeros(len(rows) + 1, dtype=np.int32)
        indptr[1:] = np.cumsum([len(r[0]) for r in rows])
        indices = np.fromiter((c for r in rows for c in r[0]), dtype=np.int32, count=int(indptr[-1]))
        data = np.fromiter((v for r in rows for v in r[1]), dtype=np.float32, count=int(indptr[-1]))
        return sp.csr_matrix((data, indices, indptr), shape=(len(rows), n_cols), dtype=np.float32)

    def user_feature_names(self, profile: WorkerProfile, as_of: date, worker_id: int | None = None) -> list[str]:
        """Feature names of one worker, with the identity feature when the id was trained."""
        names = user_attribute_features(profile, as_of, self.age_bands)
        if self.identity and worker_id is not None and worker_id in self.user_ids:
            names.insert(0, f"{USER_IDENTITY_PREFIX}{worker_id}")
        return names

    def item_feature_names(self, course: CourseItem) -> list[str]:
        """Feature names of one course, with the identity feature when the id was trained."""
        names = item_attribute_features(course)
        if self.identity and course.id in self.item_ids:
            names.insert(0, f"{ITEM_IDENTITY_PREFIX}{course.id}")
        return names

    def user_matrix(self, workers: Sequence[tuple[int | None, WorkerProfile]], as_of: date) -> sp.csr_matrix:
        """Normalized user feature matrix, one row per ``(worker_id or None, profile)``.

        Parameters
        ----------
        workers
            Pairs of id (``None`` for an inline profile) and profile.
        as_of
            Day ages are computed for.

        Returns
        -------
        scipy.sparse.csr_matrix
            Shape ``(len(workers), n_user_features)``, float32; attribute weights sum to 1, plus
            the identity weight for trained workers.
        """
        rows = [self._row(self.user_feature_names(p, as_of, wid), self.user_columns, USER_IDENTITY_PREFIX)
                for wid, p in workers]
        return self._matrix(rows, self.n_user_features)

    def user_row(self, profile: WorkerProfile, as_of: date, worker_id: int | None = None) -> sp.csr_matrix:
        """Normalized feature row (1 × n_user_features) of one worker, e.g. an inline profile."""
        return self.user_matrix([(worker_id, profile)], as_of)

    def item_matrix(self, courses: Sequence[CourseItem]) -> sp.csr_matrix:
        """Normalized item feature matrix, one row per course (in the given order).

        Parameters
        ----------
        courses
            Courses, trained or unseen.

        Returns
        -------
        scipy.sparse.csr_matrix
            Shape ``(len(courses), n_item_features)``, float32; attribute weights sum to 1, plus
            the identity weight for trained courses.
        """
        rows = [self._row(self.item_feature_names(c), self.item_columns, ITEM_IDENTITY_PREFIX) for c in courses]
        return self._matrix(rows, self.n_item_features)

    # -- outside data: features given as names -------------------------------------------------
    @classmethod
    def from_names(cls, user_names: Mapping[int, Sequence[str]], item_names: Mapping[int, Sequence[str]],
                   user_ids: IdMap, item_ids: IdMap, identity: bool = True,
                   identity_weight: float = 0.7) -> FeatureSpace:
        """A vocabulary from attribute names given per id, for data that is not ours.

        The outside-data path (:mod:`training_jobs.outside_data`) reads user and item tables
        whose columns become ``column:value`` names; everything else (identity features on top
        of L1-normalized attributes, warm start, scoring) is the same as for workers and courses.
        """
        user_cols: list[str] = [f"{USER_IDENTITY_PREFIX}{i}" for i in user_ids.external_ids] if identity else []
        user_cols.extend(sorted({n for names in user_names.values() for n in names}))
        item_cols: list[str] = [f"{ITEM_IDENTITY_PREFIX}{i}" for i in item_ids.external_ids] if identity else []
        item_cols.extend(sorted({n for names in item_names.values() for n in names}))
        return cls(_column_map(user_cols), _column_map(item_cols), user_ids, item_ids, identity,
                   DEFAULT_AGE_BANDS, identity_weight)

    def user_matrix_from_names(self, users: Sequence[tuple[int | None, Sequence[str]]]) -> sp.csr_matrix:
        """Normalized user rows from ``(id or None, attribute names)`` pairs (see :meth:`from_names`)."""
        rows = []
        for uid, names in users:
            full = list(names)
            if self.identity and uid is not None and uid in self.user_ids:
                full.insert(0, f"{USER_IDENTITY_PREFIX}{uid}")
            rows.append(self._row(full, self.user_columns, USER_IDENTITY_PREFIX))
        return self._matrix(rows, self.n_user_features)

    def item_matrix_from_names(self, items: Sequence[tuple[int, Sequence[str]]]) -> sp.csr_matrix:
        """Normalized item rows from ``(id, attribute names)`` pairs (see :meth:`from_names`)."""
        rows = []
        for iid, names in items:
            full = list(names)
            if self.identity and iid in self.item_ids:
                full.insert(0, f"{ITEM_IDENTITY_PREFIX}{iid}")
            rows.append(self._row(full, self.item_columns, ITEM_IDENTITY_PREFIX))
        return self._matrix(rows, self.n_item_features)

    def to_json(self) -> dict[str, Any]:
        """JSON-serializable form (feature names in column order)."""
        return {
            "user_features": sorted(self.user_columns, key=self.user_columns.__getitem__),
            "item_features": sorted(self.item_columns, key=self.item_columns.__getitem__),
            "user_ids": self.user_ids.to_json(),
            "item_ids": self.item_ids.to_json(),
            "identity": self.identity,
            "age_bands": list(self.age_bands),
            "identity_weight": self.identity_weight,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FeatureSpace:
        """Inverse of :meth:`to_json`."""
        return cls(
            _column_map(data["user_features"]),
            _column_map(data["item_features"]),
            IdMap.from_json(data["user_ids"]),
            IdMap.from_json(data["item_ids"]),
            bool(data["identity"]),
            tuple(int(b) for b in data["age_bands"]),
            float(data["identity_weight"]),
        )

    def dumps(self) -> str:
        """Serialize to a JSON string."""
        return json.dumps(self.to_json(), ensure_ascii=False)
