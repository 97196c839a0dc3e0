"""The officers' review UI: server-rendered pages with GOV.UK Frontend styles."""
