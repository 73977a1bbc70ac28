"""The hybrid LightFM model, reduced after fitting to plain numpy arrays for serving.

LightFM is used only to *fit*. Afterwards the model is four arrays (user/item feature embeddings
and biases); a representation is ``features @ embeddings`` and a score is a dot product plus
biases. Serving this way with numpy is several times faster than ``LightFM.predict`` for a whole
catalog (see ``bench/bench_scoring.py``) and needs no OpenMP after a fork.

Interaction weights
-------------------
Events of one (worker, course) pair are collapsed into one positive whose weight is that of the
*strongest* event (defaults: view 1, click 2, save 3, enrol 5, complete 6). The strongest, not the
sum: a funnel view→click→enrol is one enrolment, not three pieces of evidence, and summing would
reward courses that people browse repeatedly.

Dismissals (``dismiss``) are negative evidence. A pair whose latest event is a dismissal is removed
from the positives (so WARP never treats it as positive; WARP may still sample it as a negative,
which is what we want). The dismissed pairs are returned separately so ranking can down-weight
them (:mod:`recommender.ranking`). A later enrolment overrides an earlier dismissal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.features import IdMap
from recommender.items import Interaction


@dataclass(frozen=True)
class ModelParams:
    """Hyperparameters of the hybrid model (tuned on the synthetic Yancheng population).

    Parameters
    ----------
    loss
        LightFM loss; ``"warp"`` optimizes the top of the ranking, which is what we show.
    no_components
        Embedding dimension.
    epochs
        Passes over the interactions.
    learning_rate
        Adagrad initial learning rate.
    item_alpha, user_alpha
        L2 penalties on feature embeddings (per sample).
    random_state
        Seed; with ``num_threads=1`` the fit is fully deterministic.
    num_threads
        OpenMP threads for fitting (Hogwild: >1 is not bit-reproducible).
    max_sampled
        WARP's maximum negatives sampled per positive.
    """

    loss: str = "warp"
    no_components: int = 64
    epochs: int = 40
    learning_rate: float = 0.05
    item_alpha: float = 1e-6
    user_alpha: float = 1e-6
    random_state: int = 42
    num_threads: int = 2
    max_sampled: int = 30

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ModelParams:
        """Build from a mapping, ignoring unknown keys is an error (typos should be loud)."""
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown model parameters: {sorted(unknown)}")
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for meta.json."""
        return asdict(self)


@dataclass(frozen=True)
class InteractionWeights:
    """Weight of each event kind in the positive interactions (see module docstring)."""

    view: float = 1.0
    click: float = 2.0
    save: float = 3.0
    enrol: float = 5.0
    complete: float = 6.0

    def of(self, kind: str) -> float:
        """Weight of one positive event kind."""
        return float(getattr(self, kind))


# Kinds that override an earlier dismissal: acting on a course after dismissing it means the
# dismissal is stale. A mere view afterwards (e.g. the course was shown again) does not.
_OVERRIDING_KINDS = frozenset({"save", "enrol", "complete"})


@dataclass
class InteractionMatrices:
    """Matrices built from interactions for one pair of id maps.

    Attributes
    ----------
    interactions
        COO, 1 where the pair is a positive.
    weights
        COO with the same sparsity pattern, the pair's weight.
    dismissed
        CSR, 1 where the pair's latest word was a dismissal.
    """

    interactions: sp.coo_matrix
    weights: sp.coo_matrix
    dismissed: sp.csr_matrix


