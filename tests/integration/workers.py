"""Runs a worker function of template.yaml over its queue, as the local stack does."""

from __future__ import annotations

import boto3

from socialpub.local.template import LocalResolver, Template
from socialpub.local.workers import drain_once, queue_bindings
from tests.conftest import MOCK_ENDPOINT


def drain(function: str, budget_runs: int = 10) -> None:
    """Deliver the function's queue until it is empty (messages that fail are made visible again)."""
    template = Template.load()
    binding = next(
        b for b in queue_bindings(template, LocalResolver(template, MOCK_ENDPOINT)) if b.function == function
    )
    sqs = boto3.client("sqs")
    for _ in range(budget_runs):
        if drain_once(binding, sqs) == 0:
            return
        # A failed (incomplete) record stays in flight; make it visible again like a timeout would.
        for message in sqs.receive_message(QueueUrl=binding.queue_url, MaxNumberOfMessages=10).get("Messages", []):
            sqs.change_message_visibility(
                QueueUrl=binding.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
    raise AssertionError(f"{function} did not drain its queue in {budget_runs} runs")
