"""The store stands on its own: it never imports the terminal app or its toolkit."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import store

FORBIDDEN = {"textual", "tui", "rich"}
STORE_FILES = sorted(Path(store.__file__).resolve().parent.rglob("*.py"))


def test_importing_the_store_loads_no_ui() -> None:
    code = (
        "import store, store.journal, store.exchange, store.seeds, sys; "
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('textual', 'tui', 'rich')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_store_modules_are_found() -> None:
    names = {path.name for path in STORE_FILES}
    assert {"journal.py", "models.py", "storage.py", "csv_format.py", "acled.py", "geojson.py"} <= names


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module",
            "__import__",
        ):
            for arg in node.args[:1]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    roots.add(arg.value.split(".")[0])
    return roots


def test_no_store_module_imports_the_ui() -> None:
    offenders = {path.name: imported_roots(path) & FORBIDDEN for path in STORE_FILES}
    assert {name: found for name, found in offenders.items() if found} == {}