def build_interaction_matrices(interactions: Iterable[Interaction], user_ids: IdMap, item_ids: IdMap,
                               weights: InteractionWeights = InteractionWeights()) -> InteractionMatrices:
    """Collapse events into positive pairs with weights, and dismissed pairs.

    Parameters
    ----------
    interactions
        Events; those with unknown worker or course ids are ignored.
    user_ids, item_ids
        Row maps.
    weights
        Weight per event kind.

    Returns
    -------
    InteractionMatrices
    """
    best: dict[tuple[int, int], float] = {}
    dismissed_at: dict[tuple[int, int], Any] = {}
    overridden: set[tuple[int, int]] = set()
    events = sorted(interactions, key=lambda e: e.at)
    for e in events:
        u, i = user_ids.row(e.worker_id), item_ids.row(e.course_id)
        if u is None or i is None:
            continue
        key = (u, i)
        if e.kind == "dismiss":
            dismissed_at[key] = e.at
            overridden.discard(key)
            continue
        best[key] = max(best.get(key, 0.0), weights.of(e.kind))
        if key in dismissed_at and e.kind in _OVERRIDING_KINDS:
            overridden.add(key)
    dismissed = {k for k in dismissed_at if k not in overridden}
    pos = [(k, w) for k, w in best.items() if k not in dismissed]
    shape = (len(user_ids), len(item_ids))
    rows = np.array([k[0] for k, _ in pos], dtype=np.int32)
    cols = np.array([k[1] for k, _ in pos], dtype=np.int32)
    vals = np.array([w for _, w in pos], dtype=np.float32)
    inter = sp.coo_matrix((np.ones_like(vals), (rows, cols)), shape=shape)
    wmat = sp.coo_matrix((vals, (rows, cols)), shape=shape)
    drows = np.array([k[0] for k in dismissed], dtype=np.int32)
    dcols = np.array([k[1] for k in dismissed], dtype=np.int32)
    dmat = sp.csr_matrix((np.ones(len(dismissed), dtype=np.float32), (drows, dcols)), shape=shape)
    return InteractionMatrices(inter, wmat, dmat)


@dataclass(frozen=True)
class UserVector:
    """A user's representation: embedding vector and bias."""

    vector: np.ndarray  # (no_components,)
    bias: float


@dataclass(frozen=True)
class ItemMatrix:
    """Representations of many items: embeddings (n, no_components) and biases (n,)."""

    vectors: np.ndarray
    biases: np.ndarray

    def __len__(self) -> int:
        return int(self.vectors.shape[0])


ProgressCallback = Callable[[int, int], None]


