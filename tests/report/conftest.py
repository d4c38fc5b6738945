"""Binders exported from real stores, read back with pypdf.

Building a binder takes a few seconds, so the read-only tests share binders built
once per session (per xdist worker), one from an SQLite file and one from a PostgreSQL
store (`standard`, `hostile`: the tests reading them run for each); tests that change
something build their own. A binder's text is extracted when a test first reads it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.controls.catalogue import Catalogue, load_catalogue
from app.report.binder import BinderSummary
from app.services.binder import write_binder
from app.signing.identity import SigningIdentity, new_identity
from app.store.database import Database, open_database
from app.store.location import StoreLocation
from tests.conftest import BACKENDS, StoreBackend, backend_named
from tests.report.populate import Spec, populate


@dataclass
class Built:
    pdf: Path
    db: StoreLocation
    summary: BinderSummary
    reader: PdfReader

    @cached_property
    def pages(self) -> list[str]:
        """The extracted text of each page."""
        return [page.extract_text() or "" for page in self.reader.pages]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    @property
    def words(self) -> str:
        """All text with each run of whitespace as one space."""
        return re.sub(r"\s+", " ", self.text)

    @property
    def flat(self) -> str:
        """All text without any whitespace (wrapped ARNs and hashes join up again)."""
        return re.sub(r"\s+", "", self.text)


# One signing identity for every binder the report tests build (as one installation).
SIGNER: SigningIdentity = new_identity("qa", "test-host", source="the report tests")


def build(
    folder: Path,
    spec: Spec,
    catalogue: Catalogue,
    after: Callable[[Database], None] | None = None,
    backend: StoreBackend | None = None,
) -> Built:
    folder.mkdir(parents=True, exist_ok=True)
    db_path = (backend or StoreBackend("sqlite")).new_store(folder)
    pdf = folder / "binder.pdf"
    with open_database(db_path) as database:
        with database.session() as session:
            populate(session, catalogue, spec)
        if after is not None:
            after(database)
        summary = write_binder(  # as the GUI and CLI do
            database, spec.engagement, pdf, signer=SIGNER, actor="qa"
        )
    return Built(pdf, db_path, summary, PdfReader(pdf))


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def shared_binders() -> dict[tuple[str, str], Built]:
    """The session's read-only binders by (name, back end), each built once.

    A parametrised session fixture would do the same in principle, but pytest tears it
    down whenever the next test wants the other back end, and rebuilds it later."""
    return {}


def _shared(request: pytest.FixtureRequest, name: str, spec: Spec) -> Built:
    binders: dict[tuple[str, str], Built] = request.getfixturevalue("shared_binders")
    key = (name, str(request.param))
    if key not in binders:
        folder = request.getfixturevalue("tmp_path_factory").mktemp(name)
        catalogue = request.getfixturevalue("catalogue")
        backend = backend_named(key[1], request)
        binders[key] = build(folder, spec, catalogue, backend=backend)
    return binders[key]


@pytest.fixture(params=BACKENDS)
def standard(request: pytest.FixtureRequest) -> Built:
    """Two scans, images, a corrupt image, a text file, an exception, a sign-off; the
    audit period covers today."""
    today = date.today()
    spec = Spec(
        results_per_check=4,
        images=2,
        period=(today - timedelta(days=1), today + timedelta(days=30)),
    )
    return _shared(request, "standard", spec)


@pytest.fixture(params=BACKENDS)
def hostile(request: pytest.FixtureRequest) -> Built:
    spec = Spec(results_per_check=2, images=0, hostile=True, is_demo=True, two_scans=False)
    return _shared(request, "hostile", spec)


@pytest.fixture
def fresh_copy(standard: Built, tmp_path: Path) -> Iterator[Path]:
    """A copy of the standard binder a test may tamper with."""
    target = tmp_path / "copy.pdf"
    target.write_bytes(standard.pdf.read_bytes())
    yield target
