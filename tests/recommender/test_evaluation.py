from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from recommender.evaluation import (
    auc_per_user,
    catalog_coverage,
    popularity_scores,
    precision_recall_at_k,
    temporal_split,
)
from recommender.items import Interaction


def test_precision_recall_hand_computed() -> None:
    scores = np.array([[0.9, 0.8, 0.7, 0.1], [0.1, 0.2, 0.3, 0.4]])
    relevant = np.array([[False, True, False, True], [True, False, False, False]])
    exclude = np.array([[True, False, False, False], [False, False, False, False]])
    p, r = precision_recall_at_k(scores, relevant, exclude, k=2)
    # user 0: item 0 excluded → top2 = items 1, 2 → 1 hit of 2 relevant
    # user 1: top2 = items 3, 2 → 0 hits
    assert p.tolist() == [0.5, 0.0] and r.tolist() == [0.5, 0.0]


def test_auc_hand_computed_with_ties_and_mask() -> None:
    scores = np.array([[0.9, 0.5, 0.5, 0.1]])
    relevant = np.array([[False, True, False, False]])
    exclude = np.zeros((1, 4), dtype=bool)
    # positive (0.5) beats 0.1, ties 0.5 (half), loses to 0.9 → (1 + 0.5) / 3
    assert auc_per_user(scores, relevant, exclude)[0] == pytest.approx(1.5 / 3)
    mask = np.array([False, True, False, True])
    assert auc_per_user(scores, relevant, exclude, mask)[0] == pytest.approx(1.0)
    assert np.isnan(auc_per_user(scores, np.zeros((1, 4), bool), exclude)[0])


def test_coverage() -> None:
    scores = np.array([[3.0, 2.0, 1.0, 0.0], [3.0, 1.0, 2.0, 0.0]])
    assert catalog_coverage(scores, np.zeros((2, 4), bool), k=2) == 0.75


def test_temporal_split_cold_users_and_new_items() -> None:
    t = datetime(2026, 1, 1)
    ev = [Interaction(1, 10, "view", t + timedelta(days=d)) for d in range(8)]
    ev += [Interaction(2, 11, "click", t + timedelta(days=9)), Interaction(1, 10, "enrol", t + timedelta(days=10))]
    s = temporal_split(ev, test_fraction=0.2)
    assert len(s.train) == 8 and len(s.test) == 2
    assert s.cold_users == {2} and s.new_items == {11}
    assert all(e.at < s.cutoff for e in s.train) and all(e.at >= s.cutoff for e in s.test)


def test_popularity_counts_weighted_events() -> None:
    t = datetime(2026, 1, 1)
    ev = [Interaction(1, 10, "view", t), Interaction(2, 10, "enrol", t), Interaction(1, 11, "dismiss", t)]
    pop = popularity_scores(ev, np.array([11, 10, 12]), n_users=2)
    assert pop.shape == (2, 3) and pop[0].tolist() == [0.0, 6.0, 0.0]
