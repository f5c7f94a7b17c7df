"""Use-cases: plain functions over domain models and ports."""
