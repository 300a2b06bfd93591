"""Check revision chains against a real database: SQLite, driven by real Alembic.

usage:
    python scripts/schema_harness.py model MRT_BINARY CHAIN_DIR...
    python scripts/schema_harness.py roundtrip CHAIN_DIR...
    python scripts/schema_harness.py dump CHAIN_DIR...

Needs alembic (1.20.1) and SQLAlchemy, nothing else. Each CHAIN_DIR is an Alembic `versions/` directory.
The revision files are run by Alembic itself, so they must work on SQLite (batch mode where SQLite
needs it).

model      runs `MRT_BINARY schema CHAIN_DIR --dialect sqlite --format json` once per chain, then, in the
           JSON's `order`, upgrades one revision at a time and compares the reflected schema with the
           model's `before` and `after_upgrade`; then, in reverse order, downgrades one revision at a
           time and compares with the model's `after_downgrade` of that revision.
roundtrip  no model: for each revision R, the schema before upgrading R must equal the schema after
           upgrading R and downgrading it again (then R is upgraded again and the walk goes on); and
           the whole chain: base == upgrade to heads, then downgrade to base.
dump       prints the reflected schema after each upgrade, normalised (what `model` compares): an aid
           for making the model print matching text.

Every state is "exactly one revision and its ancestors applied": the model's `before` of R is the schema
of R's parents (all of them, for a merge) and nothing else, so a sibling branch is never in the database
when R is checked. When the walk moves to a revision whose ancestors are not exactly what is applied
(a switch of branch, a merge), the database is rebuilt: a fresh file, `alembic upgrade` to each parent.
With one head applied, `alembic downgrade -1` undoes exactly that head; for a merge revision, which
Alembic calls an ambiguous walk for `-1`, `alembic downgrade PARENT` (any one of its parents) does.

Output: one line per step, `ok` or `MISMATCH` followed by an indented diff; objects that the model marks
uncertain (and columns a partial table does not know) are listed as skipped. Exit status: 0 all equal,
1 a mismatch, 2 a harness error (bad usage, mrt failed, a migration raised on SQLite).
"""

from __future__ import annotations

import ast
import json
import pathlib
import re
import subprocess
import sys
import tempfile
import textwrap
import traceback

# Alembic imports the revision files; keep their __pycache__ out of the repository.
sys.dont_write_bytecode = True

import sqlalchemy  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402
from sqlalchemy import pool  # noqa: E402
from sqlalchemy.dialects import sqlite  # noqa: E402
from sqlalchemy.sql.elements import ClauseElement, TextClause  # noqa: E402
from sqlalchemy.types import NullType, TypeEngine  # noqa: E402

DIALECT = sqlite.dialect()

ENV_PY = textwrap.dedent(
    '''\
    """Minimal env.py of the schema harness: online mode, the URL from the Config, no metadata."""
    from alembic import context
    from sqlalchemy import create_engine, pool

    config = context.config
    if context.is_offline_mode():
        raise SystemExit("the schema harness runs online only")
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()
    '''
)

SCRIPT_PY_MAKO = textwrap.dedent(
    '''\
    """${message}

    Revision ID: ${up_revision}
    Revises: ${down_revision | comma,n}
    Create Date: ${create_date}
    """
    from alembic import op
    import sqlalchemy as sa
    ${imports if imports else ""}
    revision = ${repr(up_revision)}
    down_revision = ${repr(down_revision)}
    branch_labels = ${repr(branch_labels)}
    depends_on = ${repr(depends_on)}


    def upgrade():
        ${upgrades if upgrades else "pass"}


    def downgrade():
        ${downgrades if downgrades else "pass"}
    '''
)


class HarnessError(Exception):
    """Something other than a schema difference went wrong: exit status 2."""


# --------------------------------------------------------------------------------------------------
# The Alembic environment and the database
# --------------------------------------------------------------------------------------------------


