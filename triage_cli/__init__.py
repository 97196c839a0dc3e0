"""The `triage` command: one Typer app over the library, the service and the training side."""
