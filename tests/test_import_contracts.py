"""The import rules of the project are contracts, checked here: the layers, no game below the faces, ray
only in muzero.distributed, no torch or ray for the search, bundles, agents and the arena, no import circles
(`lint-imports`, configured in pyproject.toml); and a project import inside a function only where it keeps
torch or ray out of a process that must not have them."""

import ast
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
PROJECT_PACKAGES = ("muzero", "envs", "arena")


def test_the_import_contracts_hold():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    completed = subprocess.run([str(lint_imports)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert "0 broken" in completed.stdout


def function_level_project_imports() -> list[tuple[str, str]]:
    """(file, imported module) of every project import made inside a function of the project's packages."""
    found = []
    for package in PROJECT_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for function in ast.walk(ast.parse(path.read_text())):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(function):
                    modules = [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
                    if isinstance(node, ast.Import):
                        modules = [alias.name for alias in node.names]
                    found += [(str(path.relative_to(ROOT)), m) for m in modules if m.split(".")[0] in PROJECT_PACKAGES]
    return found


def test_project_code_is_imported_inside_a_function_only_to_keep_torch_or_ray_out():
    graph = grimp.build_graph(*PROJECT_PACKAGES, include_external_packages=True, exclude_type_checking_imports=True)
    imports = function_level_project_imports()
    assert imports, "the check found nothing to check"
    for path, module in imports:
        heavy = [name for name in ("torch", "ray") if graph.chain_exists(importer=module, imported=name)]
        assert heavy, f"{path} imports {module} inside a function, but {module} pulls in neither torch nor ray"
