"""Unit tests of the Python layer: JSON parsing, result objects, configuration to flags.

They run the package against a stand-in binary (`MRT_BINARY`, which users may set too) that prints
canned JSON and records its arguments. That checks only this layer's reading and command lines; the
real binary is exercised end to end by scripts/check-wheel.sh.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

FAKE = '''#!{python}
import json, os, sys
log = os.environ["FAKE_MRT_LOG"]
with open(log, "a") as file:
    file.write(json.dumps(sys.argv[1:]) + "\\n")
replies = json.load(open(os.environ["FAKE_MRT_REPLIES"]))
words = [word for word in sys.argv[1:] if not word.startswith("-")]
for key in (" ".join(words[:2]), words[0] if words else ""):
    if key in replies:
        reply = replies[key]
        sys.stdout.write(reply.get("stdout", ""))
        sys.stderr.write(reply.get("stderr", ""))
        sys.exit(reply.get("code", 0))
sys.stderr.write("fake mrt: no reply for " + " ".join(sys.argv[1:]))
sys.exit(2)
'''


class FakeMrt:
    """A stand-in `mrt`: `reply(command, ...)` says what it prints; `calls` is what it was given."""

    def __init__(self, directory: Path) -> None:
        self.binary = directory / "fake-mrt"
        self.binary.write_text(FAKE.format(python=sys.executable))
        self.binary.chmod(self.binary.stat().st_mode | stat.S_IXUSR)
        self.log = directory / "calls.jsonl"
        self.replies_path = directory / "replies.json"
        self.replies: dict[str, dict] = {}
        self._save()

    def _save(self) -> None:
        self.replies_path.write_text(json.dumps(self.replies))

    def reply(self, command: str, stdout: object = "", code: int = 0, stderr: str = "") -> None:
        text = stdout if isinstance(stdout, str) else json.dumps(stdout)
        self.replies[command] = {"stdout": text, "code": code, "stderr": stderr}
        self._save()

    @property
    def calls(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def env(self) -> dict[str, str]:
        return {
            "MRT_BINARY": str(self.binary),
            "FAKE_MRT_LOG": str(self.log),
            "FAKE_MRT_REPLIES": str(self.replies_path),
        }


@pytest.fixture
def fake_mrt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeMrt:
    fake = FakeMrt(tmp_path)
    for key, value in fake.env().items():
        monkeypatch.setenv(key, value)
    return fake


VERIFY_REPORT = {
    "revisions": [
        {"revision": "0001", "path": "versions/0001_create.py", "status": "passed", "reason": None,
         "failures": [], "duration_ms": 12},
        {"revision": "0002", "path": "versions/0002_drop_fax.py", "status": "failed", "reason": None,
         "failures": [{"kind": "data", "object": "users.fax", "message": "3 rows lost their value",
                       "codes": ["MRT201"]}],
         "duration_ms": 30},
        {"revision": "0003", "path": "versions/0003_index.py", "status": "skipped",
         "reason": "reviewed by A. Ng", "failures": [], "duration_ms": 0},
    ],
    "summary": {"revisions": 3, "passed": 1, "failed": 1, "skipped": 1, "duration_ms": 42},
    "database": {"backend": "postgresql", "embedded": True, "url": "postgresql://x@/db"},
    "seed": 7,
}

CHECK_REPORT = {
    "version": 1,
    "findings": [
        {"code": "MRT201", "name": "drop-column", "severity": "error",
         "message": "Dropping column `users.fax` deletes its data", "help": None,
         "path": "versions/0002_drop_fax.py", "revision": "0002", "line": 9, "column": 29},
        {"code": "MRT405", "name": "add-column-default", "severity": "warning",
         "message": "a warning", "help": None, "path": "versions/0001_create.py",
         "revision": "0001", "line": 3, "column": 1},
    ],
    "errors": [],
    "skipped": [],
    "summary": {"files": 2, "errors": 1, "warnings": 1},
}


@pytest.fixture
def verify_report() -> dict:
    return json.loads(json.dumps(VERIFY_REPORT))


@pytest.fixture
def check_report() -> dict:
    return json.loads(json.dumps(CHECK_REPORT))
