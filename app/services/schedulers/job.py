"""A scheduled scan, independent of the operating system: what runs, when, and its name.

`ScanJob.argv()` is the whole command line of the job: this app (the interpreter with
`-m app`, or the frozen bundle's executable) running `scan --unattended` with the
engagement, profile, regions and database. It never holds a secret: a database URL with
a password is refused (`database_target`), and of the environment only a few named,
non-secret variables are carried over (`carried_environment`); the AWS credentials come
from the profile (or the job's own default chain) when the job runs.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from app.store.schedule import Every, ScanSchedule

# Settings a job needs to behave like this shell; none of them is a secret by itself
# (a URL with a password in it is left out all the same).
CARRIED_VARIABLES = (
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_LOGIN_CACHE_DIRECTORY",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_CA_BUNDLE",
    "AWS_ENDPOINT_URL",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "NO_PROXY",
    "PGSERVICEFILE",
    "PGPASSFILE",
)
SECRET_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


class SchedulerError(Exception):
    """The operating system's scheduler could not do it; the message says why."""


class SecretInJob(ValueError):
    """Something that would put a secret into the job's definition."""


Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[str]"]


def run_command(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Run a scheduler's command line; a missing program is exit code 127."""
    try:
        return subprocess.run(list(argv), capture_output=True, text=True, timeout=60, check=False)
    except FileNotFoundError as exc:
        return subprocess.CompletedProcess(list(argv), 127, "", str(exc))
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(list(argv), 124, "", f"{argv[0]} did not answer")


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _has_password(url: str) -> bool:
    parts = urlsplit(url)
    if parts.password:
        return True
    return any(key.lower() == "password" for key, _ in parse_qsl(parts.query))


def database_target(value: str | None, default: Path) -> str:
    """The database the job opens: an absolute path, or a URL without a password.

    Raises `SecretInJob` for a URL carrying a password: the job's definition is a plain
    file anyone with access to the account can read."""
    if value and "://" in value:
        if _has_password(value):
            raise SecretInJob(
                "the --db URL contains a password, and a scheduled job never stores one. "
                "Give the URL without it (postgresql+psycopg://user@host/db) and put the "
                "password in ~/.pgpass (or use a pg_service.conf service)."
            )
        return value
    return str(Path(value).expanduser().resolve() if value else default.resolve())


def carried_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The non-secret settings of this environment the job needs (see CARRIED_VARIABLES)."""
    source = os.environ if environ is None else environ
    carried: dict[str, str] = {}
    for name in CARRIED_VARIABLES:
        value = source.get(name)
        if value and not ("://" in value and _has_password(value)):
            carried[name] = value
    return carried


def default_program(platform: str = sys.platform) -> tuple[str, ...]:
    """How the job starts this app: the bundle's executable, the `audit-binder` command
    installed beside this interpreter, or the interpreter with `-m app`."""
    if getattr(sys, "frozen", False):
        return (sys.executable,)
    python = Path(sys.executable)
    if platform == "win32":  # pythonw: no console window popping up at each run
        windowless = python.with_name("pythonw.exe")
        return (str(windowless if windowless.exists() else python), "-m", "app")
    script = python.with_name("audit-binder")  # the installed command, beside its Python
    return (str(script),) if script.is_file() else (str(python), "-m", "app")


def job_id(engagement: str, database: str) -> str:
    """A stable name for the job of this engagement in this database: an ASCII slug of
    the name and a short hash of both (two databases may hold the same name)."""
    ascii_name = unicodedata.normalize("NFKD", engagement).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    digest = hashlib.sha256(f"{database}\0{engagement}".encode()).hexdigest()[:8]
    return f"{slug or 'engagement'}-{digest}"


@dataclass(frozen=True)
class ScanJob:
    engagement: str
    schedule: ScanSchedule
    database: str
    profile: str | None = None
    regions: str | None = None
    program: tuple[str, ...] = field(default_factory=default_program)
    environment: Mapping[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return job_id(self.engagement, self.database)

    def argv(self) -> list[str]:
        argv = [*self.program, "scan", "--unattended", "--engagement", self.engagement]
        if self.profile:
            argv += ["--profile", self.profile]
        if self.regions:
            argv += ["--regions", self.regions]
        return [*argv, "--db", self.database]

    def describe(self) -> str:
        return f"scan of engagement '{self.engagement}' {self.schedule.describe()}"


@dataclass(frozen=True)
class JobFile:
    """What an install writes: `where` names it for people (a path or a task name)."""

    where: str
    text: str
    path: Path | None = None


@dataclass(frozen=True)
class JobStatus:
    installed: bool
    where: str
    next_run: str = ""
    last_run: str = ""
    note: str = ""


def next_run(schedule: ScanSchedule, now: datetime) -> datetime:
    """When the scheduler will next start the job (local wall-clock time, as `now`)."""
    candidate = now.replace(hour=schedule.at.hour, minute=schedule.at.minute, second=0)
    candidate = candidate.replace(microsecond=0)
    if schedule.every is Every.WEEKLY:
        candidate += timedelta(days=-candidate.weekday())  # that week's Monday
        step = timedelta(days=7)
    else:
        step = timedelta(days=1)
    while candidate <= now:
        candidate += step
    return candidate
