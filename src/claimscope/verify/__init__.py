"""Verification: previously fact-checked claims (import, matching), evidence, stance, verdicts."""

from claimscope.verify.factchecks import read_factchecks

__all__ = ["read_factchecks"]
