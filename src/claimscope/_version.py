"""The package version (the root re-exports it as ``claimscope.__version__``)."""

__version__ = "0.1.0"
