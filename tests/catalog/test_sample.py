"""The shipped sample catalog is exactly what ``python -m catalog.sample`` writes, and passes its
self-check, which includes every course against the rules (issue 11)."""

from __future__ import annotations

from pathlib import Path

from catalog.sample.__main__ import main
from catalog.sample.files import ORDER
from tests.conftest import SAMPLE_CATALOG


def test_generator_reproduces_the_shipped_sample(tmp_path: Path) -> None:
    assert main(["--out-dir", str(tmp_path)]) == 0
    for name in [*(f"{kind}.csv" for kind in ORDER), "README.md"]:
        assert (tmp_path / name).read_bytes() == (SAMPLE_CATALOG / name).read_bytes(), name


def test_check_passes_on_the_shipped_sample() -> None:
    assert main(["--check"]) == 0
