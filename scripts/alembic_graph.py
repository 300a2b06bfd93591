"""Print the heads and bases that Alembic's own ScriptDirectory reports for a versions directory.

usage: python scripts/alembic_graph.py VERSIONS_DIR

Needs alembic installed. Migration modules import their own packages (airflow, mlflow...), which are
not installed, so Alembic's module loader is replaced by one that builds each module from Python's
`ast` (module-level literals: revision, down_revision, branch_labels, depends_on, the docstring,
and module constants they name) without running it. Everything else, the revision map included, is Alembic's.
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


def evaluate(value, constants):
    """A field's value: a literal, a module constant, or a tuple or list of those. A name the module
    imports (`branch_labels = (BRANCH,)`) stands for itself: Alembic would import a value, and for
    heads and bases only that the label exists matters."""
    if isinstance(value, ast.Name):
        return constants.get(value.id, value.id)
    if isinstance(value, (ast.Tuple, ast.List)):
        items = [evaluate(item, constants) for item in value.elts]
        return tuple(items) if isinstance(value, ast.Tuple) else items
    return ast.literal_eval(value)


def load_from_ast(dir_, filename):
    path = pathlib.Path(dir_) / filename
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = types.ModuleType(path.stem)
    module.__file__ = str(path)
    module.__doc__ = ast.get_docstring(tree)
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        if target.id in FIELDS:
            setattr(module, target.id, evaluate(value, constants))
        else:
            try:
                constants[target.id] = ast.literal_eval(value)
            except ValueError:
                pass
    for field in FIELDS[1:]:
        if not hasattr(module, field):
            setattr(module, field, None)
    return module


def main():
    versions = pathlib.Path(sys.argv[1]).resolve()
    alembic.util.load_python_file = load_from_ast
    with tempfile.TemporaryDirectory() as script_location:
        # Recursive: a fixture of several environments keeps each in a directory of its own.
        script = ScriptDirectory(
            script_location,
            version_locations=[str(versions)],
            recursive_version_locations=True,
        )
        result = {
            "heads": sorted(script.get_heads()),
            "bases": sorted(script.get_bases()),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
