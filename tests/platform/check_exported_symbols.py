#!/usr/bin/env python3
"""libchosa.so exports exactly the C API: compares three lists and names every difference.

  1. the functions declared CHOSA_EXPORT in platform/include/chosa/chosa.h,
  2. the names under `global:` in the version script platform/chosa.map,
  3. the defined dynamic symbols of the built library (`nm -D --defined-only`), each of which
     must carry the map's version node (`chosa_free@@CHOSA_0`); the node's own symbol is ignored.

Anything else the library defines (a C++ symbol that leaked, a helper left global) is a failure.

usage: check_exported_symbols.py CHOSA_H CHOSA_MAP LIBCHOSA_SO [NM]
"""
import re
import subprocess
import sys


def strip_c_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)


def header_functions(path):
    """The names declared `CHOSA_EXPORT <type> name(` (declarations may span lines)."""
    with open(path, encoding="utf-8") as f:
        text = strip_c_comments(f.read())
    # The macro's own definitions (`#define CHOSA_EXPORT ...`) are not declarations.
    text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)
    names = re.findall(r"\bCHOSA_EXPORT\b[^;(]*?\b([A-Za-z_]\w*)\s*\(", text)
    return names


def map_names(path):
    """The version node's name and the names under its `global:` (to `local:` or the end)."""
    with open(path, encoding="utf-8") as f:
        text = strip_c_comments(f.read())
    node = re.search(r"^\s*([A-Za-z_]\w*)\s*\{", text, flags=re.M)
    if node is None:
        sys.exit(f"{path}: no version node (NAME {{ global: ... }})")
    glob = re.search(r"\bglobal\s*:(.*?)(?:\blocal\s*:|\}\s*;)", text, flags=re.S)
    if glob is None:
        sys.exit(f"{path}: no `global:` section")
    names = [n.strip() for n in glob.group(1).split(";") if n.strip()]
    return node.group(1), names


def library_symbols(path, nm):
    """(name, version, type) of each defined dynamic symbol."""
    out = subprocess.run([nm, "-D", "--defined-only", path], check=True, capture_output=True, text=True).stdout
    symbols = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        kind, full = parts[-2], parts[-1]
        name, _, version = full.partition("@")
        symbols.append((name, version.lstrip("@"), kind))
    return symbols


def duplicates(names):
    seen, twice = set(), []
    for n in names:
        if n in seen and n not in twice:
            twice.append(n)
        seen.add(n)
    return twice


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    header, version_script, library = sys.argv[1:4]
    nm = sys.argv[4] if len(sys.argv) == 5 else "nm"

    declared = header_functions(header)
    node, mapped = map_names(version_script)
    symbols = library_symbols(library, nm)
    # The version node itself is an absolute symbol named after the node (`A CHOSA_0`).
    exported = [name for name, version, kind in symbols if not (name == node and kind == "A")]

    problems = []
    for n in duplicates(declared):
        problems.append(f"{header}: {n} is declared CHOSA_EXPORT twice")
    for n in duplicates(mapped):
        problems.append(f"{version_script}: {n} is listed twice")
    for n in mapped:
        if "*" in n or "?" in n or "[" in n:
            problems.append(f"{version_script}: the pattern {n} under global: may export anything: list names")
    d, m, e = set(declared), set(mapped), set(exported)
    for n in sorted(d - m):
        problems.append(f"{n}: declared CHOSA_EXPORT in {header} but missing from {version_script}")
    for n in sorted(m - d):
        problems.append(f"{n}: listed in {version_script} but not declared CHOSA_EXPORT in {header}")
    for n in sorted(m - e):
        problems.append(f"{n}: listed in {version_script} but not defined by {library}")
    for n in sorted(e - m):
        problems.append(f"{n}: exported by {library} but not in {version_script} (a leak)")
    for name, version, kind in symbols:
        if name in m and version != node:
            problems.append(f"{name}: exported by {library} at version '{version}', not {node}")
    for n in sorted(d):
        if not n.startswith("chosa_"):
            problems.append(f"{n}: a C API name must start with chosa_")

    for p in problems:
        print(p)
    print(f"{len(declared)} declared, {len(mapped)} in the map, {len(exported)} exported; "
          f"{len(problems)} problem{'s' if len(problems) != 1 else ''}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
