"""Answer the app's own AWS clients from the recorded-answer corpus (tests/data/aws_recordings).

A folder of the corpus is one account situation: one `<service>.json` per service, each a
list of exchanges `{"operation", "region", "params", "response"}` (or `"error": {"Code",
"Message"}` with `"status"`). `Replay.hook` is a `ScanClients` client hook, the same seam
the fault-injection tests use: it notes the parameters the app passed
(`provide-client-params`) and answers at `before-call`, so nothing is sent and botocore
raises the modelled `ClientError` for recorded errors exactly as for real ones.

Every answer is checked against botocore's output shape of its operation (an unknown
member or a wrong type fails loading: the corpus cannot drift from the service model)
and converted as botocore's parser would (ISO timestamps to aware datetimes, blobs to
bytes). A call with no recording raises `MissingRecording`, a `BaseException` the
scan's own error handling does not turn into an ERROR row: it ends the test.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.model import OperationModel, Shape

CORPUS = Path(__file__).resolve().parent.parent / "data" / "aws_recordings"


class MissingRecording(BaseException):
    """The app sent a call the corpus has no answer for: the test fails."""


class BadRecording(ValueError):
    """A recorded answer does not fit botocore's output shape."""


@cache
def _loader_session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def operation_model(service: str, operation: str) -> OperationModel:
    model = _loader_session().get_service_model(service)
    return model.operation_model(operation)


def _timestamp(value: Any, where: str) -> datetime:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    raise BadRecording(f"{where}: not a timestamp: {value!r}")


_SCALARS: Mapping[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
}


def shaped(shape: Shape, value: Any, where: str) -> Any:
    """`value` as botocore would parse it for `shape`; raises `BadRecording` if it does not fit."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise BadRecording(f"{where}: expected an object for {shape.name}")
        members = shape.members  # type: ignore[attr-defined]
        unknown = sorted(set(value) - set(members))
        if unknown:
            raise BadRecording(f"{where}: {unknown} not in botocore's shape {shape.name}")
        return {k: shaped(members[k], v, f"{where}.{k}") for k, v in value.items()}
    if kind == "list":
        if not isinstance(value, list):
            raise BadRecording(f"{where}: expected a list for {shape.name}")
        member = shape.member  # type: ignore[attr-defined]
        return [shaped(member, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            raise BadRecording(f"{where}: expected a map for {shape.name}")
        inner = shape.value  # type: ignore[attr-defined]
        return {str(k): shaped(inner, v, f"{where}.{k}") for k, v in value.items()}
    if kind == "timestamp":
        return _timestamp(value, where)
    if kind == "blob":
        if not isinstance(value, str):
            raise BadRecording(f"{where}: a blob is recorded as text")
        return value.encode("utf-8")
    allowed = _SCALARS.get(kind, (str,))
    if not isinstance(value, allowed) or (kind != "boolean" and isinstance(value, bool)):
        raise BadRecording(f"{where}: {value!r} is not a {kind}")
    return value


@dataclass
class Exchange:
    """One recorded call and its answer."""

    service: str
    operation: str
    region: str
    params: Mapping[str, Any]
    response: Mapping[str, Any] | None = None
    error: Mapping[str, str] | None = None
    status: int = 200
    source: str = ""  # file and index, for messages
    uses: int = 0

    def parsed(self) -> dict[str, Any]:
        """The answer as botocore's parser would hand it to the client."""
        model = operation_model(self.service, self.operation)
        meta = {"HTTPStatusCode": self.status, "RequestId": f"replay-{self.source}"}
        if self.error is not None:
            return {"Error": dict(self.error), "ResponseMetadata": {**meta, "RetryAttempts": 0}}
        body = copy.deepcopy(dict(self.response or {}))
        parsed = shaped(model.output_shape, body, self.source) if model.output_shape else {}
        return {**parsed, "ResponseMetadata": {**meta, "RetryAttempts": 0}}


