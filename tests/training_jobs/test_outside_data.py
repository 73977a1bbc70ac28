"""The outside-data path: the same fit and evaluation on CSV tables that are not ours."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from recommender.model import ModelParams
from training_jobs.outside_data import evaluate_outside, main, read_outside


def write_movie_like(folder: Path, n_users: int = 300, n_items: int = 60, seed: int = 0, split: bool = False) -> None:
    """A MovieLens-shaped data set: users with age/occupation, items with genres, ratings over time.

    A user's occupation decides which genre they like; a personal favourite item adds what only
    their history shows.
    """
    rng = np.random.default_rng(seed)
    genres = ["drama", "comedy", "action", "horror", "sci-fi"]
    item_genres = [sorted({genres[i % 5], genres[int(rng.integers(5))]}) for i in range(n_items)]
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "items.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["item_id", "genres", "decade"])
        for i, g in enumerate(item_genres):
            w.writerow([f"m{i}", "|".join(g), f"{1970 + 10 * (i % 4)}s"])
    t0 = datetime(2020, 1, 1, tzinfo=UTC)
    with open(folder / "users.csv", "w", newline="", encoding="utf-8") as uf, \
            open(folder / "interactions.csv", "w", newline="", encoding="utf-8") as itf:
        uw, iw = csv.writer(uf), csv.writer(itf)
        uw.writerow(["user_id", "occupation", "age"])
        iw.writerow(["user_id", "item_id", "rating", "timestamp"] + (["split"] if split else []))
        for u in range(n_users):
            occ = int(rng.integers(5))
            uw.writerow([f"u{u}", f"job{occ}", str(int(rng.integers(18, 60)) // 10 * 10)])
            fav = int(rng.integers(n_items))
            utility = np.array([2.0 * (genres[occ] in g) for g in item_genres]) + rng.normal(0, 0.5, n_items)
            utility[fav] += 3.0
            chosen = np.argsort(-utility)[: int(rng.integers(6, 14))]
            for j, i in enumerate(rng.permutation(chosen)):
                at = t0 + timedelta(days=int(rng.integers(0, 300)))
                row = [f"u{u}", f"m{i}", str(int(rng.integers(3, 6))), str(int(at.timestamp()))]
                iw.writerow(row + (["test" if j < 2 else "train"] if split else []))


@pytest.mark.slow
def test_outside_csv_tables_train_and_evaluate_like_ours(tmp_path: Path) -> None:
    write_movie_like(tmp_path)
    data = read_outside(tmp_path, min_rating=4)
    assert all(n.startswith(("genres:", "decade:")) for names in data.item_names.values() for n in names)
    assert any(len([n for n in names if n.startswith("genres:")]) == 2 for names in data.item_names.values())
    m = evaluate_outside(data, ModelParams(no_components=8, epochs=10, warm_epochs=5, num_threads=1), n_boot=200)
    h, c, p = m["hybrid"], m["content_only"], m["popularity"]
    for scorer in (h, c, p):
        assert scorer["auc"]["n"] == m["n_users"] > 50
        assert scorer["auc"]["lo"] <= scorer["auc"]["mean"] <= scorer["auc"]["hi"]
    # The attributes carry the taste (occupation → genre): the model beats popularity on them.
    assert c["auc"]["mean"] > p["auc"]["mean"] + 0.1
    assert h["auc"]["mean"] > p["auc"]["mean"] + 0.1


def test_outside_fixed_split_and_cli_report(tmp_path: Path) -> None:
    write_movie_like(tmp_path / "d", n_users=80, n_items=30, split=True)
    data = read_outside(tmp_path / "d")
    # The split column is honoured: two test events per user, the rest train.
    assert len(data.test) == 2 * 80 and len(data.train) + len(data.test) > 2 * 80
    assert main([str(tmp_path / "d"), "--epochs", "2", "--report", str(tmp_path / "r.md")]) == 0
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "| hybrid |" in text and "n=" in text and "cold-user AUC" in text


def test_outside_bad_rows_are_all_reported_and_nothing_is_read(tmp_path: Path) -> None:
    (tmp_path / "interactions.csv").write_text("user_id,item_id,split\nu1,m1,train\n,m2,train\nu3,m3,later\n",
                                               encoding="utf-8")
    with pytest.raises(ValueError) as err:
        read_outside(tmp_path)
    assert "line 3" in str(err.value) and "line 4" in str(err.value)
