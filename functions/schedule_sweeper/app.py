"""ScheduleSweeperFunction: publishes scheduled posts whose schedule was missed (socialpub.workers.schedule_sweeper)."""

from socialpub.workers.schedule_sweeper import adapters, handler

adapters()  # settings and AWS clients at init: fail fast

__all__ = ["handler"]