class Env:
    """A temporary Alembic environment over one chain directory, with one SQLite file."""

    def __init__(self, chain_dir: pathlib.Path, workdir: pathlib.Path):
        self.chain_dir = chain_dir
        script_location = workdir / "alembic"
        script_location.mkdir()
        (script_location / "env.py").write_text(ENV_PY, encoding="utf-8")
        (script_location / "script.py.mako").write_text(SCRIPT_PY_MAKO, encoding="utf-8")
        self.db_path = workdir / "harness.sqlite"
        self.url = f"sqlite:///{self.db_path}"
        self.cfg = Config()
        self.cfg.set_main_option("script_location", str(script_location))
        self.cfg.set_main_option("path_separator", "os")
        self.cfg.set_main_option("version_locations", str(chain_dir))
        self.cfg.set_main_option("sqlalchemy.url", self.url)
        self.script = ScriptDirectory.from_config(self.cfg)
        # Parents as Alembic reads them (down_revision only; depends_on is not a parent).
        self.parents: dict[str, list[str]] = {}
        for sc in self.script.walk_revisions():
            down = sc.down_revision
            if down is None:
                parents = []
            elif isinstance(down, str):
                parents = [down]
            else:
                parents = list(down)
            self.parents[sc.revision] = parents
        # walk_revisions goes from the heads down: reversed, parents come first.
        self.order = [sc.revision for sc in self.script.walk_revisions()][::-1]
        self.applied: set[str] = set()

    def filename(self, rev: str) -> str:
        return pathlib.Path(self.script.get_revision(rev).path).name

    def closure(self, rev: str) -> set[str]:
        """The revision and all its ancestors."""
        seen, stack = set(), [rev]
        while stack:
            r = stack.pop()
            if r not in seen:
                seen.add(r)
                stack.extend(self.parents.get(r, []))
        return seen

    def _run(self, what, fn, target):
        try:
            fn(self.cfg, target)
        except Exception as exc:  # the migration itself raised: report it with its traceback
            raise HarnessError(f"alembic {what} {target} raised:\n{traceback.format_exc(limit=-4)}") from exc

    def fresh(self):
        """An empty database."""
        self.db_path.unlink(missing_ok=True)
        self.applied = set()

    def upgrade(self, target: str):
        self._run("upgrade", command.upgrade, target)
        if target == "heads":
            self.applied = set(self.order)
        else:
            self.applied |= self.closure(target)
        self._check_version_table()

    def downgrade_one(self, rev: str):
        """Downgrade `rev`, which must be the only head applied."""
        if self.heads_applied() != {rev}:
            raise HarnessError(f"internal: downgrade of {rev} with heads {sorted(self.heads_applied())}")
        # `-1` from a single head is that revision alone. From a merge revision Alembic calls `-1` an
        # "Ambiguous walk"; downgrading to one of its parents undoes the merge alone and leaves every
        # parent applied (alembic_version then holds the parents, as checked below).
        parents = self.parents.get(rev, [])
        self._run("downgrade", command.downgrade, parents[0] if len(parents) > 1 else "-1")
        self.applied.discard(rev)
        self._check_version_table()

    def downgrade_base(self):
        self._run("downgrade", command.downgrade, "base")
        self.applied = set()
        self._check_version_table()

    def move_to(self, applied: set[str]) -> bool:
        """Make exactly `applied` (closed under ancestry) the applied set; True when rebuilt."""
        if applied == self.applied:
            return False
        self.fresh()
        for head in sorted(self._heads_of(applied)):
            self.upgrade(head)
        if self.applied != applied:
            raise HarnessError(f"internal: wanted {sorted(applied)}, applied {sorted(self.applied)}")
        return True

    def _heads_of(self, revs: set[str]) -> set[str]:
        parents_in = {p for r in revs for p in self.parents.get(r, [])}
        return revs - parents_in

    def heads_applied(self) -> set[str]:
        return self._heads_of(self.applied)

    def _check_version_table(self):
        """What Alembic recorded must be what the harness thinks is applied."""
        rows = set()
        if self.db_path.exists():
            engine = sqlalchemy.create_engine(self.url, poolclass=pool.NullPool)
            with engine.connect() as conn:
                if sqlalchemy.inspect(conn).has_table("alembic_version"):
                    rows = {r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}
            engine.dispose()
        if rows != self.heads_applied():
            raise HarnessError(
                f"alembic_version holds {sorted(rows)}, expected {sorted(self.heads_applied())}"
            )

    def reflect(self) -> dict:
        engine = sqlalchemy.create_engine(self.url, poolclass=pool.NullPool)
        try:
            with engine.connect() as conn:
                return reflect(conn)
        finally:
            engine.dispose()


