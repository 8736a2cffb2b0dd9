"""The dependency rule of STYLE.md: reporting → grants → budgets → accounts, never the reverse.

The source is scanned with ``ast`` (every import statement, including those inside functions),
migrations excluded, and relative imports resolved to the package they name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OUR_PACKAGES = {"accounts", "budgets", "grants", "reporting", "config"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = _module_name(path)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            # ``from . import x`` / ``from grants import x`` may import submodules: record both.
            found.append((node.lineno, target))
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return found


def _sources(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.relative_to(ROOT).parts)


def _violations(package: str, forbidden: set[str]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for path in _sources(package)
        for line, target in _imports(path)
        if target.split(".")[0] in forbidden
    ]


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("budgets", {"grants", "reporting"}),
        ("grants", {"reporting"}),
        ("accounts", {"budgets", "grants", "reporting"}),
    ],
)
def test_dependencies_point_from_reporting_to_grants_to_budgets_only(package, forbidden):
    assert _violations(package, forbidden) == []


def test_calculations_are_pure_python_without_django_or_our_models():
    path = ROOT / "grants" / "calculations.py"
    roots = {target.split(".")[0] for _line, target in _imports(path)}
    assert "django" not in roots
    assert roots & OUR_PACKAGES == set()


def test_the_import_scanner_sees_real_imports():
    # Guards the guard: an empty scan would make the rules above pass vacuously.
    grants_targets = {target for path in _sources("grants") for _line, target in _imports(path)}
    assert "budgets.errors" in grants_targets
    assert "grants.models" in grants_targets  # ``from ..models import`` inside grants.services
    assert all("migrations" not in str(path) for path in _sources("grants"))
    assert ROOT / "grants" / "services" / "application.py" in _sources("grants")


def test_relative_imports_are_resolved_to_their_package(tmp_path, monkeypatch):
    package = tmp_path / "budgets" / "sub"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from .. import errors\n")
    (package / "mod.py").write_text("def f():\n    from ..x import y\n    from . import z\n")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert sorted(t for _line, t in _imports(package / "__init__.py")) == ["budgets", "budgets.errors"]
    assert sorted(t for _line, t in _imports(package / "mod.py")) == [
        "budgets.sub",
        "budgets.sub.z",
        "budgets.x",
        "budgets.x.y",
    ]


def test_an_import_hidden_inside_a_function_is_a_violation(tmp_path, monkeypatch):
    (tmp_path / "budgets" / "migrations").mkdir(parents=True)
    (tmp_path / "budgets" / "rollup.py").write_text("def f():\n    from grants.models import Application\n")
    (tmp_path / "budgets" / "migrations" / "0009_x.py").write_text("import grants\n")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert _violations("budgets", {"grants"}) == [
        "budgets/rollup.py:2 imports grants.models",
        "budgets/rollup.py:2 imports grants.models.Application",
    ]
