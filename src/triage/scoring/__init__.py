"""Scoring: the Scorer protocol, model bundles, backends and PII recognisers."""
