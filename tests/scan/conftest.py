"""One account built on moto per module, scanned through real boto3.

Building the scenario takes moto a while, so `account` builds it once per module
(after a reset) and the tests scan that state without resetting (they do not use
the `aws` fixture, which would reset it); `scan_env` gives each test the environment
`aws` would have given.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from app.demo.moto_server import LocalMotoServer
from app.scan.request import ScanRequest
from app.scan.runner import ScanOutcome, run_scan
from app.store import engagements
from app.store.database import open_database
from tests.conftest import load_managed_policies
from tests.scan.scenario import HOME, OTHER, Built, build_account

ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": HOME,
}
SENSITIVE = "acme-plain"  # marked sensitive in the engagement: needs Object Lock


def _set_env(patch: pytest.MonkeyPatch, endpoint: str, home: Path) -> None:
    patch.setenv("AWS_ENDPOINT_URL", endpoint)
    patch.setenv("AWS_CONFIG_FILE", str(home / "config"))
    patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials"))
    patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name, value in ENV.items():
        patch.setenv(name, value)
    patch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(scope="module")
def account(
    moto_server: LocalMotoServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Built]:
    home = tmp_path_factory.mktemp("aws-home")
    with pytest.MonkeyPatch.context() as patch:
        load_managed_policies(patch)  # the scenario's admin-role has AdministratorAccess
        moto_server.reset()
        _set_env(patch, moto_server.endpoint, home)
        yield build_account(boto3.Session())


@pytest.fixture
def scan_env(
    account: Built, moto_server: LocalMotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Built:
    """The account's environment (endpoint, keys) for one test, without a reset."""
    _set_env(monkeypatch, moto_server.endpoint, tmp_path)
    return account


@pytest.fixture(scope="module")
def scanned(
    account: Built, moto_server: LocalMotoServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ScanOutcome, Path]]:
    """The full scan of the scenario in both regions, stored in a fresh DB."""
    home = tmp_path_factory.mktemp("scan-home")
    path = home / "scan.sqlite3"
    with pytest.MonkeyPatch.context() as patch:
        _set_env(patch, moto_server.endpoint, home)
        with open_database(path) as db:
            with db.session() as session:
                engagements.create_engagement(
                    session,
                    "Acme 2026",
                    actor="test",
                    settings={"sensitive_buckets": [SENSITIVE]},
                )
            outcome = run_scan(
                ScanRequest(boto3.Session, "Acme 2026", regions=[HOME, OTHER], actor="t"), db
            )
    yield outcome, path