def _normal(params: Mapping[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, default=str)


@dataclass
class Recording:
    """One situation folder of the corpus."""

    folder: Path
    exchanges: list[Exchange] = field(default_factory=list)

    @classmethod
    def load(cls, name: str | Path) -> Recording:
        folder = name if isinstance(name, Path) else CORPUS / name
        recording = cls(folder)
        for path in sorted(folder.glob("*.json")):
            service = path.stem
            for index, item in enumerate(json.loads(path.read_text(encoding="utf-8"))):
                exchange = Exchange(
                    service=service,
                    operation=str(item["operation"]),
                    region=str(item["region"]),
                    params=item.get("params") or {},
                    response=item.get("response"),
                    error=item.get("error"),
                    status=int(item.get("status", 400 if "error" in item else 200)),
                    source=f"{folder.name}/{path.name}[{index}]",
                )
                exchange.parsed()  # validate against the output shape now
                recording.exchanges.append(exchange)
        return recording

    def find(
        self, service: str, operation: str, region: str, params: Mapping[str, Any]
    ) -> Exchange | None:
        """The first matching exchange not answered yet, else the last one answered: a
        repeated call (IAM's credential report polled until COMPLETE) gets its recorded
        answers in order."""
        wanted = _normal(params)
        matching = [
            e
            for e in self.exchanges
            if e.service == service
            and e.operation == operation
            and e.region == region
            and _normal(e.params) == wanted
        ]
        fresh = [e for e in matching if e.uses == 0]
        if fresh:
            return fresh[0]
        return matching[-1] if matching else None

    def unused(self) -> list[str]:
        return [e.source for e in self.exchanges if e.uses == 0]


ResponseEdit = Callable[[Exchange, dict[str, Any]], dict[str, Any]]


class Replay:
    """A client hook answering from `recording`.

    `strict`: a call without a recording raises `MissingRecording` (the corpus tests);
    otherwise it is answered with an AWS-style error (the absent-field walk, where a
    removed field may send the app down a fallback path nobody recorded). `edit` may
    change each parsed answer before the app sees it.
    """

    def __init__(
        self, recording: Recording, *, strict: bool = True, edit: ResponseEdit | None = None
    ) -> None:
        self.recording = recording
        self.strict = strict
        self.edit = edit
        self.misses: list[str] = []
        self.sent: list[tuple[str, str, str]] = []
        self.answered: list[Exchange] = []
        self._lock = threading.Lock()

    def hook(self, client: Any) -> None:
        client.meta.events.register("provide-client-params", _remember_params)
        client.meta.events.register("before-call", self._answer)

    def _answer(self, model: OperationModel, context: Mapping[str, Any], **_: Any) -> Any:
        service = model.service_model.service_name
        # botocore names the region of a us-east-1 IAM client after its global endpoint.
        region = {"aws-global": "us-east-1"}.get(context["client_region"], context["client_region"])
        params = context.get("replay_params", {})
        with self._lock:
            self.sent.append((service, model.name, region))
            exchange = self.recording.find(service, model.name, region, params)
            if exchange is not None:
                exchange.uses += 1
                self.answered.append(exchange)
        if exchange is None:
            what = f"{service}:{model.name} in {region} with {_normal(params)}"
            with self._lock:
                self.misses.append(what)
            if self.strict:
                raise MissingRecording(f"no recorded answer for {what}")
            error = {"Code": "NoRecordedAnswer", "Message": f"not recorded: {what}"}
            return AWSResponse("https://replay", 400, {}, None), {
                "Error": error,
                "ResponseMetadata": {"HTTPStatusCode": 400, "RetryAttempts": 0},
            }
        parsed = exchange.parsed()
        if self.edit is not None:
            parsed = self.edit(exchange, parsed)
        return AWSResponse("https://replay", exchange.status, {}, None), parsed


def _remember_params(params: Mapping[str, Any], context: dict[str, Any], **_: Any) -> None:
    context["replay_params"] = copy.deepcopy(dict(params))


def situations() -> Iterator[str]:
    """The corpus's situation folders, by name."""
    for folder in sorted(CORPUS.iterdir()):
        if folder.is_dir():
            yield folder.name


# The regions each situation's account uses (the others are enabled but not recorded).
SCANNED: Mapping[str, tuple[str, ...]] = {
    "legacy-2017-account": ("us-east-1",),
    "saas-data-stores": ("eu-west-1", "us-east-1"),
    "partial-permissions": ("us-west-2",),
}
# The moment the recordings were made: recovery-point ages are measured from it.
RECORDED_AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


@dataclass
class ReplayedScan:
    """What a scan of one situation produced, and what it sent."""

    results: list[Any]
    replay: Replay

    def rows(self, check: str) -> list[Any]:
        return [r for r in self.results if r.check == check]

    def row(self, check: str, resource_end: str) -> Any:
        found = [r for r in self.rows(check) if r.resource.endswith(resource_end)]
        assert len(found) == 1, (check, resource_end, [r.resource for r in self.rows(check)])
        return found[0]


def scan_situation(name: str, replay: Replay | None = None, **settings: Any) -> ReplayedScan:
    """Scan a situation through the app's own clients, answered from the corpus.

    Needs fake credentials in the environment (`recorded_env`): nothing is signed or sent.
    """
    import boto3

    from app.aws.clients import ScanClients
    from app.controls.checks import CheckSettings
    from app.scan.runner import prepare, scan_account

    replay = replay or Replay(Recording.load(name))
    clients = ScanClients(boto3.Session, hooks=[replay.hook])
    prepared = prepare(clients, regions=list(SCANNED[name]))
    check_settings = CheckSettings(now=RECORDED_AT, **settings)
    return ReplayedScan(scan_account(prepared, settings=check_settings), replay)


RECORDED_ENV: Mapping[str, str] = {
    "AWS_ACCESS_KEY_ID": "AKIAREPLAYEXAMPLE000",
    "AWS_SECRET_ACCESS_KEY": "replayed-answers-need-no-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}
