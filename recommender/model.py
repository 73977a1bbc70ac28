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

A dropped enrolment (``drop``, from the training archive) is kept as a *weak* positive: the worker
wanted the course enough to enrol, which says more than nothing about their taste, but it did not
work out, so it weighs like a view (1) and, being the pair's latest word, replaces the enrolment's
weight (a later save, enrolment or completion raises it again). Before issue 12 dropped enrolments
were discarded, losing the interest they show; as a positive at full weight they would teach the
model to recommend what people give up.

Dismissals (``dismiss``) are negative evidence, read as everywhere else
(:mod:`recommender.dismissals`): a pair whose dismissal still stands (no later save, enrolment or
completion) is removed from the positives (so WARP never treats it as positive; WARP may still
sample it as a negative, which is what we want) and returned separately.

The hybrid method: content-only first, identity offsets second (warm start)
---------------------------------------------------------------------------
Fitting LightFM with identity features from scratch did not beat the content-only model (the same
LightFM without identity features) on the sample catalog: the identity embeddings start random,
each gets few updates (a worker has a handful of events) and their noise drowns what the
attributes had learned. So the hybrid is fitted in two stages:

1. the content-only model, ``epochs`` epochs on attribute features only;
2. a LightFM over attribute *and* identity features whose attribute embeddings, biases and Adagrad
   accumulators are copied from stage 1 and whose identity embeddings start at zero
   (:class:`WarmStart`); since identity features are added on top of the normalized attributes
   (:mod:`recommender.features`), this model starts out scoring exactly like the content-only one.
   It is then trained ``warm_epochs`` more epochs on the same interactions with the attribute
   embeddings *frozen* at stage 1's values (``freeze_attributes``, reset after every epoch).

The identity embeddings thus learn only what a worker's or course's history says beyond their
attributes. Workers and courses without history keep the attribute-only representation, and since
the attributes are frozen that representation is exactly the content-only model's. Before the
freeze, stage 2 trained every parameter and the attribute embeddings co-adapted with the identity
offsets: unseen workers (every inline profile from the app) were ranked worse than by stage 1
alone (issue 12: AUC 0.683 vs 0.715 on outside enrolment data).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.dismissals import DISMISS, standing_dismissals
from recommender.features import IdMap
from recommender.items import Interaction


def reject_unknown(cls: type, values: Mapping[str, Any], what: str) -> None:
    """Configuration keys must be fields of ``cls``: a typo is an error, not a silent default."""
    unknown = set(values) - {f.name for f in fields(cls)}
    if unknown:
        raise ValueError(f"unknown {what}: {sorted(unknown)}")


@dataclass(frozen=True)
class ModelParams:
    """Hyperparameters of the hybrid model, chosen by quality per second of training.

    Measured on 3,000 synthetic workers ("tastes" generator, 400 courses, one thread; issue 12),
    holdout served recall@10 / AUC over open courses / CPU seconds of the train-split fit:
    64 components, 40 + 10 epochs: 0.833 / 0.955 / 14.6 s; **32 components, 20 + 10 epochs:
    0.831 / 0.947 / 6.7 s**; 32, 10 + 5: 0.825 / 0.935 / 4.9 s; 16, 15 + 5: 0.830 / 0.926 / 5.1 s
    (popularity-among-eligible 0.782). The served list gains nothing measurable beyond 32
    components and 20 + 10 epochs, at half the cost of the former 64 and 40 + 10.

    Measured again for issue 16 (``bench/bench_training.py --grid``: 5,000 workers, 600 courses,
    CPU seconds of the train-split fit, holdout served recall@10 / AUC; popularity 0.670): 16
    components, 15 + 5: 2.0 s, 0.751 / 0.932; 32, 10 + 5: 2.2 s, 0.749 / 0.934; **32, 20 + 10:
    4.2 s, 0.759 / 0.943**; 64, 40 + 10: 9.9 s, 0.765 / 0.952. Halving the cost loses about 0.01 of
    both; more than doubling it gains less than that, so the defaults stay.

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
    warm_epochs
        Epochs of the hybrid stage after the content-only stage (see module docstring); 0 fits
        the hybrid from scratch for ``epochs`` epochs instead.
    identity_weight
        Weight of identity features on top of the normalized attributes
        (:class:`recommender.features.FeatureSpace`).
    freeze_attributes
        Keep stage 1's attribute embeddings fixed in stage 2 (see module docstring).
    """

    loss: str = "warp"
    no_components: int = 32
    epochs: int = 20
    learning_rate: float = 0.05
    item_alpha: float = 1e-6
    user_alpha: float = 1e-6
    random_state: int = 42
    num_threads: int = 2
    max_sampled: int = 30
    warm_epochs: int = 10
    identity_weight: float = 0.7
    freeze_attributes: bool = True

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ModelParams:
        """Build from a mapping; unknown keys raise."""
        reject_unknown(cls, values, "model parameters")
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
    drop: float = 1.0

    def of(self, kind: str) -> float:
        """Weight of one positive event kind."""
        return float(getattr(self, kind))

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> InteractionWeights:
        """Build from configuration (``RECO_EVENT_WEIGHTS``); unknown kinds and negative weights raise."""
        reject_unknown(cls, values, "event kinds (dismiss is negative evidence, not a weight)")
        weights = {k: float(v) for k, v in values.items()}
        if any(w < 0 for w in weights.values()):
            raise ValueError("event weights must not be negative")
        return cls(**weights)


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
    keyed: list[tuple[tuple[int, int], str, Any]] = []
    for e in sorted(interactions, key=lambda e: e.at):  # in time: a drop replaces what came before
        u, i = user_ids.row(e.worker_id), item_ids.row(e.course_id)
        if u is None or i is None:
            continue
        keyed.append(((u, i), e.kind, e.at))
        if e.kind == "drop":
            best[(u, i)] = weights.of("drop")  # the latest word: what the enrolment showed did not hold
        elif e.kind != DISMISS:
            best[(u, i)] = max(best.get((u, i), 0.0), weights.of(e.kind))
    # The same reading of a dismissal as serving and the push (recommender.dismissals).
    dismissed = standing_dismissals(keyed)
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

