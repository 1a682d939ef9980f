#!/usr/bin/env python3
"""The shared library exports exactly the functions the public header
declares with DS_API: nothing missing (a declared function the linker would
not find) and nothing extra (internals leaking past the version script).

Usage: check_exports.py HEADER LIBRARY
"""
import re
import subprocess
import sys


def main() -> int:
    header, library = sys.argv[1], sys.argv[2]
    text = open(header, encoding="utf-8").read()
    declared = set(re.findall(r"^DS_API\b[^;(]*?\b(ds_\w+)\s*\(", text, re.M | re.S))
    nm = subprocess.run(["nm", "-D", "--defined-only", library], capture_output=True, text=True, check=True)
    exported = {line.split()[-1] for line in nm.stdout.splitlines() if line.split()[1:2] in (["T"], ["W"], ["D"], ["B"])}
    missing, extra = sorted(declared - exported), sorted(exported - declared)
    for name in missing:
        print("FAIL declared but not exported:", name)
    for name in extra:
        print("FAIL exported but not declared:", name)
    ok = len(declared) > 0 and not missing and not extra
    print(f"exports: {len(declared & exported)} passed, {len(missing) + len(extra) + (0 if declared else 1)} failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
