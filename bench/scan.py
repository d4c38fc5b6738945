"""Scan benchmark: a sizeable account on a local moto server, scanned three ways.

    .venv/bin/python bench/scan.py [--regions 4] [--scale 2] [--latency-ms 50] [--no-data-stores]
                                   [--rounds 3]

Builds (in a moto server subprocess on 127.0.0.1, so server and scanner do not share a
GIL) an account across N regions with hundreds of resources, then prints:
- the wall time of a scan (cold, then warm), the number of requests per operation and
  per resource built (`--no-data-stores` builds the account without databases, tables
  and file systems, as before they were scanned, to compare like with like);
- the wall time with a fixed latency added to every request (a botocore `before-send`
  sleep), next to the longest chain of dependent calls × that latency, which is the
  floor a perfectly parallel scan could reach;
- the article's eleven controls alone against all of them (the six account-security
  controls added), scanned back to back `--rounds` times: requests and wall times, with
  the machine's load average (the account is in `bench/scan_account.py`).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse, HTTPHeaders

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.aws.clients import ScanClients  # noqa: E402
from app.aws.inventory.collect import LEAF_WORKERS, TOP_WORKERS  # noqa: E402
from app.controls.catalogue import CONTROL_IDS  # noqa: E402
from app.scan.runner import prepare, scan_account  # noqa: E402
from bench.scan_account import build  # noqa: E402

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1", "eu-central-1", "us-west-2")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def moto_subprocess() -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


def _region_of(request: Any) -> str:
    # With one endpoint URL for every region, the region is only in the signature scope.
    auth = str(request.headers.get("Authorization", ""))
    scope = auth.split("Credential=", 1)[-1].split(",", 1)[0].split("/")
    return scope[2] if len(scope) > 2 else ""


def _key(event_name: str, request: Any) -> tuple[str, str, str, bytes]:
    body = request.body if isinstance(request.body, bytes) else str(request.body or "").encode()
    return event_name.split(".", 1)[1], _region_of(request), str(request.url), body


class _Body:
    """A recorded body where botocore expects a urllib3 response (it reads `stream()`)."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, *_: Any, **__: Any) -> Iterator[bytes]:
        yield self._body


class Meter:
    """Counts requests per operation (`before-send`). With `latency_s`, sleeps that long
    per request; with `replay`, answers from recorded responses instead of the server."""

    def __init__(
        self,
        latency_s: float = 0.0,
        replay: dict[tuple[str, str, str, bytes], tuple[int, dict[str, str], bytes]] | None = None,
    ) -> None:
        self.latency_s = latency_s
        self.replay = replay
        self.recorded: dict[tuple[str, str, str, bytes], tuple[int, dict[str, str], bytes]] = {}
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._local = threading.local()

    def hook(self, client: Any) -> None:
        client.meta.events.register("before-send", self._on_send)
        client.meta.events.register("before-parse", self._on_response)

    def _on_send(self, event_name: str, request: Any, **_: Any) -> Any:
        key = _key(event_name, request)
        self._local.key = key
        with self._lock:
            self.requests[key[0]] += 1
        if self.latency_s:
            time.sleep(self.latency_s)
        if self.replay is None:
            return None
        status, headers, body = self.replay[key]
        return AWSResponse(request.url, status, HTTPHeaders(headers), _Body(body))

    def _on_response(self, response_dict: Any = None, **_: Any) -> None:
        if response_dict is None or self.replay is not None:
            return
        body = response_dict.get("body")
        if isinstance(body, bytes):
            with self._lock:
                self.recorded[self._local.key] = (
                    int(response_dict["status_code"]),
                    dict(response_dict["headers"]),
                    body,
                )


