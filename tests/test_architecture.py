"""The import direction of DESIGN.md s4, checked from the source (every import, lazy ones too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _violations(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in modules(folder):
        for name in imports_of(path):
            if any(name == bad or name.startswith(bad + ".") for bad in forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


RULES = [
    ("src/triage", ("fastapi", "starlette", "mlflow", "serve", "training", "triage_cli", "datasets")),
    (
        "src/triage/policy",
        (
            "torch",
            "sqlalchemy",
            "onnxruntime",
            "transformers",
            "triage.scoring",
            "triage.storage",
            "triage.service",
            "triage.review",
        ),
    ),
    ("src/triage/scoring", ("sqlalchemy", "triage.policy", "triage.storage", "triage.service", "triage.review")),
    ("src/triage/storage", ("torch", "triage.policy", "triage.scoring", "triage.service", "triage.review")),
    ("serve", ("training", "mlflow", "torch")),
    ("training", ("serve",)),
]


@pytest.mark.parametrize(("folder", "forbidden"), RULES, ids=[r[0] for r in RULES])
def test_imports_point_one_way(folder: str, forbidden: tuple[str, ...]) -> None:
    assert _violations(folder, forbidden) == []


def test_the_checker_sees_violations(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    import torch\n")
    assert "torch" in imports_of(bad)


def test_importing_policy_does_not_import_torch() -> None:
    import subprocess
    import sys

    code = "import sys, triage.policy; sys.exit(1 if 'torch' in sys.modules or 'sqlalchemy' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_labels_are_defined_once() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("src/triage", "serve", "training", "triage_cli")
        for path in modules(folder)
        if path.name != "labels.py" and '"personal_info",\n    "needs_response"' in path.read_text()
    ]
    assert offenders == []


# Every query lives in triage/storage: outside it nothing imports the tables or SQLAlchemy, except
# the Session type (and its factory) for annotations.
ANNOTATION_ONLY = {"sqlalchemy.orm": {"Session", "sessionmaker"}}


def storage_leaks(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.split(".")[0] == "sqlalchemy"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            module, names = node.module, {alias.name for alias in node.names}
            if module == "triage.storage.tables" or (module == "triage.storage" and "tables" in names):
                found.append(module)
            elif module.split(".")[0] == "sqlalchemy" and not names <= ANNOTATION_ONLY.get(module, set()):
                found.append(f"{module} ({', '.join(sorted(names))})")
    return found


def test_every_query_lives_in_storage() -> None:
    offenders = {
        str(path.relative_to(ROOT)): leaks
        for folder in ("src/triage", "serve", "triage_cli", "training")
        for path in modules(folder)
        if "src/triage/storage" not in str(path) and (leaks := storage_leaks(path))
    }
    assert offenders == {}


# What a SQLAlchemy session does with rows and queries: outside storage a session is only passed
# on, committed or rolled back (a row type named through a storage alias builds no query).
SESSION_QUERIES = {"add", "add_all", "delete", "execute", "get", "merge", "query", "scalar", "scalars"}


def session_queries(path: Path) -> list[str]:
    return [
        f"line {node.lineno}: session.{node.func.attr}"
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "session"
        and node.func.attr in SESSION_QUERIES
    ]


def test_no_session_queries_outside_storage() -> None:
    offenders = {
        str(path.relative_to(ROOT)): found
        for folder in ("src/triage", "serve", "triage_cli", "training")
        for path in modules(folder)
        if "src/triage/storage" not in str(path) and (found := session_queries(path))
    }
    assert offenders == {}


def test_the_session_rule_sees_queries(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f(session, request):\n    request.session.get('sid')\n    return session.get(Row, 1)\n")
    assert session_queries(bad) == ["line 3: session.get"]


def test_the_storage_rule_sees_leaks(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from sqlalchemy import select\nfrom sqlalchemy.orm import Session\n")
    assert storage_leaks(bad) == ["sqlalchemy (select)"]
    bad.write_text("from triage.storage.tables import CommentRow\n")
    assert storage_leaks(bad) == ["triage.storage.tables"]
