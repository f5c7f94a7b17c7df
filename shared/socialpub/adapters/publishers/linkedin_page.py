"""A LinkedIn organisation page: the member network's publisher (``linkedin``), whose author is
``urn:li:organization:<id>`` for an account of type ``organization`` (the page chosen at connect)."""

from socialpub.adapters.publishers.linkedin import Publisher, classify, link

__all__ = ["Publisher", "classify", "link"]
