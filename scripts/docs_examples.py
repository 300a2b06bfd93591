"""How many rules report their own documentation example, copied as a user would copy it.

usage: python scripts/docs_examples.py MRT_BINARY [MRT_BINARY...]

Each `### Example` block of docs/rules.md that defines `upgrade()` (Alembic) becomes a revision file
of its own, with only `revision` and `down_revision` added: no import lines, and `def downgrade():
pass` when the example shows none, as documentation snippets are written. A rule counts when
`mrt check --select ALL` reports its code on its example. Rules that need earlier revisions
(MRT801) or a release boundary (MRT7xx) cannot report on one file; they are listed as missed.
"""

import json
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent


def examples():
    docs = (ROOT / "docs/rules.md").read_text(encoding="utf-8")
    sections = re.split(r"^## (MRT\d+)\s*$", docs, flags=re.M)
    for code, body in zip(sections[1::2], sections[2::2]):
        found = re.search(r"### Example\s*\n```python\n(.*?)```", body, re.S)
        if not found:
            continue
        source = found.group(1)
        if "def upgrade" not in source or "revision =" in source:
            continue
        if "def downgrade" not in source:
            source += "\n\ndef downgrade():\n    pass\n"
        yield code, 'revision = "a1"\ndown_revision = None\n\n' + source


def reported(binary, directory):
    result = subprocess.run(
        [binary, "check", "--exit-zero", "--select", "ALL", "--output-format", "json", str(directory)],
        capture_output=True,
        text=True,
        check=True,
    )
    return {finding["code"] for finding in json.loads(result.stdout)["findings"]}


def main():
    binaries = sys.argv[1:]
    if not binaries:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as scratch:
        cases = []
        for code, source in examples():
            directory = pathlib.Path(scratch) / code
            directory.mkdir()
            (directory / "a1.py").write_text(source, encoding="utf-8")
            cases.append((code, directory))
        for binary in binaries:
            hits = [code for code, directory in cases if code in reported(binary, directory)]
            missed = sorted({code for code, _ in cases} - set(hits))
            print(f"{binary}: {len(hits)} of {len(cases)} examples report their rule; missed: {' '.join(missed)}")


if __name__ == "__main__":
    main()
