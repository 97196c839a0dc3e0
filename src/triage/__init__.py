"""triage: pre-screening of public comments on UK councils' social media pages."""

__version__ = "0.1.0"
