"""socialpub: one API to publish, schedule and measure posts on every major network."""

__version__ = "0.1.0"  # kept equal to pyproject.toml's version (tests/infra checks it)
