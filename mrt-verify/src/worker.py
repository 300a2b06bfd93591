"""The worker of `mrt verify`: runs Alembic or Django migrations, one step at a time, for the mrt
binary that started it (which ships this file inside itself).

Protocol: one JSON object per line on stdin, one JSON answer per line on the file descriptor named
by MRT_WORKER_FD (stdout at start). What migrations print goes to stderr, so it can never corrupt the
answers. Every answer has "ok"; a failed step answers {"ok": false, "error": {"type", "message",
"traceback"}} and the worker goes on with the next request.
"""

import json
import os
import sys
import traceback

# Answers go to a private copy of stdout; fd 1 becomes stderr so that `print()` in a migration or
# in env.py cannot write into the protocol.
_ANSWERS = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr


def answer(payload):
    _ANSWERS.write(json.dumps(payload, default=str) + "\n")
    _ANSWERS.flush()


def failure(error):
    return {
        "ok": False,
        "error": {
            "type": type(error).__name__,
            "message": str(error).strip() or type(error).__name__,
            "traceback": traceback.format_exc(limit=20),
        },
    }


# Names env.py files commonly read the database URL from: set to the scratch URL for each step,
# so an env.py that reads the environment runs on mrt's database too.
URL_VARIABLES = (
    "DATABASE_URL",
    "DB_URL",
    "SQLALCHEMY_DATABASE_URI",
    "SQLALCHEMY_DATABASE_URL",
    "SQLALCHEMY_URL",
    "ALEMBIC_DATABASE_URL",
)

MINIMAL_ENV_PY = '''
from alembic import context
from sqlalchemy import create_engine, pool

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
'''


_DRIVERS = {}


def usable_url(url):
    """The URL with a PostgreSQL driver this interpreter has: `postgresql://` means psycopg2 to
    SQLAlchemy 1.x and psycopg (3) to 2.1; whichever is installed is named explicitly."""
    scheme, sep, rest = url.partition("://")
    if scheme not in ("postgresql", "postgres") or not sep:
        return url
    if scheme not in _DRIVERS:
        import importlib.util

        _DRIVERS[scheme] = scheme
        for module, driver in (("psycopg2", "postgresql+psycopg2"), ("psycopg", "postgresql+psycopg")):
            if importlib.util.find_spec(module) is not None:
                _DRIVERS[scheme] = driver
                break
    return _DRIVERS[scheme] + "://" + rest


