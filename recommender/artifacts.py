"""Versioned model artifacts on disk, written atomically, and the store that serves them.

Layout::

    root/
      CURRENT                 # the name of the version being served (flipped last)
      20270301T020000Z-a1b2c3/
        model.npz             # embeddings and biases (numpy, loaded with allow_pickle=False)
        idmap.json            # external worker/course ids <-> matrix rows
        features.json         # the FeatureSpace (feature name -> column)
        meta.json             # params, shapes, training window, code of the data …
        metrics.json          # holdout metrics of this model and its baselines
        MANIFEST.json         # sha256 and size of each of the five files above

A version is written into a hidden temp directory, every file and the directory are fsynced,
then the directory is ``os.replace``d into place; only then is ``CURRENT`` rewritten (temp file,
fsync, ``os.replace``). A crash at any point leaves either the old ``CURRENT`` or the new one,
never a pointer to a half-written version. Loading re-verifies every checksum, so a truncated or
tampered file is an :class:`ArtifactError`, not a silently wrong model. Serving processes keep
using the old version until a new one has loaded cleanly (as Gorse's server does).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from recommender.features import FeatureSpace, IdMap
from recommender.model import HybridModel, ModelParams

CURRENT = "CURRENT"
MANIFEST = "MANIFEST.json"
FILES = ("model.npz", "idmap.json", "features.json", "meta.json", "metrics.json")
# 2: identity features are an offset on top of the normalized attributes (recommender.features).
FORMAT_VERSION = 2


class ArtifactError(Exception):
    """An artifact is missing, truncated, tampered with or inconsistent."""


@dataclass(frozen=True)
class LoadedArtifact:
    """A verified artifact, ready to serve."""

    version: str
    model: HybridModel
    feature_space: FeatureSpace
    idmaps: dict[str, IdMap]
    meta: dict[str, Any]
    metrics: dict[str, Any]


def _fsync_dir(path: Path) -> None:
    # Directory fsync makes the rename/creation itself durable (POSIX); not available on Windows.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _json_bytes(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def new_version(now: datetime | None = None) -> str:
    """A sortable, unique version name: UTC timestamp plus a random suffix."""
    t = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{t:%Y%m%dT%H%M%S}Z-{uuid.uuid4().hex[:6]}"


def write_current(root: Path | str, version: str) -> None:
    """Atomically point ``root/CURRENT`` at ``version``."""
    root = Path(root)
    tmp = root / f".{CURRENT}.{uuid.uuid4().hex}.tmp"
    _write_bytes(tmp, (version + "\n").encode("ascii"))
    os.replace(tmp, root / CURRENT)
    _fsync_dir(root)


def read_current(root: Path | str) -> str | None:
    """The version ``CURRENT`` points at, or ``None`` when there is none yet."""
    try:
        text = (Path(root) / CURRENT).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    return text or None


def save_artifact(root: Path | str, model: HybridModel, feature_space: FeatureSpace,
                  idmaps: Mapping[str, IdMap], meta: Mapping[str, Any], metrics: Mapping[str, Any],
                  promote: bool = True, version: str | None = None,
                  extra_files: Mapping[str, bytes] | None = None) -> str:
    """Write a new artifact version atomically and, if ``promote``, flip ``CURRENT`` to it.

    Parameters
    ----------
    root
        Artifact root directory (created if missing).
    model
        A fitted model.
    feature_space
        The vocabulary the model was fitted with.
    idmaps
        ``{"users": IdMap, "items": IdMap}``: rows of the interaction matrix.
    meta
        Free-form JSON-serializable facts (training window, data source …).
    metrics
        Holdout metrics.
    promote
        Flip ``CURRENT`` after the version is in place. ``False`` keeps it for inspection only.
    version
        Version name; a new timestamped one by default.
    extra_files
        More files to ship inside the version (``report.md``, charts); checksummed in the
        manifest but not needed to load the model.

    Returns
    -------
    str
        The version name.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    version = version or new_version()
    final = root / version
    if final.exists():
        raise ArtifactError(f"version {version} already exists")
    arrays = model.to_arrays()
    full_meta = dict(meta)
    full_meta.update({
        "format_version": FORMAT_VERSION,
        "version": version,
        "promoted": promote,
        "created_at": datetime.now(UTC).isoformat(),
        "params": model.params.to_dict(),
        "shapes": {k: list(v.shape) for k, v in arrays.items()},
        "n_user_features": feature_space.n_user_features,
        "n_item_features": feature_space.n_item_features,
    })
    buf = io.BytesIO()
    np.savez(buf, allow_pickle=False, **arrays)
    contents = {
        "model.npz": buf.getvalue(),
        "idmap.json": _json_bytes({k: v.to_json() for k, v in idmaps.items()}),
        "features.json": _json_bytes(feature_space.to_json()),
        "meta.json": _json_bytes(full_meta),
        "metrics.json": _json_bytes(dict(metrics)),
    }
    for name, data in (extra_files or {}).items():
        if name in contents or name == MANIFEST or "/" in name or name.startswith("."):
            raise ValueError(f"invalid extra file name {name!r}")
        contents[name] = data
    manifest = {name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
                for name, data in contents.items()}
    tmp = root / f".tmp-{version}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        for name, data in contents.items():
            _write_bytes(tmp / name, data)
        _write_bytes(tmp / MANIFEST, _json_bytes(manifest))
        _fsync_dir(tmp)
        os.replace(tmp, final)
        _fsync_dir(root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if promote:
        write_current(root, version)  # last: readers only ever see complete versions
    return version


def _read_verified(folder: Path, manifest: Mapping[str, Any], name: str) -> bytes:
    try:
        data = (folder / name).read_bytes()
    except OSError as exc:
        raise ArtifactError(f"{name}: cannot read ({exc.__class__.__name__})") from exc
    entry = manifest.get(name)
    if not isinstance(entry, Mapping):
        raise ArtifactError(f"{name}: not in manifest")
    if len(data) != entry.get("bytes") or hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        raise ArtifactError(f"{name}: checksum mismatch (truncated or modified)")
    return data


def load_artifact(root: Path | str, version: str | None = None) -> LoadedArtifact:
    """Load and verify a version (the ``CURRENT`` one by default).

    Parameters
    ----------
    root
        Artifact root.
    version
        Version to load; ``None`` reads ``CURRENT``.

    Returns
    -------
    LoadedArtifact

    Raises
    ------
    ArtifactError
        When ``CURRENT`` or a file is missing, a checksum differs, the npz cannot be read without
        pickle, or shapes disagree with the feature space.
    """
    root = Path(root)
    if version is None:
        version = read_current(root)
        if version is None:
            raise ArtifactError("no CURRENT version")
    if "/" in version or version.startswith("."):
        raise ArtifactError("invalid version name")
    folder = root / version
    try:
        manifest = json.loads((folder / MANIFEST).read_bytes())
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{version}: manifest missing or unreadable") from exc
    blobs = {name: _read_verified(folder, manifest, name) for name in FILES}
    try:
        with np.load(io.BytesIO(blobs["model.npz"]), allow_pickle=False) as npz:
            arrays = {name: np.array(npz[name]) for name in HybridModel.ARRAY_NAMES}
        idmap_json = json.loads(blobs["idmap.json"])
        meta = json.loads(blobs["meta.json"])
        if meta.get("format_version") != FORMAT_VERSION:
            # Another layout or feature scheme: scoring it with this code would be silently wrong.
            raise ArtifactError(f"{version}: artifact format {meta.get('format_version')}, this release reads "
                                f"{FORMAT_VERSION}; retrain")
        fs = FeatureSpace.from_json(json.loads(blobs["features.json"]))
        metrics = json.loads(blobs["metrics.json"])
        idmaps = {k: IdMap.from_json(v) for k, v in idmap_json.items()}
        params = ModelParams.from_mapping(meta["params"])
    except ArtifactError:
        raise
    except Exception as exc:  # any parse failure of a verified file is still a bad artifact
        raise ArtifactError(f"{version}: cannot parse ({exc.__class__.__name__}: {exc})") from exc
    ue, ub, ie, ib = (arrays[n] for n in HybridModel.ARRAY_NAMES)
    k = ue.shape[1] if ue.ndim == 2 else -1
    if not (ue.ndim == 2 and ie.ndim == 2 and ie.shape[1] == k and ub.shape == (ue.shape[0],)
            and ib.shape == (ie.shape[0],)):
        raise ArtifactError(f"{version}: inconsistent array shapes")
    if ue.shape[0] != fs.n_user_features or ie.shape[0] != fs.n_item_features:
        raise ArtifactError(f"{version}: arrays do not match the feature space")
    if not all(np.isfinite(a).all() for a in arrays.values()):
        raise ArtifactError(f"{version}: non-finite values in model")
    return LoadedArtifact(version, HybridModel.from_arrays(arrays, params), fs, idmaps, meta, metrics)


def list_versions(root: Path | str) -> list[str]:
    """Complete version directories, oldest first (names sort by time)."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def prune(root: Path | str, keep: int = 3) -> list[str]:
    """Delete all but the newest ``keep`` versions; never the ``CURRENT`` one.

    Leftover temp directories of crashed writes are removed too.

    Returns
    -------
    list of str
        The versions removed.
    """
    if keep < 1:
        raise ValueError("keep must be >= 1")
    root = Path(root)
    current = read_current(root)
    versions = list_versions(root)
    doomed = [v for v in versions[:-keep] if v != current]
    for v in doomed:
        shutil.rmtree(root / v, ignore_errors=True)
    if root.is_dir():
        for p in root.iterdir():
            if p.name.startswith(".tmp-") and p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
    return doomed


class ModelStore:
    """Holds the model being served and swaps it only for a cleanly loaded newer version.

    Parameters
    ----------
    root
        Artifact root to watch.

    Notes
    -----
    ``maybe_reload`` is cheap when nothing changed (one ``stat`` of ``CURRENT``), so callers can
    invoke it per request or from a timer. Readers take ``current`` (one attribute read, atomic in
    CPython) and keep using that object for the whole request.
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._current: LoadedArtifact | None = None
        self._stamp: tuple[int, int, int] | None = None
        self.last_error: str | None = None
        self.last_failed_version: str | None = None

    def _newest_good(self, exclude: str) -> LoadedArtifact | None:
        for version in reversed(list_versions(self.root)):
            if version == exclude:
                continue
            try:
                loaded = load_artifact(self.root, version)
            except ArtifactError:
                continue
            # Versions the training job refused to promote were never meant to serve.
            if loaded.meta.get("promoted") is not False:
                return loaded
        return None

    @property
    def current(self) -> tuple[str, LoadedArtifact] | None:
        """``(version, artifact)`` being served, or ``None`` before the first clean load."""
        art = self._current
        return None if art is None else (art.version, art)

    def maybe_reload(self) -> bool:
        """Load the version ``CURRENT`` points at if it changed; swap only on success.

        Returns
        -------
        bool
            ``True`` when a new version is now served.
        """
        try:
            st = os.stat(self.root / CURRENT)
        except FileNotFoundError:
            return False
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp == self._stamp:
            return False
        with self._lock:
            if stamp == self._stamp:  # another thread did it while we waited
                return False
            try:
                return self._reload()
            finally:
                # Only once the attempt is over: a thread that sees this stamp outside the lock
                # must find the loaded model, not the ``None`` of a process still loading its first.
                self._stamp = stamp

    def _reload(self) -> bool:
        version = read_current(self.root)
        if version is None or (self._current is not None and self._current.version == version):
            return False
        try:
            loaded = load_artifact(self.root, version)
        except ArtifactError as exc:
            # Keep serving the old model; remember why so /health/ready can report it.
            self.last_error = str(exc)
            self.last_failed_version = version
            if self._current is None:
                # Nothing to keep (a process starting while CURRENT points at a broken
                # version): serve the newest version that was promoted and loads cleanly.
                self._current = self._newest_good(exclude=version)
                return self._current is not None
            return False
        self._current = loaded
        self.last_error = None
        self.last_failed_version = None
        return True
