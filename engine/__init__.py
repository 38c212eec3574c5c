"""The grouping engine: pure Python, no I/O."""

__version__ = "0.1.0"
