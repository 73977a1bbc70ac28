"""Versioned model artifacts on disk, written atomically, and the store that serves them.

Layout::

    root/
      CURRENT                 # the name of the version being served (flipped last)
      20270301T020000Z-a1b2c3/
        model.npz             # embeddings and biases (uncompressed, 64-byte aligned members; see below)
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

Memory-mapped arrays, shared between processes
----------------------------------------------
``model.npz`` is an ordinary ``np.savez`` file (``np.load`` reads it, as older releases do) whose
members are stored uncompressed with each array's data starting on a 64-byte boundary (padding in
the zip entry's extra field, as Android's zipalign does). The loader therefore maps each member
read-only (:class:`numpy.memmap` at the member's offset) instead of copying it: every gunicorn
worker on the host serves from the same page-cache pages, so a city-scale model costs its size
once per host, not once per process, and a process only touches the rows it scores (issue 16,
``bench/bench_memory.py``). A file written otherwise (compressed or unaligned members, older
artifacts) is read into memory as before. The checksum is verified first by streaming the file,
and the non-finite check runs over a separate mapping that is closed again, so neither leaves the
whole array resident in the worker. Versions are immutable once renamed into place (a new model
is a new folder), so mapping a verified file is safe; ``prune`` never deletes ``CURRENT``, and a
mapping of a pruned version stays valid until the process drops it (POSIX unlink semantics).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import struct
import threading
import uuid
import zipfile
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


ALIGN = 64  # bytes; numpy pads .npy headers to 64 too, so the array data starts on the boundary
_ZIP_LOCAL_HEADER = struct.Struct("<4s5H3I2H")  # zip local file header (30 bytes)
_PAD_EXTRA_ID = 0xD935  # the extra-field id zipalign uses for padding


def aligned_npz_bytes(arrays: Mapping[str, np.ndarray]) -> bytes:
    """An ``np.savez``-compatible npz whose members are stored uncompressed and 64-byte aligned.

    Readers that ignore the alignment (``np.load``) see an ordinary npz; :func:`load_artifact`
    memory-maps each member at its offset.
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, arr in arrays.items():
            npy = io.BytesIO()
            np.lib.format.write_array(npy, np.ascontiguousarray(arr), allow_pickle=False)
            data = npy.getvalue()
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            filename = info.filename.encode("utf-8")
            # Where the array's data will start without padding; .npy headers are multiples of 64.
            npy_header = len(data) - arr.nbytes
            start = buf.tell() + _ZIP_LOCAL_HEADER.size + len(filename) + 4 + npy_header
            pad = (-start) % ALIGN
            info.extra = struct.pack("<HH", _PAD_EXTRA_ID, pad) + b"\0" * pad
            zf.writestr(info, data)
    return buf.getvalue()


def _member_offsets(path: Path) -> dict[str, tuple[int, int]] | None:
    """``{member: (offset of its .npy bytes, length)}`` when every member is stored uncompressed."""
    out: dict[str, tuple[int, int]] = {}
    with open(path, "rb") as fh, zipfile.ZipFile(fh) as zf:
        for info in zf.infolist():
            if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
                return None
            fh.seek(info.header_offset)
            head = _ZIP_LOCAL_HEADER.unpack(fh.read(_ZIP_LOCAL_HEADER.size))
            if head[0] != b"PK\x03\x04":
                raise ValueError("bad zip local header")
            name_len, extra_len = head[-2], head[-1]
            out[info.filename] = (info.header_offset + _ZIP_LOCAL_HEADER.size + name_len + extra_len,
                                  info.file_size)
    return out


