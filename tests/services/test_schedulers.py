"""The scheduled job's definition for each operating system, read back by the rules (or
the tools) of that system: every argument arrives exactly as given, whatever the name."""

from __future__ import annotations

import os
import plistlib
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, time
from pathlib import Path

import pytest

from app.services.schedulers.job import ScanJob
from app.services.schedulers.launchd import render_plist
from app.services.schedulers.systemd import on_calendar, render_service, render_timer
from app.services.schedulers.windows import NAMESPACE, render_task_xml
from app.store.schedule import Every, ScanSchedule

# Quotes, specifiers, variables, backslashes, markup, accents and CJK in one name.
AWKWARD = 'Acme "Ops" 100% $HOME \\ <b>&</b> Zürich 東京'
PROGRAM = ("/opt/Audit Binder/bin/audit-binder",)
DB = "/home/zoë/My Audits/audit-binder.sqlite3"


def job(every: Every = Every.DAILY, program: tuple[str, ...] = PROGRAM) -> ScanJob:
    return ScanJob(
        engagement=AWKWARD,
        schedule=ScanSchedule(every, time(7, 5)),
        database=DB,
        profile="audit ro",
        regions="eu-west-1,us-east-1",
        program=program,
        environment={"AWS_CONFIG_FILE": "/home/zoë/.aws/config 100%"},
    )


def _systemd_words(line: str) -> list[str]:
    """Unquote an ExecStart= line by systemd.syntax(7): double-quoted words with C
    escapes, then `%%` and `$$` (specifier and variable escapes) made single."""
    words = []
    for quoted in re.findall(r'"((?:[^"\\]|\\.)*)"', line):
        text = quoted.encode("utf-8").decode("unicode_escape").encode("latin-1").decode()
        words.append(text.replace("%%", "%").replace("$$", "$"))
    return words


def test_systemd_exec_start_gives_back_every_argument() -> None:
    service = render_service(job())
    (line,) = [x for x in service.splitlines() if x.startswith("ExecStart=")]
    assert _systemd_words(line.removeprefix("ExecStart=")) == job().argv()
    assert "100%% $$HOME" in line  # no specifier or variable expansion by systemd
    (env,) = [x for x in service.splitlines() if x.startswith("Environment=")]
    assert env == 'Environment="AWS_CONFIG_FILE=/home/zoë/.aws/config 100%%"'
    assert "Type=oneshot" in service and "StandardInput=null" in service
    assert "Description=Audit Binder: scheduled scan of engagement" in service