class Alembic:
    """One Alembic project: its Config and ScriptDirectory, loaded once."""

    def __init__(self, request):
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        ini = request.get("ini")
        versions = request.get("versions") or []
        self.url_variables = list(URL_VARIABLES) + list(request.get("url_variables") or [])
        if ini:
            # Alembic resolves the ini's relative paths from where it is run: its directory.
            ini = os.path.abspath(ini)
            here = os.path.dirname(ini)
            os.chdir(here)
            self.config = Config(ini)
            if here not in sys.path:
                sys.path.insert(0, here)
        else:
            # A bare versions directory: run it with a minimal environment of our own.
            # The directory is mrt's (it removes it even if this process is killed).
            self.scratch = os.environ["MRT_WORKER_SCRATCH"]
            with open(os.path.join(self.scratch, "env.py"), "w", encoding="utf-8") as handle:
                handle.write(MINIMAL_ENV_PY)
            self.config = Config()
            self.config.set_main_option("script_location", self.scratch)
            self.config.set_main_option("path_separator", "os")
            self.config.set_main_option(
                "version_locations", os.pathsep.join(os.path.abspath(v) for v in versions)
            )
            for directory in versions:
                parent = os.path.dirname(os.path.abspath(directory))
                if parent not in sys.path:
                    sys.path.insert(0, parent)
        if os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())
        self.script = ScriptDirectory.from_config(self.config)
        # env.py files that build their own ScriptDirectory get the loaded one.
        ScriptDirectory.from_config = classmethod(lambda cls, config: self.script)

    def revisions(self):
        found = []
        for script in self.script.walk_revisions():
            parents = script.down_revision
            if parents is None:
                parents = ()
            elif isinstance(parents, str):
                parents = (parents,)
            found.append({"id": script.revision, "parents": list(parents), "path": script.path})
        return found

    def _run(self, url, steps_for, session=None):
        """Runs env.py once with `steps_for(heads)` as the work; the scratch URL is given every way
        env.py files read it. With `session`, env.py is handed that open connection (inside the
        caller's transaction, which it must not commit). Returns what the migration context saw
        (its database and table, and whether it used the connection it was handed)."""
        from alembic.runtime.environment import EnvironmentContext
        from alembic.runtime.migration import MigrationContext
        import sqlalchemy

        url = usable_url(url)
        seen = {}
        original_configure = MigrationContext.configure.__func__

        def configure(cls, *args, **kwargs):
            context = original_configure(cls, *args, **kwargs)
            seen["context"] = context
            return context

        config = self.config
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        config.cmd_opts = _XArguments(url)
        for name in self.url_variables:
            os.environ[name] = url
        MigrationContext.configure = classmethod(configure)
        try:
            if session is not None:
                config.attributes["connection"] = session
                with EnvironmentContext(
                    config, self.script, fn=lambda heads, context: steps_for(heads)
                ):
                    self.script.run_env()
            else:
                engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
                try:
                    with engine.connect() as connection:
                        config.attributes["connection"] = connection
                        with EnvironmentContext(
                            config, self.script, fn=lambda heads, context: steps_for(heads)
                        ):
                            self.script.run_env()
                        if connection.in_transaction():
                            connection.commit()
                finally:
                    engine.dispose()
        finally:
            MigrationContext.configure = classmethod(original_configure)
            config.attributes.pop("connection", None)
        context = seen.get("context")
        if context is None:
            return {"configured": False, "shared": False}
        bind = context.connection
        database = None
        if bind is not None:
            database = bind.engine.url.database
        return {
            "configured": True,
            "database": database,
            "version_table": context.version_table,
            "version_table_schema": context.version_table_schema,
            "shared": session is not None and context.connection is session,
        }

    def step(self, request):
        """One revision, up or down, exactly (its parents are applied)."""
        from alembic.runtime.migration import RevisionStep

        script = self.script.get_revision(request["revision"])
        upgrade = request["upgrade"]
        steps = lambda heads: [RevisionStep(self.script.revision_map, script, upgrade)]  # noqa: E731
        if request.get("session"):
            # Inside the session's transaction: a failed step undoes only itself.
            return SESSION.guarded(lambda: self._run(request["url"], steps, SESSION.connection))
        return self._run(request["url"], steps)

    def probe(self, request):
        """Runs env.py with nothing to do on the session: tells whether env.py uses the
        connection it is handed (then revisions can be tried inside a transaction)."""
        return SESSION.guarded(lambda: self._run(request["url"], lambda heads: [], SESSION.connection))

    def to_target(self, request):
        """`alembic upgrade TARGET` / `alembic downgrade TARGET`."""
        target = request["target"]
        if request["upgrade"]:
            return self._run(request["url"], lambda heads: self.script._upgrade_revs(target, heads))
        return self._run(request["url"], lambda heads: self.script._downgrade_revs(target, heads))

    def heads(self, request):
        from alembic.runtime.migration import MigrationContext
        import sqlalchemy

        url = usable_url(request["url"])
        engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
        try:
            with engine.connect() as connection:
                return list(MigrationContext.configure(connection).get_current_heads())
        finally:
            engine.dispose()


class _XArguments:
    """What `alembic -x key=value` gives env.py, with the URL under the usual keys."""

    def __init__(self, url):
        self.x = [f"{key}={url}" for key in ("db_url", "url", "sqlalchemy.url", "dburl", "database_url")]


class Session:
    """One connection held open in a transaction, for the Rust side's SQL and for migration steps
    (PostgreSQL, where DDL is transactional): a revision is tried inside a savepoint and rolled
    back, instead of on a copy of the database."""

    def __init__(self):
        self.engine = None
        self.connection = None

    def open(self, request):
        import sqlalchemy

        self.close()
        self.engine = sqlalchemy.create_engine(
            usable_url(request["url"]), poolclass=sqlalchemy.pool.NullPool
        )
        self.connection = self.engine.connect()
        self.connection.begin()

    def _raw(self, sql):
        # The driver's own cursor: no parameter interpolation, so `%` in SQL is just a character.
        cursor = self.connection.connection.dbapi_connection.cursor()
        cursor.execute(sql)
        return cursor

    def guarded(self, work):
        self._raw("SAVEPOINT mrt_guard")
        try:
            result = work()
        except BaseException:
            self._raw("ROLLBACK TO SAVEPOINT mrt_guard")
            raise
        self._raw("RELEASE SAVEPOINT mrt_guard")
        return result

    def sql(self, request):
        def run():
            cursor = self._raw(request["sql"])
            if cursor.description is None:
                return []
            return [[None if value is None else str(value) for value in row] for row in cursor.fetchall()]

        return self.guarded(run)

    def savepoint(self, request):
        self._raw(f"SAVEPOINT {request['name']}")

    def rollback_to(self, request):
        self._raw(f"ROLLBACK TO SAVEPOINT {request['name']}")

    def commit(self, request):
        self.connection.commit()
        self.connection.begin()

    def close(self):
        if self.connection is not None:
            try:
                self.connection.rollback()
                self.connection.close()
            finally:
                self.connection = None
                self.engine.dispose()