def scan_once(
    regions: tuple[str, ...], meter: Meter | None = None, controls: tuple[str, ...] = CONTROL_IDS
) -> tuple[float, Meter, int]:
    meter = meter or Meter()
    started = time.perf_counter()
    clients = ScanClients(boto3.Session, hooks=[meter.hook])
    prepared = prepare(clients, regions=list(regions))
    results = scan_account(prepared, controls=controls)
    return time.perf_counter() - started, meter, len(results)


def compare_with_the_eleven(regions: tuple[str, ...], rounds: int) -> None:
    """The article's eleven controls alone, then all of them, back to back, `rounds` times
    (interleaved, so the machine's changing load weighs on both alike)."""
    eleven = CONTROL_IDS[:11]
    walls: dict[str, list[float]] = {"eleven": [], "all": []}
    sent: dict[str, int] = {}
    load_before = os.getloadavg()[0]
    for _ in range(rounds):
        for name, controls in (("eleven", eleven), ("all", CONTROL_IDS)):
            wall, meter, _ = scan_once(regions, controls=controls)
            walls[name].append(wall)
            sent[name] = sum(meter.requests.values())
    load_after = os.getloadavg()[0]
    best = {name: min(times) for name, times in walls.items()}
    middle = {name: statistics.median(times) for name, times in walls.items()}
    print(
        f"\nthe eleven alone vs all {len(CONTROL_IDS)} controls, back to back, {rounds} rounds "
        f"(load average {load_before:.1f} before, {load_after:.1f} after, on "
        f"{os.cpu_count()} cores):"
    )
    for name in ("eleven", "all"):
        runs = ", ".join(f"{t:.2f}" for t in walls[name])
        print(
            f"  {name:6} {sent[name]:5} requests; wall time best {best[name]:.2f} s, "
            f"median {middle[name]:.2f} s ({runs})"
        )
    print(
        f"  all / eleven: {sent['all'] / sent['eleven']:.2f}x requests, wall time "
        f"{best['all'] / best['eleven'] - 1:+.0%} (best), "
        f"{middle['all'] / middle['eleven'] - 1:+.0%} (median)"
    )