class HybridModel:
    """LightFM hybrid matrix factorization, served from numpy arrays.

    Parameters
    ----------
    params
        Hyperparameters.
    """

    #: Arrays that make up a fitted model (the content of ``model.npz``).
    ARRAY_NAMES = ("user_embeddings", "user_biases", "item_embeddings", "item_biases")

    def __init__(self, params: ModelParams = ModelParams()) -> None:
        self.params = params
        self.user_embeddings: np.ndarray | None = None
        self.user_biases: np.ndarray | None = None
        self.item_embeddings: np.ndarray | None = None
        self.item_biases: np.ndarray | None = None
        self.lightfm: Any = None  # the fitted LightFM, kept only in the process that trained

    def _new_lightfm(self) -> Any:
        from lightfm import LightFM  # imported lazily: serving processes never need it

        p = self.params
        # A fresh estimator with an integer seed on every fit: LightFM keeps a RandomState
        # object across fits, so refitting one instance would not repeat itself.
        return LightFM(no_components=p.no_components, loss=p.loss, learning_rate=p.learning_rate,
                       item_alpha=p.item_alpha, user_alpha=p.user_alpha, max_sampled=p.max_sampled,
                       random_state=np.random.RandomState(p.random_state))

    def _threads(self) -> int:
        return self.params.num_threads

    def fit(self, interactions: sp.coo_matrix, user_features: sp.csr_matrix, item_features: sp.csr_matrix,
            sample_weight: sp.coo_matrix | None = None, epochs: int | None = None,
            progress: ProgressCallback | None = None) -> HybridModel:
        """Fit from scratch, one ``fit_partial`` per epoch.

        Parameters
        ----------
        interactions
            (n_users, n_items) COO of positives.
        user_features, item_features
            Normalized feature matrices (rows aligned with the interaction matrix).
        sample_weight
            Weights with the same sparsity as ``interactions``, or ``None``.
        epochs
            Overrides ``params.epochs``.
        progress
            Called as ``progress(epoch_done, epochs_total)`` after every epoch.

        Returns
        -------
        HybridModel
            ``self``, with the arrays set.
        """
        n_epochs = self.params.epochs if epochs is None else epochs
        model = self._new_lightfm()
        inter = interactions.tocoo()
        weights = sample_weight.tocoo() if sample_weight is not None else None
        for epoch in range(n_epochs):
            model.fit_partial(inter, user_features=user_features, item_features=item_features,
                              sample_weight=weights, epochs=1, num_threads=self._threads())
            if progress is not None:
                progress(epoch + 1, n_epochs)
        self.lightfm = model
        self.user_embeddings = np.ascontiguousarray(model.user_embeddings, dtype=np.float32)
        self.user_biases = np.ascontiguousarray(model.user_biases, dtype=np.float32)
        self.item_embeddings = np.ascontiguousarray(model.item_embeddings, dtype=np.float32)
        self.item_biases = np.ascontiguousarray(model.item_biases, dtype=np.float32)
        return self

    # -- serving -----------------------------------------------------------------------------
    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if self.user_embeddings is None or self.user_biases is None or self.item_embeddings is None \
                or self.item_biases is None:
            raise RuntimeError("model is not fitted")
        return self.user_embeddings, self.user_biases, self.item_embeddings, self.item_biases

    def user_vector(self, feature_row: sp.spmatrix) -> UserVector:
        """Representation of one user from a (1 × n_user_features) normalized feature row.

        Parameters
        ----------
        feature_row
            From :meth:`recommender.features.FeatureSpace.user_row`.

        Returns
        -------
        UserVector
        """
        ue, ub, _, _ = self._arrays()
        row = sp.csr_matrix(feature_row, dtype=np.float32)
        vec = np.asarray(row @ ue, dtype=np.float32).ravel()
        bias = float(np.asarray(row @ ub).ravel()[0])
        return UserVector(vec, bias)

    def user_matrix(self, user_features: sp.spmatrix) -> ItemMatrix:
        """Representations of many users at once (batch evaluation, push audiences)."""
        ue, ub, _, _ = self._arrays()
        m = sp.csr_matrix(user_features, dtype=np.float32)
        return ItemMatrix(np.asarray(m @ ue, dtype=np.float32), np.asarray(m @ ub, dtype=np.float32).ravel())

    def item_matrix(self, item_features: sp.spmatrix) -> ItemMatrix:
        """Representations of items from their normalized feature matrix.

        Parameters
        ----------
        item_features
            From :meth:`recommender.features.FeatureSpace.item_matrix`.

        Returns
        -------
        ItemMatrix
            Compute once per catalog version and keep; scoring is then one mat-vec.
        """
        _, _, ie, ib = self._arrays()
        m = sp.csr_matrix(item_features, dtype=np.float32)
        return ItemMatrix(np.asarray(m @ ie, dtype=np.float32), np.asarray(m @ ib, dtype=np.float32).ravel())

    @staticmethod
    def score(user_repr: UserVector, item_reprs: ItemMatrix) -> np.ndarray:
        """Scores of one user against many items: dot product plus item and user bias.

        The user bias does not change the order; it is added so that the numbers equal
        ``LightFM.predict``'s.

        Returns
        -------
        numpy.ndarray
            float32, shape ``(n_items,)``.
        """
        return item_reprs.vectors @ user_repr.vector + item_reprs.biases + np.float32(user_repr.bias)

    # -- persistence -------------------------------------------------------------------------
    def to_arrays(self) -> dict[str, np.ndarray]:
        """The arrays to store in ``model.npz``."""
        ue, ub, ie, ib = self._arrays()
        return {"user_embeddings": ue, "user_biases": ub, "item_embeddings": ie, "item_biases": ib}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], params: ModelParams = ModelParams()) -> HybridModel:
        """Rebuild a serving model from stored arrays (no LightFM involved)."""
        m = cls(params)
        m.user_embeddings = np.asarray(arrays["user_embeddings"], dtype=np.float32)
        m.user_biases = np.asarray(arrays["user_biases"], dtype=np.float32)
        m.item_embeddings = np.asarray(arrays["item_embeddings"], dtype=np.float32)
        m.item_biases = np.asarray(arrays["item_biases"], dtype=np.float32)
        return m


class DeterministicHybridModel(HybridModel):
    """A :class:`HybridModel` that always fits on one thread, so results repeat bit for bit.

    Used in tests where ranking assertions must be exact (as RecTools' ``DeterministicLightFM``).
    """

    def __init__(self, params: ModelParams = ModelParams()) -> None:
        super().__init__(replace(params, num_threads=1))

    def _threads(self) -> int:
        return 1