# --------------------------------------------------------------------------------------------------
# Reflection, normalised
# --------------------------------------------------------------------------------------------------
#
# The normalised shape is the model's SCHEMA shape, with every text put in one canonical form:
#   column type      the type compiled for SQLite, upper case, no whitespace ("VARCHAR(50)")
#   server_default   SQL text, outer parentheses removed, then upper case with whitespace collapsed,
#                    except inside '...' string literals, which are kept exactly
#   check sqltext,   outside '...' literals: whitespace collapsed, a space kept only between two word
#   view definition  characters, lower case; no trailing ";"; outer parentheses removed (check only)
#   ondelete         upper case; "NO ACTION" is the same as none
# Lists of indexes and constraints are sorted; an unnamed constraint has name None.


def canon_type(type_: TypeEngine) -> str:
    if isinstance(type_, NullType):
        return "NULL"
    try:
        text = str(type_.compile(dialect=DIALECT))
    except Exception:  # a type SQLite cannot render: compare its repr
        text = repr(type_)
    return re.sub(r"\s+", "", text).upper()


def strip_outer_parens(text: str) -> str:
    """Remove parentheses that wrap the whole text, as often as they do."""
    text = text.strip()
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, ch in enumerate(text):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(text) - 1:
                return text  # "(a) + (b)": the first ")" closes before the end
        text = text[1:-1].strip()
    return text


def outside_quotes(text: str, fn) -> str:
    """Apply `fn` to the parts of `text` outside single-quoted SQL string literals."""
    parts = re.split(r"('(?:[^']|'')*')", text)
    return "".join(part if i % 2 else fn(part) for i, part in enumerate(parts))


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def canon_default(sql: str | None) -> str | None:
    if sql is None:
        return None
    text = strip_outer_parens(sql)
    # Whitespace collapsed and upper case, except inside string literals: 'abc' stays 'abc'.
    return outside_quotes(text, lambda part: re.sub(r"\s+", " ", part).upper())


def canon_sql(sql: str, parens: bool = False) -> str:
    def squeeze(part: str) -> str:
        # A space survives only between two word characters ("select a from b"); "length(title) > 0"
        # becomes "length(title)>0".
        part = re.sub(r"\s+", " ", part)
        return re.sub(r"(?<!\w) | (?!\w)", "", part).lower()

    text = outside_quotes(sql.strip(), squeeze).rstrip(";")
    if parens:
        text = strip_outer_parens(text)
    return text


def canon_ondelete(value: str | None) -> str | None:
    if value is None:
        return None
    value = re.sub(r"\s+", " ", value.strip()).upper()
    return None if value == "NO ACTION" else value


