"""Verification: previously fact-checked claims (import, matching), evidence, stance, verdicts."""
