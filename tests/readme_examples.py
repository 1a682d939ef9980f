#!/usr/bin/env python3
"""Checks that every example embedded in README.md is, byte for byte, a file
of the repository that a test compiles and runs (so the README cannot rot).

An embedded example is a fenced code block right after a marker line
    <!-- example: tests/examples/seed_flow.c -->
It also checks the README's registry tables (blocks between
    <!-- registry: NAME --> and <!-- /registry -->)
against what the program given with --registry prints (tests/tools/registry_tables.c).

Usage: readme_examples.py [--registry PROGRAM] REPO_ROOT [REQUIRED_PATH ...]
Every REQUIRED_PATH must be embedded; exits non-zero on any difference.
       readme_examples.py --update [--registry PROGRAM] REPO_ROOT
rewrites README.md's copies from the files and the program (for the
developer, never a test).
"""
import subprocess
import re
import sys
from pathlib import Path

MARKER = re.compile(r"^<!-- example: (\S+) -->\n```[A-Za-z#+]*\n(.*?)^```$", re.M | re.S)
REGISTRY = re.compile(r"^<!-- registry: (\S+) -->\n.*?^<!-- /registry -->\n", re.M | re.S)


def registry_blocks(program):
    if not program:
        return {}
    out = subprocess.run([program], check=True, capture_output=True, text=True).stdout
    return {m.group(1): m.group(0) for m in REGISTRY.finditer(out)}


def take_option(name):
    if name in sys.argv:
        i = sys.argv.index(name)
        value = sys.argv[i + 1]
        del sys.argv[i:i + 2]
        return value
    return None


def update(root: Path, program) -> int:
    readme_path = root / "README.md"
    readme = readme_path.read_text(encoding="utf-8")
    blocks = registry_blocks(program)
    readme = REGISTRY.sub(lambda m: blocks.get(m.group(1), m.group(0)), readme)

    def fresh(match: re.Match) -> str:
        text = match.group(0)
        body = (root / match.group(1)).read_text(encoding="utf-8")
        return text[: match.start(2) - match.start(0)] + body + "```"

    readme_path.write_text(MARKER.sub(fresh, readme), encoding="utf-8")
    return 0


def main() -> int:
    program = take_option("--registry")
    if sys.argv[1] == "--update":
        return update(Path(sys.argv[2]), program)
    root = Path(sys.argv[1])
    required = set(sys.argv[2:])
    readme = (root / "README.md").read_text(encoding="utf-8")
    passed, failures, checked = 0, [], set()
    for match in MARKER.finditer(readme):
        path, block = match.group(1), match.group(2)
        checked.add(path)
        source = root / path
        if not source.is_file():
            failures.append(f"{path}: embedded in README.md but no such file")
        elif source.read_text(encoding="utf-8") != block:
            failures.append(f"{path}: README.md's copy differs from the file")
        else:
            passed += 1
    for path in sorted(required - checked):
        failures.append(f"{path}: not embedded in README.md")
    in_readme = {m.group(1): m.group(0) for m in REGISTRY.finditer(readme)}
    for name, block in registry_blocks(program).items():
        if name not in in_readme:
            failures.append(f"registry table '{name}': not in README.md")
        elif in_readme[name] != block:
            failures.append(f"registry table '{name}': README.md's copy differs from the registry")
        else:
            passed += 1
    for f in failures:
        print("FAIL", f)
    print(f"readme: {passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
