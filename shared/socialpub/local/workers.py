"""Drains the local queues by calling the real Lambda handlers with SQS-shaped events, as the
event source mappings of template.yaml would (which function reads which queue comes from there)."""

from __future__ import annotations

import importlib.util
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from socialpub.local.template import ROOT, LocalResolver, Template
from socialpub.observability import logger


@dataclass(frozen=True)
class QueueBinding:
    function: str
    queue_url: str
    queue_arn: str
    batch_size: int
    handler: Any


def load_handler(code_uri: str, handler: str = "app.handler") -> Any:
    module_name, attribute = handler.rsplit(".", 1)
    path = ROOT / code_uri / f"{module_name}.py"
    spec = importlib.util.spec_from_file_location(f"functions_{Path(code_uri).name}_{module_name}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"Cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, attribute)


def queue_bindings(template: Template, resolver: LocalResolver) -> list[QueueBinding]:
    bindings = []
    for logical_id, props in template.of_type("AWS::Serverless::Function"):
        for event in (props.get("Events") or {}).values():
            if event["Type"] != "SQS":
                continue
            queue_id = event["Properties"]["Queue"]["Fn::GetAtt"][0]
            bindings.append(
                QueueBinding(
                    function=logical_id,
                    queue_url=resolver.ref(queue_id),
                    queue_arn=resolver.arn(queue_id),
                    batch_size=int(event["Properties"].get("BatchSize", 10)),
                    handler=load_handler(props["CodeUri"], props.get("Handler", "app.handler")),
                )
            )
    return bindings


class LambdaContext:
    """The attributes Powertools reads from a Lambda context."""

    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.memory_limit_in_mb = 1024
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
    }


def drain_once(binding: QueueBinding, sqs: Any, wait_seconds: int = 0) -> int:
    """Receive one batch, run the handler, delete what succeeded (failed ones reappear after their
    visibility timeout, as with a real event source mapping). Returns the number of messages seen."""
    received = sqs.receive_message(
        QueueUrl=binding.queue_url,
        MaxNumberOfMessages=min(binding.batch_size, 10),
        WaitTimeSeconds=wait_seconds,
        AttributeNames=["All"],
    ).get("Messages", [])
    if not received:
        return 0
    try:
        result = binding.handler(sqs_event(received, binding.queue_arn), LambdaContext(binding.function)) or {}
        failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
    except Exception:
        logger.exception("Worker batch failed", extra={"function": binding.function})
        failed = {m["MessageId"] for m in received}
    done = [m for m in received if m["MessageId"] not in failed]
    if done:
        sqs.delete_message_batch(
            QueueUrl=binding.queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
        )
    return len(received)


def run_workers(bindings: list[QueueBinding], sqs: Any, stop: threading.Event) -> list[threading.Thread]:
    def loop(binding: QueueBinding) -> None:
        while not stop.is_set():
            try:
                if not drain_once(binding, sqs, wait_seconds=1):
                    stop.wait(0.2)
            except Exception:
                logger.exception("Worker loop error", extra={"function": binding.function})
                stop.wait(1)

    threads = [threading.Thread(target=loop, args=(b,), daemon=True, name=b.function) for b in bindings]
    for thread in threads:
        thread.start()
    return threads


@dataclass(frozen=True)
class ScheduledFunction:
    function: str
    period_seconds: int
    handler: Any


_RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def scheduled_functions(template: Template) -> list[ScheduledFunction]:
    """Functions run by a ``rate(...)`` schedule (ScheduleV2 events), with their period."""
    found = []
    for logical_id, props in template.of_type("AWS::Serverless::Function"):
        for event in (props.get("Events") or {}).values():
            if event["Type"] not in ("Schedule", "ScheduleV2"):
                continue
            expression = str(event["Properties"]["ScheduleExpression"])
            amount, unit = expression.removeprefix("rate(").removesuffix(")").split()
            found.append(
                ScheduledFunction(
                    function=logical_id,
                    period_seconds=int(amount) * _RATE_UNITS[unit],
                    handler=load_handler(props["CodeUri"], props.get("Handler", "app.handler")),
                )
            )
    return found


def run_schedules(
    functions: list[ScheduledFunction], stop: threading.Event, first_after: float = 10
) -> list[threading.Thread]:
    """Invoke each scheduled function at its rate, as EventBridge Scheduler would, starting shortly after start."""

    def loop(scheduled: ScheduledFunction) -> None:
        delay = min(first_after, scheduled.period_seconds)
        while not stop.wait(delay):
            try:
                scheduled.handler({"source": "local.scheduler"}, LambdaContext(scheduled.function))
            except Exception:
                logger.exception("Scheduled function failed", extra={"function": scheduled.function})
            delay = scheduled.period_seconds

    threads = [threading.Thread(target=loop, args=(s,), daemon=True, name=s.function) for s in functions]
    for thread in threads:
        thread.start()
    return threads


def run_every(work: Any, seconds: float, stop: threading.Event, name: str) -> threading.Thread:
    """Call ``work()`` every ``seconds`` until ``stop`` (a local stand-in for a faster schedule)."""

    def loop() -> None:
        while not stop.wait(seconds):
            try:
                work()
            except Exception:
                logger.exception("Local periodic work failed", extra={"work": name})

    thread = threading.Thread(target=loop, daemon=True, name=name)
    thread.start()
    return thread
