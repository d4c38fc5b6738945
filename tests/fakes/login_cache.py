"""A cached `aws login` session, as the AWS CLI (2.32+) writes it after `aws login`."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from datetime import datetime
from pathlib import Path

from awscrt.crypto import EC, ECExportFormat, ECType

LOGIN_SESSION = "arn:aws:iam::123456789012:user/alice"


def write_login_cache(
    expires_at: datetime, session: str = LOGIN_SESSION, directory: Path | None = None
) -> Path:
    """The session's cache file (DPoP key included) in `AWS_LOGIN_CACHE_DIRECTORY`."""
    key = EC.new_generate(ECType.P_256)
    der = key.export_key(ECExportFormat.SEC1)
    pem = (
        "-----BEGIN EC PRIVATE KEY-----\n"
        + base64.b64encode(der).decode()
        + "\n-----END EC PRIVATE KEY-----\n"
    )
    token = {
        "accessToken": {
            "accessKeyId": "ASIACACHEDLOGIN",
            "secretAccessKey": "cached-secret",
            "sessionToken": "cached-session-token",
            "accountId": "123456789012",
            "expiresAt": expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "tokenType": "aws_sigv4",
        "refreshToken": "cached-refresh-token",
        "clientId": "arn:aws:signin:::devtools/same-device",
        "dpopKey": pem,
    }
    directory = directory or Path(os.environ["AWS_LOGIN_CACHE_DIRECTORY"])
    directory.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(session.encode()).hexdigest()
    path = directory / f"{name}.json"
    path.write_text(json.dumps(token))
    return path
