"""Export to one file, import elsewhere: round trip (between SQLite files and PostgreSQL
stores, both ways), hashes, tampering, name clashes, values one back end cannot keep."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.controls.results import Status
from app.store.accounts import add_account, list_accounts
from app.store.attachments import add_attachment, attachments
from app.store.audit import audit_log
from app.store.control_states import control_states, set_control_state
from app.store.control_status import control_summaries
from app.store.database import Database, open_database
from app.store.engagements import create_engagement, engagement_named, list_engagements
from app.store.errors import NameTaken, TamperedFile, TransferError
from app.store.risk import add_exception, exceptions, today_utc
from app.store.scans import latest_results, scans, to_check_result
from app.store.signoffs import sign_off, sign_offs, verify_chain
from app.store.transfer_export import export_engagement
from app.store.transfer_import import import_engagement
from tests.conftest import BACKENDS, backend_named
from tests.store.conftest import ACCOUNT, assert_nothing_imported, controls, record_scan, result

CONTROLS = ["sg-inbound", "no-ssh", "backups"]
PDF = b"%PDF-1.7 restore test record\n" + bytes(range(256))


@pytest.fixture
def exported(db: Database, tmp_path: Path) -> Path:
    with db.session() as session:
        engagement = create_engagement(session, "Acme 2026", actor="ana", client="Acme Ltd")
        add_account(
            session, engagement, ACCOUNT, actor="ana", alias="prod", sign_in={"kind": "sso"}
        )
        record_scan(session, engagement, [result(), result("no-ssh", status=Status.FAIL)])
        record_scan(session, engagement, [result()], state="running")
        set_control_state(
            session, engagement, "backups", actor="ana", owner="Ops", notes="May test"
        )
        add_attachment(session, engagement, "backups", name="restore.pdf", content=PDF, actor="ana")
        add_attachment(
            session, engagement, "backups", name="plan.txt", content=b"weekly", actor="ana"
        )
        add_exception(
            session,
            engagement,
            "no-ssh",
            actor="ana",
            justification="bastion until Q3",
            approver="CTO",
            expires_on=today_utc() + timedelta(days=60),
        )
        sign_off(session, engagement, "backups", reviewer="Bob", role="CISO", comment="fine")
        sign_off(session, engagement, "sg-inbound", reviewer="Bob", role="CISO")
        target = tmp_path / "acme.audit-binder"
        export_engagement(session, engagement, target, actor="ana")
    return target


@pytest.fixture(params=BACKENDS)
def other_machine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """Another store on each back end: with `db` on each too, every direction is tried."""
    backend = backend_named(request.param, request)
    location = backend.new_store(tmp_path / "other")
    database = open_database(location)
    yield database
    database.close()
    backend.discard(location)


def test_an_engagement_round_trips_to_another_database(
    db: Database, exported: Path, other_machine: Database
) -> None:
    with db.session() as session:
        source = engagement_named(session, "Acme 2026")
        before = control_summaries(session, source, controls(CONTROLS))
        source_results = {
            c: sorted(to_check_result(r).to_json().items().__repr__() for r in rows)
            for c, rows in latest_results(session, source, CONTROLS).items()
        }
    laptop = other_machine
    with laptop.session() as session:
        imported = import_engagement(session, exported, actor="carla")
    with laptop.session() as session:
        copy = engagement_named(session, "Acme 2026")
        assert copy.id == imported.id and copy.client == "Acme Ltd"
        assert [(a.account_id, a.alias, a.sign_in) for a in list_accounts(session, copy)] == [
            (ACCOUNT, "prod", {"kind": "sso"})
        ]
        assert sorted(s.state for s in scans(session, copy)) == ["complete", "incomplete"]
        files = attachments(session, copy)
        assert [(f.original_name, f.content, f.media_type) for f in files] == [
            ("restore.pdf", PDF, "application/pdf"),
            ("plan.txt", b"weekly", "text/plain"),
        ]
        assert control_states(session, copy)["backups"].notes == "May test"
        assert [e.justification for e in exceptions(session, copy)] == ["bastion until Q3"]
        assert [s.reviewer for s in sign_offs(session, copy)] == ["Bob", "Bob"]
        assert verify_chain(session, copy).ok
        after = control_summaries(session, copy, controls(CONTROLS))
        assert {c: (s.status, s.current_hash) for c, s in after.items()} == {
            c: (s.status, s.current_hash) for c, s in before.items()
        }
        assert {
            c: sorted(to_check_result(r).to_json().items().__repr__() for r in rows)
            for c, rows in latest_results(session, copy, CONTROLS).items()
        } == source_results
        log = audit_log(session, copy)
        assert log[0].action == "engagement.create" and log[0].actor == "ana"
        assert log[-1].action == "engagement.import" and log[-1].actor == "carla"


def _rewrite(archive_path: Path, target: Path, change: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(archive_path) as source, zipfile.ZipFile(target, "w") as copy:
        for info in source.infolist():
            copy.writestr(info.filename, change.get(info.filename, source.read(info.filename)))
    return target


def test_a_tampered_attachment_is_rejected_and_nothing_written(
    exported: Path, tmp_path: Path, laptop: Database
) -> None:
    with zipfile.ZipFile(exported) as archive:
        pdf_path = next(n for n in archive.namelist() if n.endswith("restore.pdf"))
    tampered = _rewrite(
        exported, tmp_path / "tampered.zip", {pdf_path: PDF.replace(b"test", b"TEST")}
    )
    with pytest.raises(TamperedFile, match=r"restore\.pdf.*SHA-256"), laptop.session() as session:
        import_engagement(session, tampered, actor="carla")
    assert_nothing_imported(laptop)


def test_an_edited_manifest_is_rejected(exported: Path, tmp_path: Path, laptop: Database) -> None:
    with zipfile.ZipFile(exported) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["engagement"]["client"] = "Someone else"
    edited = _rewrite(
        exported, tmp_path / "edited.zip", {"manifest.json": json.dumps(manifest).encode()}
    )
    with pytest.raises(TamperedFile, match="manifest"), laptop.session() as session:
        import_engagement(session, edited, actor="carla")
    assert_nothing_imported(laptop)


def test_a_forged_sign_off_with_a_fixed_manifest_hash_is_rejected(
    exported: Path, tmp_path: Path, laptop: Database
) -> None:
    import hashlib

    with zipfile.ZipFile(exported) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["sign_offs"][0]["reviewer"] = "Mallory"
    body = json.dumps(manifest).encode()
    forged = _rewrite(
        exported,
        tmp_path / "forged.zip",
        {"manifest.json": body, "manifest.sha256": hashlib.sha256(body).hexdigest().encode()},
    )
    with pytest.raises(TamperedFile, match="sign-offs"), laptop.session() as session:
        import_engagement(session, forged, actor="carla")
    assert_nothing_imported(laptop)


def test_a_name_clash_is_refused_unless_a_new_name_is_given(db: Database, exported: Path) -> None:
    with pytest.raises(NameTaken, match="not replaced"), db.session() as session:
        import_engagement(session, exported, actor="ana")
    with db.session() as session:
        assert [e.name for e in list_engagements(session)] == ["Acme 2026"]
        original = engagement_named(session, "Acme 2026")
        assert len(sign_offs(session, original)) == 2
    with db.session() as session:
        copy = import_engagement(session, exported, actor="ana", new_name="Acme 2026 (laptop)")
        assert verify_chain(session, copy).ok
    with db.session() as session:
        assert [e.name for e in list_engagements(session)] == ["Acme 2026", "Acme 2026 (laptop)"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a zip at all", "not a zip"),
        (None, "manifest.json' is missing"),
        ({"format": "something-else"}, "not an engagement export"),
        ({"format": "audit-binder-engagement", "format_version": 99}, "newer than this app"),
        ("BROKEN_FIELD", "scan 1, field 'started_at'"),
        ("EXTRA_FILE", "does not list"),
        ("DUPLICATE_ACCOUNT", "account 123456789012 twice"),
        ("BAD_STATUS", "unknown status 'MAYBE'"),
        ("BAD_STATE", "scan 1, field 'state' is the unknown state 'done'"),
        ("NOT_STORED", "scan 1 has the unknown state 'not stored'"),
    ],
)
def test_odd_files_give_a_clear_error_and_change_nothing(
    exported: Path, tmp_path: Path, laptop: Database, content: object, message: str
) -> None:
    import hashlib

    odd = tmp_path / "odd.zip"
    if isinstance(content, bytes):
        odd.write_bytes(content)
    elif content is None:
        with zipfile.ZipFile(odd, "w") as archive:
            archive.writestr("readme.txt", "hello")
    elif content == "EXTRA_FILE":
        _rewrite(exported, odd, {})
        with zipfile.ZipFile(odd, "a") as archive:
            archive.writestr("attachments/9999-payload.exe", b"MZ")
    else:
        with zipfile.ZipFile(exported) as archive:
            manifest = json.loads(archive.read("manifest.json"))
        if content == "BROKEN_FIELD":
            manifest["scans"][0]["started_at"] = "yesterday-ish"
        elif content == "DUPLICATE_ACCOUNT":
            manifest["accounts"].append(manifest["accounts"][0])
        elif content == "BAD_STATUS":
            manifest["scans"][0]["results"][0]["status"] = "MAYBE"
        elif content in ("BAD_STATE", "NOT_STORED"):
            manifest["scans"][0]["state"] = "done" if content == "BAD_STATE" else "not stored"
        else:
            assert isinstance(content, dict)
            manifest = content
        body = json.dumps(manifest).encode()
        _rewrite(
            exported,
            odd,
            {"manifest.json": body, "manifest.sha256": hashlib.sha256(body).hexdigest().encode()},
        )
    with pytest.raises(TransferError, match=message), laptop.session() as session:
        import_engagement(session, odd, actor="carla")
    assert_nothing_imported(laptop)