_SIDES = ("user", "item")
# LightFM's per-feature parameter arrays (numpy, on the estimator); the accumulators carry
# Adagrad's per-feature learning-rate decay, so copying them continues stage 1 where it stopped.
_PER_FEATURE_ARRAYS = ("embeddings", "biases", "embedding_gradients", "embedding_momentum",
                       "bias_gradients", "bias_momentum")


@dataclass(frozen=True)
class WarmStart:
    """Where a new fit starts: rows of a fitted LightFM copied into the new feature columns.

    Parameters
    ----------
    source
        A fitted LightFM (the content-only model's ``lightfm``).
    user_rows, item_rows
        ``(target_columns, source_columns)`` pairs of int arrays: feature ``source_columns[j]`` of
        ``source`` becomes feature ``target_columns[j]`` of the new model. Target features not
        listed (the identity features) start with zero embeddings and biases.
    """

    source: Any
    user_rows: tuple[np.ndarray, np.ndarray]
    item_rows: tuple[np.ndarray, np.ndarray]
    freeze: bool = False

    def apply(self, model: Any, no_components: int, n_user_features: int, n_item_features: int) -> None:
        """Initialise ``model`` (a fresh LightFM) from the source."""
        if self.source.no_components != no_components:
            raise ValueError("warm start needs the same number of components")
        model._initialize(no_components, n_item_features, n_user_features)
        for side, (target, src) in zip(_SIDES, (self.user_rows, self.item_rows), strict=True):
            getattr(model, f"{side}_embeddings")[:] = 0.0
            for name in _PER_FEATURE_ARRAYS:
                getattr(model, f"{side}_{name}")[target] = getattr(self.source, f"{side}_{name}")[src]

    def restore(self, model: Any) -> None:
        """Put the copied rows back to the source's values (``freeze``: called after every epoch).

        LightFM cannot exclude features from its updates; resetting them after each epoch keeps the
        attribute embeddings exactly those of stage 1, so the identity embeddings are the only
        thing stage 2 learns and a worker or course without history is scored exactly as by the
        content-only model.
        """
        for side, (target, src) in zip(_SIDES, (self.user_rows, self.item_rows), strict=True):
            for name in _PER_FEATURE_ARRAYS:
                getattr(model, f"{side}_{name}")[target] = getattr(self.source, f"{side}_{name}")[src]


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
            progress: ProgressCallback | None = None, warm_start: WarmStart | None = None) -> HybridModel:
        """Fit, one ``fit_partial`` per epoch, from random parameters or from a warm start.

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
        warm_start
            Start from another fitted model's parameters instead of LightFM's random ones
            (see module docstring).

        Returns
        -------
        HybridModel
            ``self``, with the arrays set.
        """
        n_epochs = self.params.epochs if epochs is None else epochs
        model = self._new_lightfm()
        if warm_start is not None:
            warm_start.apply(model, self.params.no_components, user_features.shape[1], item_features.shape[1])
        inter = interactions.tocoo()
        weights = sample_weight.tocoo() if sample_weight is not None else None
        for epoch in range(n_epochs):
            model.fit_partial(inter, user_features=user_features, item_features=item_features,
                              sample_weight=weights, epochs=1, num_threads=self._threads())
            if warm_start is not None and warm_start.freeze:
                warm_start.restore(model)
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
        # einsum, not BLAS: its per-row sum runs in one fixed order whichever operand is the matrix,
        # so scoring one course against all workers (recommender.audience) gives bit-identical
        # numbers; BLAS gemv blocks differently by shape (thousands of last-bit differences per
        # million pairs, enough to flip ties). It costs about 1.5x the BLAS mat-vec.
        return np.einsum("ij,j->i", item_reprs.vectors, user_repr.vector) + item_reprs.biases \
            + np.float32(user_repr.bias)

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

