"""Fixed one-minute windows: the 61st request of a starter key inside one minute is refused."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

WINDOW_SECONDS = 60


class RateLimitStatus(BaseModel):
    """What the X-RateLimit-* headers report after a request was counted."""

    model_config = ConfigDict(frozen=True)

    limit: int
    remaining: int
    reset_at: int  # epoch seconds when the current window ends

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_at),
        }


def window_start(epoch_seconds: float) -> int:
    return int(epoch_seconds) // WINDOW_SECONDS * WINDOW_SECONDS


def retry_after(epoch_seconds: float) -> int:
    """Whole seconds until the window ends, at least 1."""
    return max(1, window_start(epoch_seconds) + WINDOW_SECONDS - int(epoch_seconds))
