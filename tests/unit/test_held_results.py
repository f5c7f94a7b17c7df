"""CheckpointSteps with ``hold_results`` (the publisher's runs): a visible step's result is written
with the target's next write, never alone, and never held across another call or a pause."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from socialpub.domain.publishing import CheckpointSteps, Target

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


class Recorder:
    """Each write of the target: (steps stored, steps armed) as written, and what happened between."""

    def __init__(self) -> None:
        self.log: list[Any] = []

    def call(self, what: str, answer: Any) -> Any:
        self.log.append(what)
        return answer

    def persist(self, target: Target) -> None:
        self.log.append(("write", sorted(target.steps), sorted(target.armed)))


def _steps(recorder: Recorder) -> CheckpointSteps:
    target = Target(workspace_id="ws_1", post_id="post_1", account_id="acc_1", platform="mastodon", queued_at=NOW)
    return CheckpointSteps(
        target,
        recorder.persist,
        clock=lambda: NOW,
        sleep=lambda s: recorder.log.append(("sleep", s)),
        hold_results=True,
    )


def test_a_thread__each_result_is_written_with_the_next_steps_arming() -> None:
    # Given a run whose results are held
    recorder = Recorder()
    steps = _steps(recorder)

    # When two visible steps run one after the other
    steps.visible("status.0", lambda: recorder.call("send 0", {"id": "1"}), find=None)
    steps.visible("status.1", lambda: recorder.call("send 1", {"id": "2"}), find=None)

    # Then each send was armed first, the first result went out with the second arming, and the
    # last result is held for the caller's finishing write: 2 writes instead of 4
    assert recorder.log == [
        ("write", [], ["status.0"]),
        "send 0",
        ("write", ["status.0"], ["status.1"]),
        "send 1",
    ]
    assert steps.target.steps == {"status.0": {"id": "1"}, "status.1": {"id": "2"}}
    assert steps.target.armed == {}


def test_a_held_result__written_before_another_call_a_pause_or_on_demand() -> None:
    # Given a run holding a visible step's result
    recorder = Recorder()
    steps = _steps(recorder)
    steps.visible("post", lambda: {"id": "1"}, find=None)

    # When an invisible step runs, then a pause, then the caller asks for the held result's write
    steps.once("permalink", lambda: recorder.call("fetch permalink", "https://x/1"))
    steps.visible("comment", lambda: {"id": "2"}, find=None)
    steps.wait(5)
    steps.write_held()
    steps.write_held()

    # Then the result was written before the other call, and before the pause; nothing twice
    assert recorder.log == [
        ("write", [], ["post"]),
        ("write", ["post"], []),
        "fetch permalink",
        ("write", ["permalink", "post"], []),
        ("write", ["permalink", "post"], ["comment"]),
        ("write", ["comment", "permalink", "post"], []),
        ("sleep", 5),
    ]


def test_without_hold_results__each_result_is_written_at_once() -> None:
    # Given steps as the publishers' own tests use them (no holding)
    recorder = Recorder()
    target = Target(workspace_id="ws_1", post_id="post_1", account_id="acc_1", platform="mastodon", queued_at=NOW)
    steps = CheckpointSteps(target, recorder.persist, clock=lambda: NOW, sleep=lambda _: None)

    # When a visible step runs
    steps.visible("status.0", lambda: {"id": "1"}, find=None)

    # Then it was armed, then its result written
    assert recorder.log == [("write", [], ["status.0"]), ("write", ["status.0"], [])]
