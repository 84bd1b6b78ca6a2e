"""Every test, and every kb process a test starts, keeps kb's per-user secret
(`kbcli.secret`) in a directory of this test session's, never in the real home."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbcli.secret import local_secret

os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="kb-tests-user-cache-")


@pytest.fixture
def another_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """From here on, kb runs as a user with a cache directory (and secret) of their own."""
    # Not under tmp_path: a cache directory in a folder above a KB without git could be
    # the checkout's, and kb would not use it (`kbcli.secret.distrust`).
    home = Path(tempfile.mkdtemp(prefix="kb-another-user-")) / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    local_secret.cache_clear()
    yield home
    local_secret.cache_clear()
    shutil.rmtree(home.parent, ignore_errors=True)