def longest_chain(requests: Counter[str], regions: int) -> tuple[int, str]:
    """Dependent calls on the longest path, from the observed page counts.

    identity → regions → then, in parallel per region or globally, a listing (its
    pages are sequential) followed by at most two rounds of per-item calls.
    """

    def pages(operation: str, per: int = 1) -> int:
        return max(1, -(-requests.get(operation, 0) // per))

    branches = {
        "kms: ListKeys → DescribeKey → GetKeyRotationStatus": pages("kms.ListKeys", regions) + 2,
        # Two parts list the users, side by side: one for the keys, one for console sign-in.
        "iam: ListUsers → ListAccessKeys → GetAccessKeyLastUsed (beside the batch call)": max(
            pages("iam.GetAccountAuthorizationDetails"), pages("iam.ListUsers", 2) + 2
        ),
        "iam: ListUsers → GetLoginProfile → ListMFADevices": pages("iam.ListUsers", 2)
        + 1
        + bool(requests.get("iam.ListMFADevices")),
        "guardduty: ListDetectors → GetDetector": pages("guardduty.ListDetectors", regions) + 1,
        "s3: ListBuckets → GetBucketLocation → bucket details": pages("s3.ListBuckets") + 2,
        "iam: GenerateCredentialReport (polled) → GetCredentialReport": requests.get(
            "iam.GenerateCredentialReport", 1
        )
        + 1,
        "cloudtrail: DescribeTrails → GetTrailStatus/GetEventSelectors": 2,
        "backup: ListBackupPlans → GetBackupPlan/ListBackupSelections → GetBackupSelection "
        "(→ tag:GetResources when a selection assigns by tag)": 2
        + bool(requests.get("backup.GetBackupSelection"))
        + bool(requests.get("resourcegroupstaggingapi.GetResources")),
        "dynamodb: ListTables → DescribeTable/DescribeContinuousBackups": pages(
            "dynamodb.ListTables", regions
        )
        + 1,
    }
    name, length = max(branches.items(), key=lambda item: item[1])
    return 2 + length, f"GetCallerIdentity → DescribeRegions → {name}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--regions", type=int, default=4)
    parser.add_argument("--scale", type=float, default=2.0)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument(
        "--no-data-stores", action="store_true", help="build no databases, tables or file systems"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of the eleven-vs-all comparison (0: skip)"
    )
    args = parser.parse_args()
    regions = REGIONS[: max(4, min(args.regions, len(REGIONS)))]
    with moto_subprocess() as endpoint, tempfile.TemporaryDirectory() as home:
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": endpoint,
                "AWS_ACCESS_KEY_ID": "bench",
                "AWS_SECRET_ACCESS_KEY": "bench",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_CONFIG_FILE": f"{home}/config",
                "AWS_SHARED_CREDENTIALS_FILE": f"{home}/creds",
                "AWS_EC2_METADATA_DISABLED": "true",
            }
        )
        started = time.perf_counter()
        made = build(boto3.Session(), regions, args.scale, not args.no_data_stores)
        print(
            f"built {sum(made.values())} resources in {len(regions)} regions "
            f"in {time.perf_counter() - started:.1f} s: "
            + ", ".join(f"{n} {kind}" for kind, n in made.most_common())
        )
        cold, meter, rows = scan_once(regions)
        warm, meter, rows = scan_once(regions)
        requests = sum(meter.requests.values())
        print(
            f"\nscan: {rows} result rows, {requests} requests for {sum(made.values())} resources "
            f"({requests / sum(made.values()):.3f} requests per resource); "
            f"wall time {cold:.2f} s cold (moto loads its backends), {warm:.2f} s warm"
        )
        print("\nrequests per operation:")
        for operation, count in sorted(meter.requests.items()):
            print(f"  {operation:45} {count:5}")
        latency = args.latency_ms / 1000
        slow, slow_meter, _ = scan_once(regions, Meter(latency))
        chain, path = longest_chain(slow_meter.requests, len(regions))
        floor = chain * latency
        print(f"\nlongest dependent chain: {chain} calls ({path})")
        print(f"  × {args.latency_ms:.0f} ms = {floor:.2f} s: the floor of a latency-bound scan")
        print(
            f"live moto + {args.latency_ms:.0f} ms per request: {slow:.2f} s "
            f"({slow - warm:+.2f} s over the warm scan; moto's own time is in both)"
        )
        # Replaying recorded answers takes moto's CPU time out: what remains is the scan's
        # own scheduling of dependent calls under latency.
        # Best of three each: the machine's other load only ever adds time.
        replay_warm = replayed = float("inf")
        for _ in range(3):
            once, _, replay_rows = scan_once(regions, Meter(0.0, meter.recorded))
            replay_warm = min(replay_warm, once)
            once, _, _ = scan_once(regions, Meter(latency, meter.recorded))
            replayed = min(replayed, once)
        added = replayed - replay_warm
        print(
            f"replayed answers (no moto), no latency: {replay_warm:.2f} s ({replay_rows} rows; "
            "client CPU only: botocore parsing, inventory, checks)"
        )
        print(
            f"replayed + {args.latency_ms:.0f} ms per request: {replayed:.2f} s; the latency "
            f"added {added:.2f} s = {added / floor:.1f}× the chain floor of {floor:.2f} s "
            f"(one request at a time would add {sum(meter.requests.values()) * latency:.1f} s)"
        )
        workers = TOP_WORKERS + LEAF_WORKERS
        print(
            f"(with {workers} worker threads the requests alone need at least "
            f"{sum(meter.requests.values()) * latency / workers:.2f} s of latency)"
        )
        biggest = max(meter.recorded.items(), key=lambda item: len(item[1][2]))
        print(f"largest response: {biggest[0][0]} {len(biggest[1][2]) / 1e6:.1f} MB")
        if args.rounds:
            compare_with_the_eleven(regions, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