SESSION = Session()


def hello(request):
    versions = {"python": sys.version.split()[0]}
    missing = []
    for module in request.get("modules", []):
        try:
            imported = __import__(module)
            versions[module] = getattr(imported, "__version__", "?")
        except Exception as error:  # noqa: BLE001 - any import failure means "missing" here
            missing.append(f"{module} ({type(error).__name__}: {error})")
    url = request.get("url")
    if url:
        try:
            import sqlalchemy

            sqlalchemy.engine.make_url(usable_url(url)).get_dialect().import_dbapi()
        except Exception as error:  # noqa: BLE001
            missing.append(f"the database driver for {url.split(':', 1)[0]} ({error})")
    return {"ok": not missing, "versions": versions, "missing": missing}


def main():
    project = None
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            request = json.loads(line)
            op = request["op"]
            if op == "hello":
                answer(hello(request))
            elif op == "load":
                project = load_project(request)
                answer({"ok": True, "revisions": project.revisions()})
            elif op == "step":
                answer({"ok": True, "context": project.step(request)})
            elif op == "to":
                answer({"ok": True, "context": project.to_target(request)})
            elif op == "heads":
                answer({"ok": True, "heads": project.heads(request)})
            elif op == "probe":
                answer({"ok": True, "context": project.probe(request)})
            elif op == "open":
                SESSION.open(request)
                answer({"ok": True})
            elif op == "sql":
                answer({"ok": True, "rows": SESSION.sql(request)})
            elif op == "savepoint":
                SESSION.savepoint(request)
                answer({"ok": True})
            elif op == "rollback_to":
                SESSION.rollback_to(request)
                answer({"ok": True})
            elif op == "commit":
                SESSION.commit(request)
                answer({"ok": True})
            elif op == "close":
                SESSION.close()
                answer({"ok": True})
            elif op == "exit":
                answer({"ok": True})
                return
            else:
                answer({"ok": False, "error": {"type": "Protocol", "message": f"unknown op {op}", "traceback": ""}})
        except BaseException as error:  # noqa: BLE001 - a failed step is an answer, not a crash
            if isinstance(error, KeyboardInterrupt):
                raise
            answer(failure(error))


def load_project(request):
    if request.get("framework") == "django":
        return Django(request)
    return Alembic(request)


