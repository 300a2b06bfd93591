"""Compare `mrt check --output-format json` on an Alembic versions/ directory with what Python's own
`ast` module reads from the same files (nothing is imported or run).

usage: python3 scripts/corpus_counts.py VERSIONS_DIR MRT_JSON
Prints the counts; exits 1 when mrt read fewer files, revisions or parents than `ast` did, when a
parent is unknown, or when a file was reported as a syntax error.
"""

import ast
import json
import pathlib
import sys


def names(value):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def expected_counts(versions_dir):
    revisions = parents = migrations = 0
    for path in sorted(pathlib.Path(versions_dir).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assigned = {}
        has_upgrade = False
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "upgrade":
                has_upgrade = True
            target = None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            if isinstance(target, ast.Name):
                try:
                    assigned[target.id] = ast.literal_eval(value)
                except ValueError:
                    pass
        if "revision" in assigned and has_upgrade:
            migrations += 1
            revisions += 1
            parents += len(names(assigned.get("down_revision")))
    return {"migrations": migrations, "revisions": revisions, "parents": parents}


def main():
    versions_dir, report_path = sys.argv[1], sys.argv[2]
    report = json.loads(pathlib.Path(report_path).read_text(encoding="utf-8"))
    summary = report["summary"]
    expected = expected_counts(versions_dir)
    syntax_errors = [f for f in report["findings"] if f["code"] == "MRT902"]
    codes = {}
    for finding in report["findings"]:
        codes[finding["code"]] = codes.get(finding["code"], 0) + 1
    print(
        f"  files={summary['files']} migrations={summary['migrations']} "
        f"revisions={summary['revisions']} parents={summary['parent_links']} "
        f"unknown_parents={summary['unknown_parents']} syntax_errors={len(syntax_errors)}"
    )
    print(f"  python ast: {expected}")
    print(f"  findings per code: {dict(sorted(codes.items()))}")
    problems = []
    if summary["migrations"] != expected["migrations"]:
        problems.append("migration count differs from ast")
    if summary["revisions"] != expected["revisions"]:
        problems.append("revision count differs from ast")
    if summary["parent_links"] + summary["unknown_parents"] != expected["parents"]:
        problems.append("parent count differs from ast")
    if summary["unknown_parents"] != 0:
        problems.append("unknown parents")
    if syntax_errors:
        problems.append("syntax errors reported on files Python parses")
    for problem in problems:
        print(f"  FAIL: {problem}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
