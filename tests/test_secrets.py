"""Client credentials in the keyring, per engagement; never in the DB file or the log."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keyring.backends.fail
import keyring.backends.null
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.aws.identity import whoami
from app.aws.login import (
    HandedRoleSignIn,
    TemporaryKeysSignIn,
    make_session,
    sign_in_from_json,
    sign_in_to_json,
)
from app.secrets import (
    SERVICE,
    HandedRole,
    KeyringUnavailable,
    SecretStore,
    TemporaryKeys,
    delete_engagement_secrets,
)
from app.store.models import Account, Base, Engagement
from tests.fakes.memory_keyring import MemoryKeyring

EXTERNAL_ID = "ext-id-7f3a9c51-d0e2"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz9secret"
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLEsessiontokenvalue"


def test_role_and_keys_round_trip(isolated_machine: MemoryKeyring) -> None:
    store = SecretStore()
    store.save_role(7, HandedRole("arn:aws:iam::210987654321:role/Audit", EXTERNAL_ID))
    expires = datetime(2026, 12, 1, tzinfo=UTC)
    store.save_temporary_keys(7, TemporaryKeys("ASIAEXAMPLE", SECRET_KEY, SESSION_TOKEN, expires))

    assert store.load_role(7) == HandedRole("arn:aws:iam::210987654321:role/Audit", EXTERNAL_ID)
    keys = store.load_temporary_keys(7)
    assert keys is not None
    assert (keys.secret_access_key, keys.session_token, keys.expires_at) == (
        SECRET_KEY,
        SESSION_TOKEN,
        expires,
    )
    assert set(isolated_machine.entries) == {
        (SERVICE, "engagement:7:role"),
        (SERVICE, "engagement:7:temporary-keys"),
    }
    assert store.load_role(8) is None  # per engagement
    assert EXTERNAL_ID not in repr(store.load_role(7)) and SECRET_KEY not in repr(keys)


def test_deleting_the_engagement_deletes_its_secrets(isolated_machine: MemoryKeyring) -> None:
    store = SecretStore()
    store.save_role("acme", HandedRole("arn:aws:iam::210987654321:role/Audit", EXTERNAL_ID))
    store.save_temporary_keys("acme", TemporaryKeys("ASIAEXAMPLE", SECRET_KEY))
    store.save_role("other", HandedRole("arn:aws:iam::210987654321:role/Other"))

    assert delete_engagement_secrets("acme", store) == 2
    assert store.load_role("acme") is None and store.load_temporary_keys("acme") is None
    assert store.load_role("other") is not None
    assert store.delete_engagement_secrets("acme") == 0


@pytest.mark.parametrize(
    "backend_class", [keyring.backends.fail.Keyring, keyring.backends.null.Keyring]
)
def test_refuses_backends_that_would_lose_or_leak_secrets(backend_class: Any) -> None:
    with pytest.raises(KeyringUnavailable, match="No secure keyring"):
        SecretStore(backend_class())


def test_refuses_the_plaintext_file_keyring() -> None:
    plaintext = type("PlaintextKeyring", (MemoryKeyring,), {"__module__": "keyrings.alt.file"})
    with pytest.raises(KeyringUnavailable, match=r"keyrings\.alt"):
        SecretStore(plaintext())


def test_the_default_chain_backend_is_used(isolated_machine: MemoryKeyring) -> None:
    assert SecretStore().backend_name.endswith("MemoryKeyring")


def test_no_secret_reaches_the_db_file_or_the_log(
    aws: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="app")
    db_path = tmp_path / "binder.sqlite3"
    engine = create_engine(f"sqlite:///{db_path}")
    Base.metadata.create_all(engine)
    store = SecretStore()
    with Session(engine) as session:
        engagement = Engagement(name="Acme audit", client="Acme")
        session.add(engagement)
        session.flush()
        store.save_role(
            engagement.id, HandedRole("arn:aws:iam::123456789012:role/Audit", EXTERNAL_ID)
        )
        store.save_temporary_keys(
            engagement.id, TemporaryKeys("ASIAEXAMPLE", SECRET_KEY, SESSION_TOKEN)
        )
        role_sign_in = HandedRoleSignIn(engagement.id, region="us-east-1")
        keys_sign_in = TemporaryKeysSignIn(engagement.id, region="us-east-1")
        session.add_all(
            [
                Account(
                    engagement_id=engagement.id,
                    account_id="123456789012",
                    sign_in=sign_in_to_json(role_sign_in),
                ),
                Account(
                    engagement_id=engagement.id,
                    account_id="210987654321",
                    sign_in=sign_in_to_json(keys_sign_in),
                ),
            ]
        )
        session.commit()
        stored = [sign_in_from_json(a.sign_in) for a in session.query(Account).all()]
    engine.dispose()

    assumed = make_session(stored[0], store)
    assert whoami(assumed).caller_arn.endswith(":assumed-role/Audit/audit-binder")
    handed_keys = make_session(stored[1], store)
    assert handed_keys.get_credentials().secret_key == SECRET_KEY  # type: ignore[union-attr]

    data = db_path.read_bytes()
    logged = caplog.text
    assert b"Acme audit" in data and b"secret_ref" in data  # the real file, references only
    for secret in (EXTERNAL_ID, SECRET_KEY, SESSION_TOKEN):
        assert secret.encode() not in data
        assert secret not in logged