def _map_member(path: Path, offset: int, length: int) -> np.ndarray | None:
    """Read-only memory map of one stored .npy member, or ``None`` if its data is not aligned."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
        else:
            raise ValueError(f"unsupported .npy version {version}")
        data_offset = fh.tell()
    if dtype.hasobject:
        raise ValueError("object arrays need pickle")
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if data_offset + nbytes > offset + length:
        raise ValueError("array larger than its member")
    if data_offset % ALIGN or fortran or nbytes == 0:
        return None
    return np.memmap(path, dtype=dtype, mode="r", offset=data_offset, shape=tuple(shape), order="C")


def _load_arrays(path: Path) -> dict[str, np.ndarray]:
    """The model's arrays from a verified ``model.npz``: memory-mapped when aligned, else read."""
    offsets = _member_offsets(path)
    arrays: dict[str, np.ndarray] = {}
    for name in HybridModel.ARRAY_NAMES:
        member = f"{name}.npy"
        mapped = None
        if offsets is not None:
            if member not in offsets:
                raise KeyError(member)
            mapped = _map_member(path, *offsets[member])
        if mapped is None:
            with np.load(path, allow_pickle=False) as npz:
                mapped = np.array(npz[name])
        arrays[name] = mapped
    return arrays


def _all_finite(path: Path) -> bool:
    """Non-finite check over a *separate* mapping, dropped afterwards: the served mapping stays cold."""
    arrays = _load_arrays(path)
    try:
        for a in arrays.values():
            flat = a.reshape(-1)
            for i in range(0, flat.size, 1 << 22):  # 16 MB of float32 at a time
                if not np.isfinite(flat[i:i + (1 << 22)]).all():
                    return False
        return True
    finally:
        del arrays


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
    contents = {
        "model.npz": aligned_npz_bytes(arrays),
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


def _manifest_entry(manifest: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    entry = manifest.get(name)
    if not isinstance(entry, Mapping):
        raise ArtifactError(f"{name}: not in manifest")
    return entry


def _read_verified(folder: Path, manifest: Mapping[str, Any], name: str) -> bytes:
    try:
        data = (folder / name).read_bytes()
    except OSError as exc:
        raise ArtifactError(f"{name}: cannot read ({exc.__class__.__name__})") from exc
    entry = _manifest_entry(manifest, name)
    if len(data) != entry.get("bytes") or hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        raise ArtifactError(f"{name}: checksum mismatch (truncated or modified)")
    return data


def _verify_streamed(folder: Path, manifest: Mapping[str, Any], name: str) -> Path:
    """Checksum a (large) file in chunks, so verifying never holds it in the process's memory."""
    entry = _manifest_entry(manifest, name)
    path = folder / name
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        raise ArtifactError(f"{name}: cannot read ({exc.__class__.__name__})") from exc
    if size != entry.get("bytes") or digest.hexdigest() != entry.get("sha256"):
        raise ArtifactError(f"{name}: checksum mismatch (truncated or modified)")
    return path


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

    Notes
    -----
    The model's arrays are read-only memory maps of ``model.npz`` when it was written by
    :func:`save_artifact` (see the module docstring), plain arrays otherwise.
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
    npz_path = _verify_streamed(folder, manifest, "model.npz")
    blobs = {name: _read_verified(folder, manifest, name) for name in FILES if name != "model.npz"}
    try:
        arrays = _load_arrays(npz_path)
        meta = json.loads(blobs["meta.json"])
        if meta.get("format_version") != FORMAT_VERSION:
            # Another layout or feature scheme: scoring it with this code would be silently wrong.
            raise ArtifactError(f"{version}: artifact format {meta.get('format_version')}, this release reads "
                                f"{FORMAT_VERSION}; retrain")
        fs = FeatureSpace.from_json(json.loads(blobs["features.json"]))
        metrics = json.loads(blobs["metrics.json"])
        # The row maps are the feature space's own id maps (training writes both): share those
        # objects instead of parsing a second copy of every worker id (about 100 MB per process at
        # 1M workers; Python's small-object heap would keep it even after freeing).
        same = {"users": fs.user_ids, "items": fs.item_ids}
        if _json_bytes({k: v.to_json() for k, v in same.items()}) == blobs["idmap.json"]:
            idmaps = same
        else:
            idmaps = {k: IdMap.from_json(v) for k, v in json.loads(blobs["idmap.json"]).items()}
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
    if not _all_finite(npz_path):
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
