"""A LinkedIn organisation page: the member network's reader (``linkedin``), which reads an
``organization`` account's posts with organizationalEntityShareStatistics and its followers with
networkSizes (and the top countries of its followers)."""

from socialpub.adapters.insights.linkedin import Insights

__all__ = ["Insights"]