def reflect(conn) -> dict:
    insp = sqlalchemy.inspect(conn)
    tables = {}
    for name in sorted(insp.get_table_names()):
        if name == "alembic_version" or name.startswith("sqlite_"):
            continue
        columns = [
            {
                "name": c["name"],
                "type": canon_type(c["type"]),
                "nullable": bool(c["nullable"]),
                "server_default": canon_default(c.get("default")),
                "primary_key": bool(c.get("primary_key")),
            }
            for c in insp.get_columns(name)
        ]
        indexes = [
            {
                "name": ix["name"],
                # an expression index has None for the expression's column: show the expression
                "columns": [
                    col if col is not None else ix.get("expressions", [None] * len(ix["column_names"]))[i]
                    for i, col in enumerate(ix["column_names"])
                ],
                "unique": bool(ix["unique"]),
            }
            for ix in insp.get_indexes(name)
            if not (ix["name"] or "").startswith("sqlite_")
        ]
        uniques = [{"name": u["name"], "columns": list(u["column_names"])} for u in insp.get_unique_constraints(name)]
        # SQLAlchemy finds ON DELETE only in table-level FOREIGN KEY clauses, not in a column's inline
        # REFERENCES ... ON DELETE; SQLite's own PRAGMA knows both, so it has the last word.
        pragma_ondelete = {}
        for row in conn.exec_driver_sql(f"PRAGMA foreign_key_list({quote(name)})"):
            # (id, seq, table, from, to, on_update, on_delete, match)
            pragma_ondelete.setdefault(row[0], {"table": row[2], "columns": [], "ondelete": row[6]})
            pragma_ondelete[row[0]]["columns"].append(row[3])
        fks = []
        for fk in insp.get_foreign_keys(name):
            ondelete = fk.get("options", {}).get("ondelete")
            for p in pragma_ondelete.values():
                if p["table"] == fk["referred_table"] and p["columns"] == list(fk["constrained_columns"]):
                    ondelete = p["ondelete"]
            fks.append(
                {
                    "name": fk["name"],
                    "columns": list(fk["constrained_columns"]),
                    "referred_table": fk["referred_table"],
                    "ondelete": canon_ondelete(ondelete),
                }
            )
        checks = [
            {"name": ck["name"], "sqltext": canon_sql(ck["sqltext"], parens=True)}
            for ck in insp.get_check_constraints(name)
        ]
        tables[name] = {
            "partial": False,
            "columns": columns,
            "indexes": sort_items(indexes),
            "unique_constraints": sort_items(uniques),
            "foreign_keys": sort_items(fks),
            "check_constraints": sort_items(checks),
            "primary_key": list(insp.get_pk_constraint(name).get("constrained_columns") or []),
        }
    views = {}
    for name in sorted(insp.get_view_names()):
        views[name] = {"definition": canon_sql(insp.get_view_definition(name) or "")}
    triggers = {
        row[0]: {"table": row[1]}
        for row in conn.exec_driver_sql(
            "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        )
    }
    return {"tables": tables, "views": views, "triggers": triggers}


def sort_items(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda d: json.dumps(d, sort_keys=True, default=str))


# --------------------------------------------------------------------------------------------------
# The model's text, normalised the same way
# --------------------------------------------------------------------------------------------------

# Type and default texts are evaluated as Python only when they are made of names, attributes, calls
# and literals: nothing else of the migration is imported or run.
NAMESPACE = {"sa": sqlalchemy, "sqlalchemy": sqlalchemy, "sqlite": sqlite}
SAFE_NODES = (
    ast.Expression, ast.Name, ast.Attribute, ast.Call, ast.keyword, ast.Constant, ast.Load,
    ast.List, ast.Tuple, ast.UnaryOp, ast.USub,
)  # fmt: skip
SQL_TYPE = re.compile(r"^[A-Za-z_][A-Za-z_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?$")


def eval_python(text: str):
    """The value of `text` as a restricted Python expression; raises ValueError when it is not one."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValueError("not Python") from exc
    for node in ast.walk(tree):
        if not isinstance(node, SAFE_NODES):
            raise ValueError(f"not a plain expression ({type(node).__name__})")
        if getattr(node, "attr", getattr(node, "id", "x")).startswith("_"):
            raise ValueError("private names are not evaluated")
    try:
        return eval(compile(tree, "<model>", "eval"), {"__builtins__": {}}, dict(NAMESPACE))
    except Exception as exc:
        raise ValueError(f"does not evaluate: {exc}") from exc


def model_type(text: str) -> str:
    """Model type text -> canonical SQLite type; a Python type expression or SQL."""
    try:
        value = eval_python(text)
    except ValueError:
        value = None
    if isinstance(value, type) and issubclass(value, TypeEngine):
        value = value()
    if isinstance(value, TypeEngine):
        return canon_type(value)
    if SQL_TYPE.match(text.strip()):
        # SQL as SQLite stores it: resolved by the dialect's own affinity rules, as reflection does.
        return canon_type(DIALECT._resolve_type_affinity(re.sub(r"\s+", " ", text.strip()).upper()))
    return f"<neither a SQLAlchemy type nor SQL: {text}>"


def model_default(text: str | None) -> str | None:
    """Model server_default text -> canonical SQL default."""
    if text is None:
        return None
    if re.fullmatch(r"'(?:[^'\\]|'')*'", text.strip()):
        return canon_default(text)  # a SQL string literal ('it''s' is not Python's 'it' 's')
    try:
        value = eval_python(text)
    except ValueError:
        return canon_default(text)  # SQL (CURRENT_TIMESTAMP, datetime('now'), ...)
    if isinstance(value, str):
        return canon_default("'" + value.replace("'", "''") + "'")
    if isinstance(value, TextClause):
        return canon_default(value.text)
    if isinstance(value, ClauseElement):
        return canon_default(str(value.compile(dialect=DIALECT, compile_kwargs={"literal_binds": True})))
    if isinstance(value, bool):
        return canon_default(str(int(value)))
    if isinstance(value, (int, float)):
        return canon_default(str(value))
    return canon_default(text)


def model_sqltext(text: str) -> str:
    """Check sqltext: a Python string literal is its value; otherwise SQL as is."""
    try:
        value = ast.literal_eval(text.strip())
        if isinstance(value, str):
            text = value
    except (ValueError, SyntaxError):
        pass
    return canon_sql(text, parens=True)


def normalise_model(schema: dict) -> dict:
    tables = {}
    for name, t in schema.get("tables", {}).items():
        tables[name] = {
            "partial": bool(t.get("partial")),
            "columns": [
                {
                    "name": c["name"],
                    "type": model_type(c["type"]) if c.get("type") is not None else None,
                    "nullable": bool(c.get("nullable", True)),
                    "server_default": model_default(c.get("server_default")),
                    "primary_key": bool(c.get("primary_key")),
                }
                for c in t.get("columns", [])
            ],
            "indexes": sort_items(
                [{"name": i["name"], "columns": list(i["columns"]), "unique": bool(i.get("unique"))}
                 for i in t.get("indexes", [])]
            ),  # fmt: skip
            "unique_constraints": sort_items(
                [{"name": u.get("name"), "columns": list(u["columns"])} for u in t.get("unique_constraints", [])]
            ),
            "foreign_keys": sort_items(
                [
                    {
                        "name": f.get("name"),
                        "columns": list(f["columns"]),
                        "referred_table": f["referred_table"],
                        "ondelete": canon_ondelete(f.get("ondelete")),
                    }
                    for f in t.get("foreign_keys", [])
                ]
            ),
            "check_constraints": sort_items(
                [{"name": c.get("name"), "sqltext": model_sqltext(c["sqltext"])} for c in t.get("check_constraints", [])]
            ),
            "primary_key": list(t.get("primary_key", [])),
        }
    views = {n: {"definition": canon_sql(v.get("definition") or "")} for n, v in schema.get("views", {}).items()}
    triggers = {n: {"table": v.get("table")} for n, v in schema.get("triggers", {}).items()}
    return {"tables": tables, "views": views, "triggers": triggers}


# --------------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------------

CONSTRAINT_KINDS = {
    "indexes": ("index",),
    "unique_constraints": ("unique_constraint", "constraint"),
    "foreign_keys": ("foreign_key", "constraint"),
    "check_constraints": ("check_constraint", "constraint"),
}


class Uncertain:
    """The model's `uncertain` list: "table:users", "column:users.x", "index:ix_a", "view:v", ..."""

    KNOWN = {"table", "column", "index", "view", "trigger", "constraint",
             "unique_constraint", "foreign_key", "check_constraint"}  # fmt: skip

    def __init__(self, entries: list[str]):
        self.entries = set()
        self.unknown = []
        for entry in entries or []:
            kind, _, name = entry.partition(":")
            if kind in self.KNOWN and name:
                self.entries.add((kind, name))
            else:
                self.unknown.append(entry)

    def __call__(self, kinds, name) -> bool:
        if isinstance(kinds, str):
            kinds = (kinds,)
        return name is not None and any((k, name) in self.entries for k in kinds)


def fmt(item: dict) -> str:
    return json.dumps(item, sort_keys=False)


def compare(model: dict, db: dict, uncertain: Uncertain) -> tuple[list[str], list[str]]:
    """(differences, skipped) between a normalised model schema and a reflected one."""
    diffs, skipped = [], []
    for entry in uncertain.unknown:
        skipped.append(f"uncertain entry not understood by the harness: {entry}")

    for table in sorted(set(model["tables"]) | set(db["tables"])):
        if uncertain("table", table):
            skipped.append(f"table {table} (uncertain)")
            continue
        m, d = model["tables"].get(table), db["tables"].get(table)
        if m is None:
            diffs.append(f"table {table}: in the database, not in the model")
            continue
        if d is None:
            diffs.append(f"table {table}: in the model, not in the database")
            continue
        compare_table(table, m, d, uncertain, diffs, skipped)

    for kind, key in (("view", "views"), ("trigger", "triggers")):
        for name in sorted(set(model[key]) | set(db[key])):
            if uncertain(kind, name):
                skipped.append(f"{kind} {name} (uncertain)")
                continue
            m, d = model[key].get(name), db[key].get(name)
            if m is None:
                diffs.append(f"{kind} {name}: in the database, not in the model")
            elif d is None:
                diffs.append(f"{kind} {name}: in the model, not in the database")
            elif m != d:
                diffs.append(f"{kind} {name}:\n      model:    {fmt(m)}\n      database: {fmt(d)}")
    return diffs, skipped


def compare_table(table, m, d, uncertain, diffs, skipped):
    partial = m["partial"]
    # Columns: uncertain ones are left out on both sides.
    for column in sorted({c["name"] for c in m["columns"] + d["columns"] if uncertain("column", f"{table}.{c['name']}")}):
        skipped.append(f"column {table}.{column} (uncertain)")
    mcols = [c for c in m["columns"] if not uncertain("column", f"{table}.{c['name']}")]
    dcols = [c for c in d["columns"] if not uncertain("column", f"{table}.{c['name']}")]
    mnames = [c["name"] for c in mcols]
    if partial:
        extra = [c["name"] for c in dcols if c["name"] not in mnames]
        if extra:
            skipped.append(f"table {table} is partial: columns not in the model: {', '.join(extra)}")
        dcols = [c for c in dcols if c["name"] in mnames]
    dnames = [c["name"] for c in dcols]
    # Column position is not modelled (batch `insert_before` / `insert_after`): the same columns in
    # another order are the same schema.
    if sorted(mnames) != sorted(dnames):
        diffs.append(f"table {table}: columns\n      model:    {mnames}\n      database: {dnames}")
    dby = {c["name"]: c for c in dcols}
    for c in mcols:
        dc = dby.get(c["name"])
        if dc is None:
            continue
        for attr in ("type", "nullable", "server_default", "primary_key"):
            if c[attr] != dc[attr]:
                diffs.append(f"column {table}.{c['name']}: {attr}: model {c[attr]!r}, database {dc[attr]!r}")

    if m["primary_key"] != d["primary_key"] and not (partial and not m["primary_key"]):
        diffs.append(f"table {table}: primary key: model {m['primary_key']}, database {d['primary_key']}")

    for key, kinds in CONSTRAINT_KINDS.items():
        label = key.rstrip("s").replace("_", " ") if key != "indexes" else "index"
        mitems = [i for i in m[key] if not uncertain(kinds, i["name"])]
        ditems = [i for i in d[key] if not uncertain(kinds, i["name"])]
        for uncertain_name in sorted({i["name"] for i in m[key] + d[key] if uncertain(kinds, i["name"])}):
            skipped.append(f"{label} {uncertain_name} on {table} (uncertain)")
        missing, extra = match_items(mitems, ditems)
        for i in missing:
            diffs.append(f"table {table}: {label} in the model, not in the database: {fmt(i)}")
        for i in extra:
            if partial:
                skipped.append(f"table {table} is partial: {label} not in the model: {fmt(i)}")
            else:
                diffs.append(f"table {table}: {label} in the database, not in the model: {fmt(i)}")


def match_items(model_items, db_items):
    """Match as multisets. A named model item needs the same name; an unnamed one matches by its
    other fields (columns, ...) whatever the database calls it. Returns (missing, extra)."""
    remaining = list(db_items)
    missing = []
    # Named first, so that an unnamed model item does not take a named item's partner.
    for item in sorted(model_items, key=lambda i: i["name"] is None):
        if item["name"] is not None:
            hit = next((x for x in remaining if x == item), None)
        else:
            rest = {k: v for k, v in item.items() if k != "name"}
            hit = next((x for x in remaining if {k: v for k, v in x.items() if k != "name"} == rest), None)
        if hit is None:
            missing.append(item)
        else:
            remaining.remove(hit)
    return missing, remaining


def diff_states(a, b, path=""):
    """Differences between two reflected states (roundtrip mode), as readable lines."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            p = f"{path}.{k}" if path else str(k)
            if k not in a:
                out.append(f"{p}: only after: {fmt(b[k])}")
            elif k not in b:
                out.append(f"{p}: only before: {fmt(a[k])}")
            else:
                out.extend(diff_states(a[k], b[k], p))
        return out
    if isinstance(a, list) and isinstance(b, list) and a != b:
        if path.endswith(".columns"):
            # Columns by name: which are gone or new, whether the order changed, then each column.
            by_a, by_b = {x["name"]: x for x in a}, {x["name"]: x for x in b}
            out = [f"{path}: only before: {fmt(by_a[n])}" for n in by_a if n not in by_b]
            out += [f"{path}: only after: {fmt(by_b[n])}" for n in by_b if n not in by_a]
            common_a = [n for n in by_a if n in by_b]
            common_b = [n for n in by_b if n in by_a]
            if common_a != common_b:
                out.append(f"{path}: order before {common_a}, after {common_b}")
            for n in common_a:
                out.extend(diff_states(by_a[n], by_b[n], f"{path}[{n}]"))
            return out
        return [f"{path}:\n      before: {fmt(a)}\n      after:  {fmt(b)}"]
    if a != b:
        return [f"{path}: before {a!r}, after {b!r}"]
    return []


# --------------------------------------------------------------------------------------------------
# The modes
# --------------------------------------------------------------------------------------------------


class Report:
    def __init__(self):
        self.mismatches = 0
        self.errors = 0
        self.oks = 0

    def step(self, chain, label, diffs, skipped=()):
        status = "MISMATCH" if diffs else "ok"
        self.mismatches += bool(diffs)
        self.oks += not diffs
        print(f"{status:8} {chain}: {label}")
        for line in diffs:
            print(f"    - {line}")
        for line in skipped:
            print(f"    skipped: {line}")

    def skip(self, chain, label):
        print(f"{'skip':8} {chain}: {label}")

    def error(self, chain, message):
        self.errors += 1
        print(f"ERROR    {chain}: {message}")

    def exit_code(self):
        print(f"{self.oks} passed, {self.mismatches} failed" + (f", {self.errors} errors" if self.errors else ""))
        return 2 if self.errors else 1 if self.mismatches else 0


def run_mrt(mrt: str, chain_dir: pathlib.Path) -> dict:
    cmd = [mrt, "schema", str(chain_dir), "--dialect", "sqlite", "--format", "json"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise HarnessError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr}")
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise HarnessError(f"{' '.join(cmd)} printed no JSON: {exc}") from exc


def model_chain(mrt: str, chain_dir: pathlib.Path, env: Env, name: str, report: Report):
    data = run_mrt(mrt, chain_dir)
    order, revs = data["order"], data["revisions"]
    # The model's graph must be Alembic's.
    model_parents = {r: sorted(v.get("parents", [])) for r, v in revs.items()}
    alembic_parents = {r: sorted(p) for r, p in env.parents.items()}
    graph_diffs = []
    for r in sorted(set(model_parents) | set(alembic_parents)):
        if model_parents.get(r) != alembic_parents.get(r):
            graph_diffs.append(f"parents of {r}: model {model_parents.get(r)}, alembic {alembic_parents.get(r)}")
    if sorted(order) != sorted(env.parents):
        graph_diffs.append(f"order holds {sorted(order)}, alembic knows {sorted(env.parents)}")
    else:
        for i, r in enumerate(order):
            late = [p for p in env.parents[r] if p not in order[:i]]
            if late:
                graph_diffs.append(f"order: {r} comes before its parents {late}")
    report.step(name, "graph (parents, order) same as Alembic's", graph_diffs)
    if graph_diffs:
        return

    def check(label, rev, key):
        schema = revs[rev][key]
        diffs, skipped = compare(normalise_model(schema), env.reflect(), Uncertain(schema.get("uncertain")))
        report.step(name, f"{label} {rev} ({env.filename(rev)}): {key}", diffs, skipped)
        return not diffs

    # Up: one revision at a time, from exactly its parents' state.
    for rev in order:
        rebuilt = env.move_to(env.closure(rev) - {rev})
        check("up" + (" (rebuilt)" if rebuilt else ""), rev, "before")
        env.upgrade(rev)
        check("up", rev, "after_upgrade")

    # Down: in reverse order, from exactly the revision's state. After a downgrade that the model says
    # is lossy (its after_downgrade is not the next revision's after_upgrade), rebuild instead of going on.
    previous_after_downgrade = None
    for rev in reversed(order):
        lossy = previous_after_downgrade is not None and previous_after_downgrade != revs[rev]["after_upgrade"]
        if lossy:
            env.fresh()
        rebuilt = env.move_to(env.closure(rev))
        previous_after_downgrade = revs[rev]["after_downgrade"]
        if previous_after_downgrade is None:
            report.skip(name, f"down {rev} ({env.filename(rev)}): after_downgrade is null (no downgrade()), not run")
            continue
        env.downgrade_one(rev)
        check("down" + (" (rebuilt)" if rebuilt else ""), rev, "after_downgrade")


def roundtrip_chain(env: Env, name: str, report: Report):
    for rev in env.order:
        env.move_to(env.closure(rev) - {rev})
        before = env.reflect()
        env.upgrade(rev)
        upgraded = env.reflect()
        env.downgrade_one(rev)
        after = env.reflect()
        diffs = diff_states(before, after)
        note = "" if upgraded != before else " (the upgrade changed nothing)"
        report.step(name, f"{rev} ({env.filename(rev)}): upgrade then downgrade restores the schema{note}", diffs)
        if diffs:
            env.fresh()  # what the downgrade left behind is no base for the next revision: rebuild it
        else:
            env.upgrade(rev)
    env.fresh()
    before = env.reflect()
    env.upgrade("heads")
    env.downgrade_base()
    after = env.reflect()
    report.step(name, "whole chain: base -> heads -> base restores the schema", diff_states(before, after))


def dump_chain(env: Env, name: str):
    out = {}
    for rev in env.order:
        env.move_to(env.closure(rev) - {rev})
        env.upgrade(rev)
        out[rev] = env.reflect()
    print(json.dumps({"chain": name, "order": env.order, "after_upgrade": out}, indent=2))


def main(argv: list[str]) -> int:
    usage = __doc__.split("\n\n")[1]
    if len(argv) < 2 or argv[0] not in ("model", "roundtrip", "dump") or (argv[0] == "model" and len(argv) < 3):
        print(usage, file=sys.stderr)
        return 2
    mode = argv[0]
    mrt = argv[1] if mode == "model" else None
    chains = argv[2:] if mode == "model" else argv[1:]
    report = Report()
    for chain in chains:
        chain_dir = pathlib.Path(chain).resolve()
        name = chain.rstrip("/")
        if not chain_dir.is_dir():
            report.error(name, "not a directory")
            continue
        with tempfile.TemporaryDirectory(prefix="mrt-schema-harness-") as workdir:
            try:
                env = Env(chain_dir, pathlib.Path(workdir))
                if mode == "model":
                    model_chain(mrt, chain_dir, env, name, report)
                elif mode == "roundtrip":
                    roundtrip_chain(env, name, report)
                else:
                    dump_chain(env, name)
            except HarnessError as exc:
                report.error(name, str(exc))
            except Exception:  # a bug here or bad JSON from the model: still a harness error
                report.error(name, traceback.format_exc())
    if mode == "dump":
        return 2 if report.errors else 0
    return report.exit_code()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
