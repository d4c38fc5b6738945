"""The automated controls keep their mapping (the article's, for its eleven); broken files
are refused clearly."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app import paths
from app.controls.catalogue import (
    CONTROL_IDS,
    FAMILIES,
    Catalogue,
    CatalogueError,
    Control,
    load_catalogue,
)
from tests.controls.conftest import edit as _edit
from tests.controls.conftest import error_of as _error

# The article's mapping of the eleven controls, copied here on purpose: the test fails if
# the catalogue drifts from it.
ARTICLE_MAPPING: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "default-vpcs": (("A.8.20", "A.5.14"), ("CC6.6",), ("NET-04", "NET-04.1")),
    "vpc-flow-logs": (
        ("A.8.15", "A.8.16"),
        ("CC6.6", "CC7.2"),
        ("MON-02.2", "MON-08", "MON-03.3", "MON-03.7", "MON-01.8"),
    ),
    "cloudtrail": (
        ("A.8.15",),
        ("CC7.2",),
        ("MON-02.2", "MON-08", "MON-03.3", "MON-03.7", "MON-01.8"),
    ),
    "encryption-at-rest": (("A.8.24",), ("CC6.7",), ("CRY-09",)),
    "no-iam-access-keys": (
        ("A.5.18", "A.5.15"),
        ("CC6.1", "CC6.2"),
        ("IAC-20", "IAC-21", "IAC-21.3"),
    ),
    "no-ssh": (("A.8.20", "A.5.14"), ("CC6.6",), ("NET-04", "NET-04.1")),
    "sg-inbound": (("A.8.20", "A.5.14"), ("CC6.6",), ("NET-04", "NET-04.1")),
    "nacls": (("A.8.20", "A.5.14"), ("CC6.6",), ("NET-04", "NET-04.1")),
    "deletion-protection": (("A.5.15",), ("CC6.1", "CC6.6"), ("IAC-21", "IAC-06", "IAC-06.1")),
    "least-privilege": (("A.5.18", "A.5.15"), ("CC6.1",), ("IAC-20", "IAC-21")),
    "backups": (("A.8.13", "A.5.29", "A.5.30"), ("A1.2", "CC7.5", "CC9.1"), ("BCD-01",)),
}
# The six controls beyond the article (what auditors ask first on AWS), in their order.
AUDITOR_MAPPING: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "root-account": (("A.8.2", "A.5.17", "A.8.5"), ("CC6.1",), ("IAC-06", "IAC-06.1", "IAC-16")),
    "console-mfa": (("A.8.5", "A.5.17"), ("CC6.1",), ("IAC-06", "IAC-06.1", "IAC-06.2")),
    "password-policy": (("A.5.17", "A.8.5"), ("CC6.1",), ("IAC-10", "IAC-10.1")),
    "threat-detection": (
        ("A.8.16", "A.5.7"),
        ("CC7.2", "CC7.3"),
        ("MON-01", "MON-01.1", "MON-01.4", "MON-16", "THR-03"),
    ),
    "s3-public-access": (("A.8.3", "A.5.15"), ("CC6.1", "CC6.6"), ("NET-03", "DCH-01")),
    "config-recording": (("A.8.9", "A.5.9"), ("CC7.1", "CC8.1"), ("CFG-02", "CFG-02.2")),
}

# The stable check ids (a contract with stored scans), per control, in order.
STABLE_CHECK_IDS: dict[str, tuple[str, ...]] = {
    "default-vpcs": ("default-vpc-isolated", "default-sg-no-rules"),
    "vpc-flow-logs": ("vpc-flow-log-all-traffic",),
    "cloudtrail": ("multi-region-trail", "trail-logging"),
    "encryption-at-rest": (
        "ebs-encryption-by-default",
        "ebs-volume-encrypted",
        "ebs-snapshot-encrypted",
        "s3-default-encryption",
        "kms-key-rotation",
        "rds-storage-encrypted",
        "dynamodb-table-encrypted",
        "efs-encrypted",
    ),
    "no-iam-access-keys": ("iam-user-access-keys", "root-access-keys"),
    "no-ssh": ("sg-no-ssh", "instance-session-manager"),
    "sg-inbound": ("sg-inbound-restricted",),
    "nacls": ("nacl-restricted",),
    "deletion-protection": (
        "kms-key-deletion",
        "s3-object-lock",
        "ebs-snapshot-lock",
        "rds-deletion-protection",
        "dynamodb-deletion-protection",
    ),
    "least-privilege": ("iam-policy-unbounded", "iam-principal-admin"),
    "backups": ("backup-plan", "backup-coverage", "s3-replication"),
    "root-account": ("root-mfa", "root-account-access-keys", "root-not-used"),
    "console-mfa": ("console-user-mfa",),
    "password-policy": ("iam-password-policy",),
    "threat-detection": ("guardduty-enabled",),
    "s3-public-access": ("s3-account-public-access-block", "s3-bucket-public-access"),
    "config-recording": ("config-recorder-on",),
}

EXPECTED_FAMILY = {
    "default-vpcs": "network",
    "no-ssh": "network",
    "sg-inbound": "network",
    "nacls": "network",
    "vpc-flow-logs": "logging",
    "cloudtrail": "logging",
    "encryption-at-rest": "encryption",
    "no-iam-access-keys": "identity",
    "least-privilege": "identity",
    "deletion-protection": "resilience",
    "backups": "resilience",
    "root-account": "identity",
    "console-mfa": "identity",
    "password-policy": "identity",
    "threat-detection": "logging",
    "s3-public-access": "network",
    "config-recording": "logging",
}


# --- completeness --------------------------------------------------------------------


def _automated(catalogue: Catalogue) -> list[Control]:
    return [c for c in catalogue.controls if c.automated]


def test_the_eleven_article_controls_then_the_six_come_first(catalogue: Catalogue) -> None:
    assert catalogue.automated_ids == (*ARTICLE_MAPPING, *AUDITOR_MAPPING) == CONTROL_IDS
    assert catalogue.ids[: len(CONTROL_IDS)] == CONTROL_IDS


def test_every_automated_control_is_mapped_as_the_article_does(catalogue: Catalogue) -> None:
    for control in _automated(catalogue):
        iso, soc2, scf = {**ARTICLE_MAPPING, **AUDITOR_MAPPING}[control.id]
        assert control.mapping.iso27001 == iso, control.id
        assert control.mapping.soc2 == soc2, control.id
        assert control.mapping.scf == scf, control.id


def test_backups_explains_the_bcd_correction(catalogue: Catalogue) -> None:
    note = catalogue.get("backups").mapping.note
    assert "BCP-01" in note and "BCD" in note
    assert [c.id for c in _automated(catalogue) if c.mapping.note] == ["backups"]


def test_check_ids_are_the_stable_contract(catalogue: Catalogue) -> None:
    assert {c.id: c.check_ids for c in _automated(catalogue)} == STABLE_CHECK_IDS
    every = [check for ids in STABLE_CHECK_IDS.values() for check in ids]
    assert len(every) == len(set(every))


def test_check_ids_match_what_the_checks_emit(catalogue: Catalogue) -> None:
    from app.controls.checks import CHECK_IDS, CHECKS

    assert tuple(CHECKS) == catalogue.automated_ids
    assert {c.id: c.check_ids for c in _automated(catalogue)} == CHECK_IDS


def test_families(catalogue: Catalogue) -> None:
    assert {c.id: c.family for c in _automated(catalogue)} == EXPECTED_FAMILY
    families = [family for family, _ in catalogue.by_family()]
    assert families == [f for f in FAMILIES if f in families]
    assert families[:5] == ["network", "logging", "encryption", "identity", "resilience"]


def test_every_automated_control_is_complete(catalogue: Catalogue) -> None:
    for control in _automated(catalogue):
        assert control.title and control.summary and control.why
        # The article's section for its eleven; the six beyond it have none.
        assert bool(control.source) is (control.id in ARTICLE_MAPPING), control.id
        assert control.checks and control.manual_evidence, control.id
        assert control.remediation, control.id
        for check in control.checks:
            assert check.title and len(check.proves) > 40, check.id
        for item in control.manual_evidence:
            assert item.title and len(item.description) > 40, item.id
        for step in control.remediation:
            assert step.title and step.text, (control.id, step.title)


def test_the_manual_evidence_the_issue_names(catalogue: Catalogue) -> None:
    restore = [m.title.lower() for m in catalogue.get("backups").manual_evidence]
    assert any("restore-test" in title or "restore test" in title for title in restore)
    ssh = " ".join(m.description for m in catalogue.get("no-ssh").manual_evidence)
    assert "Session Manager" in " ".join(m.title for m in catalogue.get("no-ssh").manual_evidence)
    assert "ssm:StartSession" in ssh


def _snippets(catalogue: Catalogue, control_id: str) -> str:
    return "\n".join(s.snippet for s in catalogue.get(control_id).remediation)


def test_remediation_carries_the_articles_approaches(catalogue: Catalogue) -> None:
    def snippets(control_id: str) -> str:
        return _snippets(catalogue, control_id)

    assert "create-stack-set" in snippets("default-vpcs")
    assert "--cloudformation-execution-policies" in snippets("least-privilege")
    assert '"ec2:Encrypted": "false"' in snippets("encryption-at-rest")
    assert '"iam:CreateAccessKey"' in snippets("no-iam-access-keys")
    assert "aws ssm start-session" in snippets("no-ssh")
    assert "FROM vpc_flow_logs" in snippets("vpc-flow-logs")
    assert "--is-multi-region-trail" in snippets("cloudtrail")
    assert "put-bucket-replication" in snippets("backups")
    assert "lock-snapshot" in snippets("deletion-protection")


def test_remediation_of_the_six_uses_the_real_commands(catalogue: Catalogue) -> None:
    def snippets(control_id: str) -> str:
        return _snippets(catalogue, control_id)

    assert "enable-organizations-root-credentials-management" in snippets("root-account")
    assert '"aws:PrincipalArn": "arn:aws:iam::*:root"' in snippets("root-account")
    assert "aws iam enable-mfa-device" in snippets("console-mfa")
    assert "--password-reuse-prevention 24" in snippets("password-policy")
    assert "--auto-enable-organization-members ALL" in snippets("threat-detection")
    assert "aws s3control put-public-access-block" in snippets("s3-public-access")
    assert "AWS::Config::ConfigurationRecorder" in snippets("config-recording")
    # Every one of the six gives console steps (numbered) and at least one snippet.
    for control_id in AUDITOR_MAPPING:
        steps = catalogue.get(control_id).remediation
        assert any(step.text.startswith("1. ") for step in steps), control_id
        assert sum(bool(step.snippet) for step in steps) >= 3, control_id


def test_every_mapped_iso_and_soc2_id_has_a_title(catalogue: Catalogue) -> None:
    for framework in ("iso27001", "soc2"):
        for criterion_id in {i for c in catalogue.controls for i in c.mapping.ids(framework)}:
            assert catalogue.criterion_title(framework, criterion_id)
    assert catalogue.criterion_title("iso27001", "A.8.13").startswith("Backup")
    with pytest.raises(KeyError):
        catalogue.criterion_title("scf", "NET-04")
    covering = catalogue.controls_for("iso27001", "A.8.15")
    assert [c.id for c in covering if c.automated] == ["vpc-flow-logs", "cloudtrail"]


def test_find_check(catalogue: Catalogue) -> None:
    control, check = catalogue.find_check("s3-object-lock")
    assert control.id == "deletion-protection" and check.id == "s3-object-lock"
    with pytest.raises(KeyError):
        catalogue.find_check("sg-world-open")


# --- snippets are usable as pasted ------------------------------------------------------


def test_json_snippets_parse(catalogue: Catalogue) -> None:
    found = 0
    for control in catalogue.controls:
        for step in control.remediation:
            if step.snippet_language == "json":
                json.loads(step.snippet)
                found += 1
    assert found >= 8


def test_yaml_snippets_parse(catalogue: Catalogue) -> None:
    yaml = pytest.importorskip("yaml")

    class CloudFormationLoader(yaml.SafeLoader):  # type: ignore[misc,name-defined]
        pass

    def tag(loader: object, suffix: str, node: object) -> str:
        return suffix  # !Sub, !Ref, !GetAtt: CloudFormation short forms

    CloudFormationLoader.add_multi_constructor("!", tag)
    steps = [s for c in catalogue.controls for s in c.remediation if s.snippet_language == "yaml"]
    assert len(steps) >= 4
    for step in steps:
        assert isinstance(yaml.load(step.snippet, Loader=CloudFormationLoader), dict), step.title


def test_bash_snippets_are_valid_shell(catalogue: Catalogue) -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    count = 0
    for control in catalogue.controls:
        for step in control.remediation:
            if step.snippet_language == "bash":
                run = subprocess.run(
                    [bash, "-n"], input=step.snippet, capture_output=True, text=True, check=False
                )
                assert run.returncode == 0, f"{control.id} / {step.title}: {run.stderr}"
                count += 1
    assert count >= 25


def test_json_inside_bash_snippets_parses(catalogue: Catalogue) -> None:
    """Inline '{...}' arguments (policies, configurations) must be valid JSON too."""
    # A JSON object opens with a quoted key; CloudWatch filter patterns ('{ $.x = 1 }') do not.
    inline = re.compile(r"'(\{\s*\".*?\})'", re.DOTALL)
    count = 0
    for control in catalogue.controls:
        for step in control.remediation:
            if step.snippet_language != "bash":
                continue
            for match in inline.finditer(step.snippet):
                json.loads(match.group(1))
                count += 1
    assert count >= 8


# --- malformed files ---------------------------------------------------------------------


def test_missing_field_names_file_and_field(broken: Path) -> None:
    _edit(broken / "nacls.toml", 'id = "nacl-restricted"\n', "")
    error = _error(broken)
    assert str(error) == "nacls.toml: checks[0].id: missing"
    assert (error.file, error.field) == ("nacls.toml", "checks[0].id")


def test_missing_top_level_field(broken: Path) -> None:
    text = (broken / "cloudtrail.toml").read_text(encoding="utf-8")
    start = text.index("why = ")
    end = text.index('"""', text.index('"""', start) + 3) + 3
    (broken / "cloudtrail.toml").write_text(text[:start] + text[end:], encoding="utf-8")
    assert str(_error(broken)) == "cloudtrail.toml: why: missing"


def test_wrong_type(broken: Path) -> None:
    _edit(broken / "no-ssh.toml", 'soc2 = ["CC6.6"]', 'soc2 = "CC6.6"')
    assert (
        str(_error(broken)) == "no-ssh.toml: mapping.soc2: must be a list of strings, not a string"
    )


def test_wrong_type_inside_a_list(broken: Path) -> None:
    _edit(broken / "backups.toml", 'scf = ["BCD-01"]', 'scf = ["BCD-01", 2]')
    assert str(_error(broken)) == "backups.toml: mapping.scf[1]: must be a string, not an integer"


def test_unknown_key_is_refused(broken: Path) -> None:
    _edit(broken / "sg-inbound.toml", "proves = ", "prove = ")
    error = _error(broken)
    assert error.file == "sg-inbound.toml" and error.field == "checks[0].prove"
    assert "unknown key" in error.problem


def test_duplicate_check_id_across_controls(broken: Path) -> None:
    _edit(broken / "no-ssh.toml", 'id = "sg-no-ssh"', 'id = "sg-inbound-restricted"')
    error = _error(broken)
    assert (error.file, error.field) == ("sg-inbound.toml", "checks[0].id")
    assert "already a check of no-ssh" in error.problem


def test_duplicate_manual_evidence_id(broken: Path) -> None:
    _edit(broken / "backups.toml", 'id = "restore-procedure"', 'id = "restore-test"')
    error = _error(broken)
    assert (error.file, error.field) == ("backups.toml", "manual_evidence[1].id")


def test_duplicate_key_is_a_toml_error(broken: Path) -> None:
    _edit(broken / "nacls.toml", 'family = "network"', 'family = "network"\nfamily = "network"')
    error = _error(broken)
    assert error.file == "nacls.toml" and "invalid TOML" in str(error)


def test_bad_toml_syntax(broken: Path) -> None:
    _edit(broken / "cloudtrail.toml", 'title = "CloudTrail', 'title "CloudTrail')
    error = _error(broken)
    assert error.file == "cloudtrail.toml"
    assert "invalid TOML" in error.problem and "line 2" in error.problem


def test_id_must_match_file_name(broken: Path) -> None:
    _edit(broken / "nacls.toml", 'id = "nacls"', 'id = "nacl"')
    assert str(_error(broken)).startswith("nacls.toml: id: 'nacl' does not match")


def test_bad_check_id(broken: Path) -> None:
    _edit(broken / "nacls.toml", 'id = "nacl-restricted"', 'id = "NACL restricted"')
    error = _error(broken)
    assert (error.file, error.field) == ("nacls.toml", "checks[0].id")
    assert "slug" in error.problem


def test_unknown_family(broken: Path) -> None:
    _edit(broken / "nacls.toml", 'family = "network"', 'family = "networking"')
    error = _error(broken)
    assert (error.file, error.field) == ("nacls.toml", "family")


def test_no_checks_and_no_manual_evidence(broken: Path) -> None:
    text = (broken / "nacls.toml").read_text(encoding="utf-8")
    start = text.index("[[checks]]")
    end = text.index("[[remediation]]")
    (broken / "nacls.toml").write_text(text[:start] + text[end:], encoding="utf-8")
    error = _error(broken)
    assert (error.file, error.field) == ("nacls.toml", "checks")
    assert "checks or manual evidence" in error.problem


def test_an_automated_control_keeps_its_checks(broken: Path) -> None:
    text = (broken / "nacls.toml").read_text(encoding="utf-8")
    start = text.index("[[checks]]")
    end = text.index("[[manual_evidence]]")
    (broken / "nacls.toml").write_text(text[:start] + text[end:], encoding="utf-8")
    error = _error(broken)
    assert (error.file, error.field) == ("nacls.toml", "checks")
    assert "automated control needs its checks" in error.problem


def test_missing_remediation(broken: Path) -> None:
    text = (broken / "nacls.toml").read_text(encoding="utf-8")
    (broken / "nacls.toml").write_text(text[: text.index("[[remediation]]")], encoding="utf-8")
    assert str(_error(broken)) == "nacls.toml: remediation: missing"


def test_snippet_needs_a_known_language(broken: Path) -> None:
    _edit(broken / "nacls.toml", 'snippet_language = "bash"', 'snippet_language = "sh"')
    error = _error(broken)
    assert (error.file, error.field) == ("nacls.toml", "remediation[0].snippet_language")


def test_malformed_criterion_id(broken: Path) -> None:
    _edit(broken / "nacls.toml", 'iso27001 = ["A.8.20"', 'iso27001 = ["A8.20"')
    error = _error(broken)
    assert (error.file, error.field) == ("nacls.toml", "mapping.iso27001[0]")


def test_missing_control_file(broken: Path) -> None:
    (broken / "backups.toml").unlink()
    assert str(_error(broken)) == "backups.toml: missing from the catalogue folder"


def test_stray_control_file(broken: Path) -> None:
    shutil.copy(broken / "nacls.toml", broken / "nacl-extra.toml")
    assert _error(broken).file == "nacl-extra.toml"


def test_missing_folder(tmp_path: Path) -> None:
    assert "does not exist" in str(_error(tmp_path / "nowhere"))


def test_default_folder_follows_resources_dir(
    broken: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _edit(broken / "nacls.toml", 'id = "nacl-restricted"\n', "")
    monkeypatch.setattr(paths, "resources_dir", lambda: broken.parent)
    assert _error_default().field == "checks[0].id"


def _error_default() -> CatalogueError:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue()
    return caught.value
