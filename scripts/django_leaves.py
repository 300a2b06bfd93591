"""Print the leaf nodes of every app, as Django's own MigrationGraph computes them, for the
migrations under a directory.

usage: python scripts/django_leaves.py ROOT [--count]
(--count prints the number of migration files instead.)

Needs Django installed. The migration modules are not imported (they import their packages):
each file's `dependencies` and `replaces` are read with Python's `ast`, the app label from the
package's `apps.py` (`label = "..."` on its AppConfig), else the package directory's name, as
Django does. The graph is built as MigrationLoader.build_graph builds it with no database
(squashed migrations replace the ones they replace; `__first__` / `__latest__` resolved; apps
outside ROOT ignored), and Django's MigrationGraph answers leaf_nodes.
"""

import ast
import json
import pathlib
import sys

from django.db.migrations.graph import MigrationGraph


def literal(node):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def dependency(node):
    """A dependency tuple, or the app of `swappable_dependency(...)` (outside the project)."""
    value = literal(node)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return tuple(value)
    return None


def app_label(package):
    apps = package / "apps.py"
    if apps.is_file():
        for node in ast.walk(ast.parse(apps.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "label" for target in node.targets
            ):
                value = literal(node.value)
                if isinstance(value, str):
                    return value
    return package.name


def read_migrations(root):
    migrations = {}
    for path in sorted(pathlib.Path(root).rglob("migrations/*.py")):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            bases = [getattr(base, "attr", getattr(base, "id", "")) for base in getattr(node, "bases", [])]
            if isinstance(node, ast.ClassDef) and node.name == "Migration" and any(
                base.endswith("Migration") for base in bases
            ):
                fields = {"dependencies": [], "replaces": []}
                for item in node.body:
                    if isinstance(item, ast.Assign) and isinstance(item.targets[0], ast.Name):
                        name = item.targets[0].id
                        if name in fields and isinstance(item.value, (ast.List, ast.Tuple)):
                            fields[name] = [d for d in map(dependency, item.value.elts) if d]
                key = (app_label(path.parent.parent), path.stem)
                migrations[key] = fields
    return migrations


def main():
    migrations = read_migrations(sys.argv[1])
    if sys.argv[2:] == ["--count"]:
        print(len(migrations))
        return
    apps = {app for app, _ in migrations}
    graph = MigrationGraph()
    for key in migrations:
        graph.add_node(key, None)

    def resolve(key, current_app):
        app, name = key
        if name in ("__first__", "__latest__"):
            if app == current_app:
                return None
            nodes = graph.root_nodes(app) if name == "__first__" else graph.leaf_nodes(app)
            return nodes[0] if nodes else None
        return key

    for key, fields in migrations.items():
        for parent in fields["dependencies"]:
            if parent[0] not in apps:
                continue
            parent = resolve(parent, key[0])
            if parent is not None:
                graph.add_dependency(key, key, parent, skip_validation=True)
    for key, fields in migrations.items():
        if fields["replaces"]:
            graph.remove_replaced_nodes(key, [tuple(r) for r in fields["replaces"]])
    leaves = sorted(f"{app}.{name}" for app in apps for app_, name in graph.leaf_nodes(app) if app_ == app)
    print(json.dumps({"leaves": leaves}))


if __name__ == "__main__":
    main()
