#!/usr/bin/env python3
"""Checks the layering of the README's "Architecture" section against every
#include / %include / %import of the tree (and the bindings' CMake files):

  src/kernels   the standard library, xsimd and src/kernels only
  src/core      the above and src/core; never the public C header
  src/capi      the public C header, src/capi and src/core (not src/kernels)
  src/tools     programs on the C ABI: the public C header, files of their
                own folder (src/tools/datasparse: the command) and
                third-party headers (CLI11, nlohmann-json, libzip, zstd, <mpi.h>)
  src/mpi       a library on the C ABI (datasparse_mpi): the public headers
                (datasparse.h, datasparse_mpi.h) and <mpi.h>
  bindings      the public C header and the binding's own layer (files
                under bindings/); no src/ path, in code or in CMake
  tests/c, tests/examples, tests/fuzz, tests/mpi   the public headers only
                (they test the C API; files of their own folder may be
                included; tests/mpi and tests/examples also datasparse_mpi.h and
                <mpi.h>; tests/fuzz also the headers of the command's file layer
                (src/tools/datasparse, fuzz_file_parsers), by bare name)

Usage: check_layers.py REPO_ROOT. Prints each violation and exits 1 if any.
"""
import re
import sys
from pathlib import Path

INCLUDE = re.compile(r'^\s*(?:#\s*include|%include|%import)\s*([<"])([^>"]+)[>"]', re.M)
SOURCES = {".c", ".h", ".cpp", ".hpp", ".i"}
PUBLIC = "datasparse/datasparse.h"
PUBLIC_MPI = "datasparse/datasparse_mpi.h"
# Headers from outside the project that a layer may use (angle brackets).
STD = re.compile(r"^[a-z_0-9]+(\.h)?$|^sys/|^xsimd/")
SWIG_LIB = re.compile(r"^[a-z_0-9]+\.(i|swg)$")   # SWIG's own library (<stdint.i>, <enums.swg>, ...)


# The README's MPI example (tests/examples) may use the MPI header too.
MPI_EXAMPLE = "tests/examples/scale_out.c"


def quoted_ok(layer: str, target: str, source: Path, root: Path) -> bool:
    if ".." in Path(target).parts:
        return False
    if layer == "kernels":
        return target.startswith("kernels/")
    if layer == "core":
        return target.startswith(("core/", "kernels/"))
    if layer == "capi":
        return target.startswith(("capi/", "core/"))
    if layer == "bindings":
        # resolved against the binding's include directories: bindings/ and bindings/swig/
        return any((root / "bindings" / d / target).is_file() for d in ("", "swig")) or \
            (source.parent / target).is_file()
    if layer == "mpi":
        return (source.parent / target).is_file() and not target.startswith(("core/", "capi/", "kernels/"))
    if layer in ("tests", "tools"):
        if target.startswith(("core/", "capi/", "kernels/")) or "/" in target and layer == "tests":
            return False
        if (source.parent / target).is_file():
            return True
        # the fuzz target of the command's parsers: the file layer's headers only
        return source.parent == root / "tests" / "fuzz" and target.endswith(".hpp") and \
            (root / "src" / "tools" / "datasparse" / target).is_file()
    return False


def angle_ok(layer: str, target: str, mpi_test: bool = False) -> bool:
    if target == PUBLIC:
        return layer in ("capi", "tools", "bindings", "tests", "mpi")
    if target == "mpi.h" and layer == "tools":
        return True  # the command under mpirun (src/tools/datasparse/world.cpp)
    if target == PUBLIC_MPI or target == "mpi.h":
        return layer == "mpi" or (layer == "tests" and mpi_test)
    if target.startswith("datasparse/"):
        return False
    if layer == "bindings" and SWIG_LIB.match(target):
        return True
    if target.startswith("xsimd/"):
        return layer in ("kernels", "core")
    return bool(STD.match(target)) or layer in ("tests", "tools")  # criterion, doctest, CLI11, ...


def layer_of(rel: Path) -> str:
    parts = rel.parts
    if parts[0] == "src" and len(parts) > 1 and parts[1] in ("kernels", "core", "capi", "tools", "mpi"):
        return parts[1]
    if parts[0] == "bindings":
        return "bindings"
    if parts[0] == "tests" and len(parts) > 1 and parts[1] in ("c", "examples", "fuzz", "mpi"):
        return "tests"
    return ""


def main() -> int:
    root = Path(sys.argv[1]).resolve()
    problems = []
    checked = 0
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or rel.parts[0] in ("build", ".git") or rel.parts[0].startswith("build"):
            continue
        layer = layer_of(rel)
        if not layer:
            continue
        if path.suffix in SOURCES:
            text = path.read_text(encoding="utf-8", errors="replace")
            for m in INCLUDE.finditer(text):
                kind, target = m.group(1), m.group(2)
                checked += 1
                ok = quoted_ok(layer, target, path, root) if kind == '"' else angle_ok(
                    layer, target, mpi_test=rel.parts[:2] == ("tests", "mpi") or rel.as_posix() == MPI_EXAMPLE)
                if not ok:
                    line = text.count("\n", 0, m.start()) + 1
                    close = ">" if kind == "<" else '"'
                    problems.append(f"{rel}:{line}: the {layer} layer may not include {kind}{target}{close}")
        elif layer == "bindings" and path.name == "CMakeLists.txt":
            text = path.read_text(encoding="utf-8")
            for n, line in enumerate(text.splitlines(), 1):
                if re.search(r"PROJECT_SOURCE_DIR\}/src|CMAKE_SOURCE_DIR\}/src|\.\./src", line):
                    problems.append(f"{rel}:{n}: a binding's build may not reach into src/")
    for p in problems:
        print("FAIL", p)
    print(f"layers: {checked} includes checked, {len(problems)} violations")
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
