"""Persuasion techniques: the catalogue, the PTC data reader, span decoding and evaluation."""
