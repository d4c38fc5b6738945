"""Binders exported from real stores, read back with pypdf.

Building a binder takes a few seconds, so the read-only tests share binders built
once per session, one from an SQLite file and one from a PostgreSQL store (`standard`,
`hostile`: the tests reading them run for each); tests that change something build
their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
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
    pages: list[str]  # extracted text per page

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
    reader = PdfReader(pdf)
    return Built(pdf, db_path, summary, reader, [p.extract_text() or "" for p in reader.pages])


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session", params=BACKENDS)
def standard(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue
) -> Built:
    """Two scans, images, a corrupt image, a text file, an exception, a sign-off; the
    audit period covers today."""
    today = date.today()
    spec = Spec(
        results_per_check=4,
        images=2,
        period=(today - timedelta(days=1), today + timedelta(days=30)),
    )
    backend = backend_named(request.param, request)
    return build(tmp_path_factory.mktemp("standard"), spec, catalogue, backend=backend)


@pytest.fixture(scope="session", params=BACKENDS)
def hostile(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue
) -> Built:
    spec = Spec(results_per_check=2, images=0, hostile=True, is_demo=True, two_scans=False)
    backend = backend_named(request.param, request)
    return build(tmp_path_factory.mktemp("hostile"), spec, catalogue, backend=backend)


@pytest.fixture
def fresh_copy(standard: Built, tmp_path: Path) -> Iterator[Path]:
    """A copy of the standard binder a test may tamper with."""
    target = tmp_path / "copy.pdf"
    target.write_bytes(standard.pdf.read_bytes())
    yield target
