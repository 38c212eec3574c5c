"""spec/ is a verbatim copy of the shared spec (../shared/spec next to the repository).

The shared spec is the source; a clone carries the copy so its links resolve. Where the
shared directory is present, every file in it must be in spec/ byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COPY = ROOT / "spec"
SHARED = ROOT.parent / "shared" / "spec"

pytestmark = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"no shared spec at {SHARED} to compare spec/ with"
)


def shared_files() -> list[Path]:
    return sorted(path for path in SHARED.iterdir() if path.is_file()) if SHARED.is_dir() else []


def test_the_shared_spec_has_files() -> None:
    assert shared_files()


@pytest.mark.parametrize("shared", shared_files(), ids=lambda path: path.name)
def test_the_copy_is_byte_identical(shared: Path) -> None:
    copy = COPY / shared.name
    assert copy.is_file(), f"spec/{shared.name} is missing: copy it from {shared}"
    assert copy.read_bytes() == shared.read_bytes(), f"spec/{shared.name} differs from {shared}"