class Django:
    """One Django project: settings pointed at the scratch database before Django sets up, the
    migration loader built once, and the project state carried along the walk."""

    def __init__(self, request):
        root = os.path.abspath(request["root"])
        os.chdir(root)
        if root not in sys.path:
            sys.path.insert(0, root)
        os.environ["DJANGO_SETTINGS_MODULE"] = request["settings"]
        self.database = request["database"]
        # Settings that read the URL from the environment (dj-database-url) get the scratch one.
        for name in URL_VARIABLES:
            os.environ[name] = request.get("url") or ""

        import django
        from django.conf import settings

        # Touching a setting imports the settings module; then DATABASES is replaced before
        # anything connects, also when the module configured it eagerly.
        settings.DATABASES
        settings.DATABASES = {"default": self._settings(self.database)}
        django.setup()
        from django.db import connections

        # A ConnectionHandler that already read the old DATABASES forgets them.
        connections.__dict__.pop("settings", None)
        for alias in list(getattr(connections._connections, "__dict__", {})):
            try:
                delattr(connections._connections, alias)
            except AttributeError:
                pass
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        self.connection = connection
        self._prove_scratch(self.database)
        self.executor = MigrationExecutor(connection)
        self.loader = self.executor.loader
        targets = self.loader.graph.leaf_nodes()
        self.plan = [m for m, backwards in self.executor.migration_plan(targets, clean_start=True)]
        self.by_id = {f"{m.app_label}.{m.name}": m for m in self.plan}
        from django.db.migrations.state import ProjectState

        self.state = ProjectState(real_apps=self.loader.unmigrated_apps)
        self.connection.close()

    @staticmethod
    def _settings(database):
        if database["engine"] == "sqlite":
            return {"ENGINE": "django.db.backends.sqlite3", "NAME": database["name"]}
        options = {}
        if database.get("options"):
            options["options"] = database["options"]
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": database["name"],
            "USER": database.get("user") or "",
            "PASSWORD": database.get("password") or "",
            "HOST": database.get("host") or "",
            "PORT": str(database.get("port") or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 0,
        }

    def _use(self, database):
        """Points the default connection at another scratch database."""
        from django.db.migrations.recorder import MigrationRecorder

        self.connection.close()
        self.connection.settings_dict.update(self._settings(database))
        self._prove_scratch(database)
        # The recorder caches whether its table exists: a new one per database, and the table
        # made as `migrate` makes it.
        self.executor.recorder = MigrationRecorder(self.connection)
        self.executor.recorder.ensure_schema()

    def _prove_scratch(self, database):
        connection = self.connection
        if database["engine"] == "sqlite":
            actual = os.path.realpath(str(connection.settings_dict["NAME"]))
            expected = os.path.realpath(database["name"])
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_database()")
                actual = cursor.fetchone()[0]
            expected = database["name"]
        if actual != expected:
            raise RuntimeError(
                f"Django is connected to {actual!r}, not to mrt's scratch database {expected!r}"
            )

    def revisions(self):
        found = []
        in_plan = set(self.by_id)
        for migration in self.plan:
            module = sys.modules.get(migration.__module__)
            path = getattr(module, "__file__", "") or ""
            parents = [f"{a}.{n}" for a, n in migration.dependencies if f"{a}.{n}" in in_plan]
            for node in self.loader.graph.node_map[(migration.app_label, migration.name)].parents:
                key = f"{node.key[0]}.{node.key[1]}"
                if key in in_plan and key not in parents:
                    parents.append(key)
            found.append({
                "id": f"{migration.app_label}.{migration.name}",
                "parents": parents,
                "path": path,
                "local": bool(path) and os.path.realpath(path).startswith(os.getcwd() + os.sep)
                and "site-packages" not in path,
            })
        return found

    def step(self, request):
        """One migration, applied or unapplied, on the state the walk has reached."""
        revision, upgrade = request["revision"], request["upgrade"]
        database, advance = request["database"], request.get("advance", False)
        migration = self.by_id[revision]
        self._use(database)
        try:
            if upgrade:
                state = self.executor.apply_migration(self.state.clone(), migration)
                if advance:
                    self.state = state
            else:
                self.executor.unapply_migration(self.state.clone(), migration)
        finally:
            # An open session would keep the database from being copied.
            self.connection.close()
        recorded = [f"{a}.{n}" for a, n in (migration.replaces or [])] or [revision]
        return {
            "configured": True,
            "database": database["name"],
            "version_table": "django_migrations",
            "recorded": recorded,
        }

    def to_target(self, request):
        """`manage.py migrate` to `heads`, `base` (every app unapplied), `app.name` or `app.zero`."""
        from django.db.migrations.executor import MigrationExecutor

        target = request["target"]
        self._use(request["database"])
        try:
            executor = MigrationExecutor(self.connection)
            apps = sorted({m.app_label for m in self.plan})
            if target in ("heads", "head"):
                targets = executor.loader.graph.leaf_nodes()
            elif target in ("base", "zero"):
                targets = [(app, None) for app in apps]
            else:
                app, _, name = target.partition(".")
                targets = [(app, None if name in ("", "zero") else name)]
            executor.migrate(targets)
        finally:
            self.connection.close()
        return {"configured": True, "database": request["database"]["name"]}

    def heads(self, request):
        """The last applied migration of each app, in plan order."""
        from django.db.migrations.recorder import MigrationRecorder

        self._use(request["database"])
        try:
            applied = set(MigrationRecorder(self.connection).applied_migrations())
        finally:
            self.connection.close()
        last = {}
        for migration in self.plan:
            names = migration.replaces or [(migration.app_label, migration.name)]
            if all(tuple(name) in applied for name in names):
                last[migration.app_label] = f"{migration.app_label}.{migration.name}"
        return sorted(last.values())


if __name__ == "__main__":
    main()
