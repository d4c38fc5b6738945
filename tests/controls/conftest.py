"""A writable copy of the bundled catalogue for tests to break, and helpers to break it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app import paths
from app.controls.catalogue import Catalogue, CatalogueError, load_catalogue


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A writable copy of the bundled catalogue, for a test to break."""
    target = tmp_path / "controls"
    shutil.copytree(paths.resources_dir() / "controls", target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def error_of(directory: Path) -> CatalogueError:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(directory)
    return caught.value


def manual_control(
    control_id: str,
    *,
    family: str = "governance",
    iso27001: str = '["A.5.1"]',
    soc2: str = '["CC5.3"]',
    extra: str = "",
) -> str:
    """The text of a small, valid manual control file (no checks)."""
    return f'''id = "{control_id}"
title = "A manual control for the test"
family = "{family}"
summary = "What done looks like."
why = "Why it matters."
{extra}
[mapping]
iso27001 = {iso27001}
soc2 = {soc2}
scf = ["GOV-02"]

[[manual_evidence]]
id = "the-record"
title = "The record"
description = "The dated record an auditor asks for."

[[remediation]]
title = "Do it"
text = "Do the work."
'''
