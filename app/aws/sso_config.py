"""Saving a chosen IAM Identity Center account and role as a profile in the config file.

The user's config file is precious: it is backed up first (a timestamped copy beside
it), never rewritten: the new `[profile ...]` and `[sso-session ...]` (when missing)
sections are appended as text, exactly as `aws configure sso` appends them, so comments,
order and other tools' keys survive. An existing profile name is refused, and the
result is re-read through botocore; if it does not parse, the backup is put back.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.aws.login_errors import ConfigFileError, ProfileConfigError, ProfileExistsError
from app.aws.profiles import config_paths, load_config
from app.aws.sso_cache import SsoTarget, utc_now

# Names end up inside "[profile NAME]"; keep them to what every AWS tool accepts.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+=,:/-]{0,127}$")


@dataclass(frozen=True)
class SavedProfile:
    name: str
    config_file: Path
    backup_file: Path | None  # None when the config file did not exist before


def _check_name(kind: str, name: str) -> None:
    if not _NAME.match(name):
        raise ProfileConfigError(
            name,
            f"{kind} names may hold letters, digits and _.@+=,:/- only, "
            "start with a letter or digit, and be at most 128 characters",
        )


def check_profile_name(name: str) -> None:
    """`ProfileConfigError` unless `name` can be written as `[profile name]`."""
    _check_name("Profile", name)


def backup_config(path: Path, now: datetime | None = None) -> Path | None:
    if not path.exists():
        return None
    stamp = (now or utc_now()).strftime("%Y%m%dT%H%M%SZ")
    backup = path.with_name(f"{path.name}.audit-binder-backup-{stamp}")
    counter = 1
    while backup.exists():
        backup = path.with_name(f"{path.name}.audit-binder-backup-{stamp}-{counter}")
        counter += 1
    shutil.copy2(path, backup)
    return backup


def save_sso_profile(
    name: str,
    target: SsoTarget,
    account_id: str,
    role_name: str,
    *,
    region: str | None = None,
    now: datetime | None = None,
) -> SavedProfile:
    """Append `[profile name]` (and the sso-session if new); refuse to replace anything."""
    _check_name("Profile", name)
    if not re.fullmatch(r"\d{12}", account_id):
        raise ProfileConfigError(name, f"{account_id!r} is not a 12-digit AWS account id")
    if not role_name or any(c in role_name for c in "\r\n[]"):
        raise ProfileConfigError(name, f"{role_name!r} is not a role name")
    config = load_config()  # also refuses to touch a file that does not parse
    path = Path(config_paths()[0])
    if name in config.profiles:
        where = config.config_file if name in config.in_config_file else config.credentials_file
        raise ProfileExistsError(name, where)
    write_session = False
    if target.session_name is not None:
        _check_name("sso-session", target.session_name)
        existing = config.sso_sessions.get(target.session_name)
        write_session = existing is None
        if existing is not None and (existing.get("sso_start_url"), existing.get("sso_region")) != (
            target.start_url,
            target.region,
        ):
            raise ProfileConfigError(
                name,
                f'the existing sso-session "{target.session_name}" points at another start '
                "URL or region; choose another session name",
            )
    text = cli_sections(name, target, account_id, role_name, region, write_session)
    return _append(path, name, text, now)


def cli_sections(
    name: str,
    target: SsoTarget,
    account_id: str,
    role_name: str,
    region: str | None,
    write_session: bool,
) -> str:
    """The text `aws configure sso` appends: the profile, then its new sso-session.

    Its ConfigFileWriter writes `key = value` lines in the order it asked for them, and
    starts each new section right after the last line (no blank line between).
    """
    section = "default" if name == "default" else f"profile {name}"
    lines = [f"[{section}]"]
    if target.session_name is not None:
        lines.append(f"sso_session = {target.session_name}")
    else:
        lines += [f"sso_start_url = {target.start_url}", f"sso_region = {target.region}"]
    lines += [f"sso_account_id = {account_id}", f"sso_role_name = {role_name}"]
    if region:
        lines.append(f"region = {region}")
    if write_session:
        lines += [
            f"[sso-session {target.session_name}]",
            f"sso_start_url = {target.start_url}",
            f"sso_region = {target.region}",
        ]
        if target.scopes:
            lines.append(f"sso_registration_scopes = {','.join(target.scopes)}")
    return "\n".join(lines) + "\n"


def _append(path: Path, name: str, text: str, now: datetime | None) -> SavedProfile:
    backup = backup_config(path, now)
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_bytes() if path.exists() else b""
    # Like the CLI: a newline only when the file does not end with one.
    prefix = b"\n" if existing and not existing.endswith(b"\n") else b""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "ab") as handle:
        handle.write(prefix + text.encode("utf-8"))
    try:
        if name not in load_config().profiles:
            raise ConfigFileError(str(path), f'profile "{name}" was not found after saving')
    except ConfigFileError:
        if backup is not None:
            shutil.copy2(backup, path)
        else:
            path.unlink(missing_ok=True)
        raise
    return SavedProfile(name=name, config_file=path, backup_file=backup)
