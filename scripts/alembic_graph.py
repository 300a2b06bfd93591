"""Print the heads and bases that Alembic's own ScriptDirectory reports for a versions directory.

usage: python scripts/alembic_graph.py VERSIONS_DIR

Needs alembic installed. Migration modules import their own packages (airflow, mlflow...), which are
not installed, so Alembic's module loader is replaced by one that builds each module from Python's
`ast` (module-level literals: revision, down_revision, branch_labels, depends_on, the docstring)
without running it. Everything else, the revision map included, is Alembic's.
"""

import ast
import json
import pathlib
import sys
import tempfile
import types

import alembic.util
from alembic.script import ScriptDirectory

FIELDS = ("revision", "down_revision", "branch_labels", "depends_on")


def load_from_ast(dir_, filename):
    path = pathlib.Path(dir_) / filename
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = types.ModuleType(path.stem)
    module.__file__ = str(path)
    module.__doc__ = ast.get_docstring(tree)
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in FIELDS:
            setattr(module, target.id, ast.literal_eval(value))
    for field in FIELDS[1:]:
        if not hasattr(module, field):
            setattr(module, field, None)
    return module


def main():
    versions = pathlib.Path(sys.argv[1]).resolve()
    alembic.util.load_python_file = load_from_ast
    with tempfile.TemporaryDirectory() as script_location:
        script = ScriptDirectory(script_location, version_locations=[str(versions)])
        result = {
            "heads": sorted(script.get_heads()),
            "bases": sorted(script.get_bases()),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
