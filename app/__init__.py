"""Audit Binder: get an AWS account audit-ready and hand the auditor a binder."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("audit-binder")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"
