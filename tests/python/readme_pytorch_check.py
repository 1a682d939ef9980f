#!/usr/bin/python3
"""The README's PyTorch user: readme_pytorch_user.py (PyTorch 1.13) and
readme_datasparse_user.py (datasparse) differ only in their imports of DataNormSparsifier and
BaseDataScheduler, and print the very same lines.

Exit status: 0 same, 1 a difference, 77 torch is missing (both need it; CTest: skipped).
"""
import difflib
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ALLOWED = {
    ("from torch.ao.sparsity._experimental.data_sparsifier import DataNormSparsifier",
     "from datasparse import DataNormSparsifier"),
    ("from torch.ao.sparsity._experimental.data_scheduler import BaseDataScheduler",
     "from datasparse import BaseDataScheduler"),
}


def main():
    theirs_path = os.path.join(HERE, "readme_pytorch_user.py")
    ours_path = os.path.join(HERE, "readme_datasparse_user.py")
    with open(theirs_path, encoding="utf-8") as f:
        theirs = f.read().splitlines()
    with open(ours_path, encoding="utf-8") as f:
        ours = f.read().splitlines()
    if len(theirs) != len(ours):
        print("the two examples have %d and %d lines" % (len(theirs), len(ours)))
        return 1
    for a, b in zip(theirs, ours):
        if a != b and (a, b) not in ALLOWED:
            print("the examples differ beyond the import:\n  %s\n  %s" % (a, b))
            return 1
    try:
        import torch  # noqa: F401
    except Exception as exc:
        print("skipped: torch is not installed (%s: %s); both examples need it" % (type(exc).__name__, exc))
        return 77
    outputs = []
    for path in (theirs_path, ours_path):
        run = subprocess.run([sys.executable, "-W", "ignore", path], capture_output=True, text=True)
        if run.returncode != 0:
            print("%s failed (exit %d):\n%s" % (os.path.basename(path), run.returncode, run.stderr))
            return 1
        outputs.append(run.stdout)
    sys.stdout.write(outputs[1])
    if outputs[0] != outputs[1]:
        print("".join(difflib.unified_diff(outputs[0].splitlines(True), outputs[1].splitlines(True),
                                           "PyTorch", "datasparse")))
        return 1
    print("PyTorch 1.13 prints the same %d lines" % len(outputs[0].splitlines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