def test_systemd_timer_runs_daily_or_on_mondays_and_catches_up() -> None:
    daily, weekly = render_timer(job()), render_timer(job(Every.WEEKLY))
    assert "OnCalendar=*-*-* 07:05:00" in daily
    assert "OnCalendar=Mon *-*-* 07:05:00" in weekly
    for timer in (daily, weekly):
        assert "Persistent=true" in timer
        assert f"Unit=audit-binder-scan-{job().id}.service" in timer
        assert "WantedBy=timers.target" in timer


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
@pytest.mark.parametrize("every", list(Every))
def test_systemd_analyze_accepts_the_units(every: Every, tmp_path: Path) -> None:
    real = job(every, program=(sys.executable, "-m", "app"))  # verify wants a real binary
    (tmp_path / f"audit-binder-scan-{real.id}.service").write_text(render_service(real))
    (tmp_path / f"audit-binder-scan-{real.id}.timer").write_text(render_timer(real))
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    checked = subprocess.run(
        ["systemd-analyze", "--user", "verify", *map(str, sorted(tmp_path.glob("*.*")))],
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    calendar = subprocess.run(
        ["systemd-analyze", "calendar", on_calendar(real.schedule)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert calendar.returncode == 0, calendar.stderr


def test_launchd_plist_reads_back_exactly() -> None:
    log = Path("/Users/zoë/Library/Logs/audit-binder/scheduled scan.log")
    agent = plistlib.loads(render_plist(job(Every.WEEKLY), log).encode())
    assert agent["Label"] == f"audit-binder.scan.{job().id}"
    assert agent["ProgramArguments"] == job().argv()
    assert agent["StartCalendarInterval"] == {"Hour": 7, "Minute": 5, "Weekday": 1}
    assert agent["EnvironmentVariables"] == {"AWS_CONFIG_FILE": "/home/zoë/.aws/config 100%"}
    assert agent["StandardErrorPath"] == str(log)
    assert agent["RunAtLoad"] is False
    daily = plistlib.loads(render_plist(job(), log).encode())
    assert daily["StartCalendarInterval"] == {"Hour": 7, "Minute": 5}


def _windows_split(line: str) -> list[str]:
    """CommandLineToArgvW's rules (2n backslashes + quote: n backslashes, toggle
    quoting; 2n+1 + quote: n backslashes and a literal quote)."""
    words: list[str] = []
    current, quoted, started, i = "", False, False, 0
    while i < len(line):
        char = line[i]
        if char == "\\":
            run = len(line[i:]) - len(line[i:].lstrip("\\"))
            if line[i + run : i + run + 1] == '"':
                current += "\\" * (run // 2) + ('"' if run % 2 else "")
                i += run + (1 if run % 2 else 0)
                started = True
                continue
            current += "\\" * run
            i += run
            started = True
            continue
        if char == '"':
            quoted, started = not quoted, True
        elif char in " \t" and not quoted:
            if started:
                words.append(current)
            current, started = "", False
        else:
            current, started = current + char, True
        i += 1
    if started:
        words.append(current)
    return words


def test_windows_task_xml_reads_back_exactly() -> None:
    program = ("C:\\Program Files\\Audit Binder\\audit-binder.exe",)
    weekly = job(Every.WEEKLY, program=program)
    text = render_task_xml(weekly)
    assert text.startswith('<?xml version="1.0" encoding="UTF-16"?>')
    text.encode("utf-16")  # what install writes; every character must encode
    root = ET.fromstring(text.split("\n", 1)[1])
    ns = {"t": NAMESPACE}
    assert root.tag == f"{{{NAMESPACE}}}Task"
    command = root.findtext("t:Actions/t:Exec/t:Command", namespaces=ns)
    arguments = root.findtext("t:Actions/t:Exec/t:Arguments", namespaces=ns) or ""
    assert [command, *_windows_split(arguments)] == weekly.argv()
    trigger = root.find("t:Triggers/t:CalendarTrigger", ns)
    assert trigger is not None
    assert (trigger.findtext("t:StartBoundary", namespaces=ns) or "").endswith("T07:05:00")
    assert trigger.find("t:ScheduleByWeek/t:DaysOfWeek/t:Monday", ns) is not None
    assert root.findtext("t:Settings/t:StartWhenAvailable", namespaces=ns) == "true"
    assert root.findtext("t:Principals/t:Principal/t:LogonType", namespaces=ns) == (
        "InteractiveToken"
    )
    daily = ET.fromstring(render_task_xml(job(program=program)).split("\n", 1)[1])
    days = daily.findtext(
        "t:Triggers/t:CalendarTrigger/t:ScheduleByDay/t:DaysInterval", namespaces=ns
    )
    assert days == "1"


def test_the_windows_splitter_follows_the_documented_rules() -> None:
    assert _windows_split(subprocess.list2cmdline(["a b", 'c"d', "e\\", 'f\\"g'])) == [
        "a b",
        'c"d',
        "e\\",
        'f\\"g',
    ]


def test_no_definition_holds_a_secret_or_this_shells_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-not-real")
    texts = [
        render_service(job()),
        render_timer(job()),
        render_plist(job(), Path("/tmp/x.log")),
        render_task_xml(job()),
    ]
    assert not any("wJalrXUtnFEMI" in text for text in texts)


def test_job_names_are_ascii_stable_and_per_database() -> None:
    first = job().id
    assert re.fullmatch(r"acme-ops-100-home-b-b-zurich-[0-9a-f]{8}", first)
    assert ScanJob(AWKWARD, ScanSchedule(Every.WEEKLY), DB).id == first  # not the schedule
    assert ScanJob(AWKWARD, ScanSchedule(Every.DAILY), DB + "2").id != first
    assert ScanJob("東京", ScanSchedule(Every.DAILY), DB).id.startswith("engagement-")


def test_the_next_run_in_local_time() -> None:
    daily = ScanSchedule(Every.DAILY, time(7, 5))
    weekly = ScanSchedule(Every.WEEKLY, time(7, 5))
    from app.services.schedulers.job import next_run

    friday = datetime(2026, 12, 4, 8, 0)
    assert next_run(daily, friday) == datetime(2026, 12, 5, 7, 5)
    assert next_run(daily, datetime(2026, 12, 4, 7, 0)) == datetime(2026, 12, 4, 7, 5)
    assert next_run(weekly, friday) == datetime(2026, 12, 7, 7, 5)
    assert next_run(weekly, datetime(2026, 12, 7, 7, 0)) == datetime(2026, 12, 7, 7, 5)
