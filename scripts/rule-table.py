#!/usr/bin/env python3
"""Rewrites the rule table in README.md from rules/*.yaml (code, name,
severity, summary: one-line scalars in every rule file). Run it after adding
or changing a rule; tests/rules.rs checks that the table lists every rule."""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = "| code | name | severity | summary |\n| --- | --- | --- | --- |\n"


def field(text: str, name: str) -> str:
    m = re.search(r"^%s:\s*(.*)$" % name, text, re.M)
    if not m:
        sys.exit("rule-table.py: no `%s:` line" % name)
    return m.group(1).strip().strip("'\"")


def main() -> int:
    rows = []
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        text = path.read_text()
        rows.append("| %s | %s | %s | %s |\n" % tuple(
            field(text, f) for f in ("code", "name", "severity", "summary")))
    readme = ROOT / "README.md"
    text = readme.read_text()
    start = text.index(HEADER) + len(HEADER)
    end = text.index("\n\n", start) + 1
    readme.write_text(text[:start] + "".join(rows) + text[end:])
    print("README.md: %d rules" % len(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
