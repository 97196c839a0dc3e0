"""Platform connectors: Facebook, Instagram and X comments in, moderation actions out (docs/CONNECTORS.md)."""
