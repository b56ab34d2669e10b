"""Extraction: entities, quantities, dates and attributions, each a span with a normalized value."""
