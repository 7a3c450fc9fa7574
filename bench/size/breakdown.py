#!/usr/bin/env python3
"""Where the bytes of a stripped libchosa.so go (bench/size/run.sh; BENCHMARKS.md "Size of libchosa.so").

    breakdown.py --so UNSTRIPPED.so --stripped STRIPPED.so --readelf READELF --nm NM
                 --part "engine=path/libchosa_engine.a" ... [--top 15] [--json OUT]

Every byte of the stripped file is counted once:

* Named code and data: each symbol of the unstripped library's .symtab (functions, variables,
  vtables; the stripped file has the same sections at the same sizes, only without .symtab) is
  given to a part:
  - by its mangled name's outermost scope when that is a library's namespace: std:: and
    __gnu_cxx:: (the C++ standard library's templates and inline functions, instantiated in
    chosa's objects), nlohmann::, simdjson::, re2::; typeinfo objects and names (_ZTI/_ZTS) are
    "RTTI";
  - otherwise (chosa::, anonymous namespaces, static functions, the C API's extern "C" names) by
    the object that defines the same name in the static libraries libchosa.so is made of (nm of
    each --part archive or object file); a name defined in several (inline functions) goes to the
    first --part given; a lambda or static local that only the linked library has on its own goes
    to its enclosing function's part. Suffixes the optimiser adds (.constprop.0, .isra.0, .part.0, .cold,
    .lto_priv.0) are dropped before the look-up, so a build with link-time optimisation is
    attributed with the archives of a build without it (same sources) when --part points there.
  Code inlined into a function counts for the function's part: the standard library's or
  nlohmann's code inlined into the engine is the engine's.
* Unnamed bytes, by section: exception and unwinding tables (.eh_frame, .eh_frame_hdr,
  .gcc_except_table); string literals and other unnamed constants (what .rodata holds beyond its
  named symbols); dynamic linking (.dynsym, .dynstr, .gnu.hash, versions, relocations, PLT, GOT,
  .dynamic); and the rest (alignment between functions, ELF headers, section padding).
"""
import argparse
import collections
import os
import json
import re
import subprocess
import sys

DYNAMIC_SECTIONS = {".dynsym", ".dynstr", ".gnu.hash", ".hash", ".gnu.version", ".gnu.version_r",
                    ".gnu.version_d", ".rela.dyn", ".rela.plt", ".relr.dyn", ".plt", ".plt.got",
                    ".plt.sec", ".got", ".got.plt", ".dynamic", ".note.gnu.build-id",
                    ".note.gnu.property", ".init", ".fini", ".init_array", ".fini_array"}
UNWIND_SECTIONS = {".eh_frame", ".eh_frame_hdr", ".gcc_except_table"}
# Sections that take no room in the file.
NOBITS = {".bss", ".tbss"}

LIBRARY_SCOPES = [
    # (prefix of the mangled scope, part)
    ("St", "C++ standard library (templates, inline)"),
    ("Sa", "C++ standard library (templates, inline)"),
    ("Sb", "C++ standard library (templates, inline)"),
    ("Ss", "C++ standard library (templates, inline)"),
    ("Si", "C++ standard library (templates, inline)"),
    ("So", "C++ standard library (templates, inline)"),
    ("Sd", "C++ standard library (templates, inline)"),
    ("9__gnu_cxx", "C++ standard library (templates, inline)"),
    ("10__cxxabiv1", "C++ standard library (templates, inline)"),
    ("8nlohmann", "nlohmann/json (templates)"),
    ("8simdjson", "simdjson (inline parts)"),
    ("3re2", "re2 (inline parts)"),
]
RTTI = "RTTI (typeinfo objects and names)"
UNNAMED_RODATA = "string literals, switch tables, other unnamed constants (.rodata)"
OTHER_NAMED = "other named symbols (start-up code; chosa functions found in no object: outlined by LTO)"


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def sections(readelf, path):
    """name -> (index, type, size) from readelf -SW."""
    out = {}
    for line in run(readelf, "-SW", path).splitlines():
        m = re.match(r"\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)", line)
        if m and m.group(2) != "NULL":
            out[m.group(2)] = (int(m.group(1)), m.group(3), int(m.group(4), 16))
    return out


def symbols(readelf, path):
    """[(address, size, section index, name)] of .symtab, aliases (same address) counted once."""
    seen = {}
    in_symtab = False
    for line in run(readelf, "-sW", path).splitlines():
        if line.startswith("Symbol table"):
            in_symtab = "'.symtab'" in line
            continue
        if not in_symtab:
            continue
        parts = line.split()
        if len(parts) < 8 or not parts[0].endswith(":"):
            continue
        value, size, typ, ndx, name = parts[1], parts[2], parts[3], parts[6], parts[7]
        if typ not in ("FUNC", "OBJECT", "TLS") or not ndx.isdigit():
            continue
        size = int(size, 0) if size.startswith("0x") else int(size)
        if size == 0:
            continue
        name = name.split("@")[0]
        key = (int(value, 16), int(ndx))
        if key not in seen or seen[key][1] < size:
            seen[key] = (key[0], size, key[1], name)
    return list(seen.values())


def base_name(name):
    # Mangled names hold no '.': what follows one is the optimiser's (.constprop.0, .lto_priv.0, .cold).
    return name.split(".")[0]


def scope_part(mangled):
    """The part given by the outermost scope of a mangled name, or None."""
    n = mangled
    if n.startswith(("_ZTI", "_ZTS")):
        return RTTI
    for special in ("_ZTV", "_ZTT", "_ZTC", "_ZGV", "_ZTH", "_ZTW"):  # vtables, guards: the owner's part
        if n.startswith(special):
            n = "_Z" + n[len(special):]
            if not n.startswith("_ZN") and not n.startswith("_ZS"):
                n = "_ZN" + n[2:]
            break
    if not n.startswith("_Z"):
        return None
    rest = n[2:]
    while rest.startswith("Z"):  # local entity: the enclosing function's scope
        rest = rest[1:]
    if rest.startswith("L"):
        rest = rest[1:]
    if rest.startswith("N"):
        rest = rest[1:]
        while rest[:1] in ("r", "V", "K", "R", "O"):
            rest = rest[1:]
    for prefix, part in LIBRARY_SCOPES:
        if rest.startswith(prefix):
            return part
    if re.match(r"(nw|na|dl|da)[a-zA-Z]", rest):  # operator new/delete
        return LIBRARY_SCOPES[0][1]
    return None


def definitions(nm, parts):
    """name -> part, from nm of each part's archives or objects (first part wins)."""
    owner = {}
    for part, paths in parts:
        for path in paths:
            try:
                out = run(nm, "--defined-only", path)
            except subprocess.CalledProcessError:
                continue
            for line in out.splitlines():
                fields = line.split()
                if len(fields) == 3 and fields[1] in "TtWwRrDdBbVvu":
                    owner.setdefault(base_name(fields[2]), part)
    return owner


def enclosing_owner(mangled, owner):
    """The part of the function a local entity (a lambda, a static local) belongs to: its
    enclosing function, when the optimiser outlined the entity that was inlined in the objects."""
    if not mangled.startswith("_ZZ"):
        return None
    rest = mangled[3:]
    m = re.match(r"(\d+)", rest)
    if m:  # an extern "C" function: _ZZ17chosa_sync_enrollE...
        length = int(m.group(1))
        return owner.get(rest[len(m.group(1)):len(m.group(1)) + length])
    candidate = "_Z" + rest
    for cut in range(len(candidate), 4, -1):
        if candidate[:cut] in owner:
            return owner[candidate[:cut]]
    return None


# chosa's namespaces that belong to one part each (the --part whose name starts with the word).
NAMESPACE_PARTS = [("_ZN5chosa4capi", "C API"), ("_ZN5chosa4sync", "sync client"),
                   ("_ZN5chosa8protocol", "sync protocol")]


def namespace_part(mangled, parts):
    for prefix, word in NAMESPACE_PARTS:
        if mangled.startswith(prefix) or mangled.startswith(prefix.replace("_ZN", "_ZNK")):
            for name, _ in parts:
                if name.startswith(word):
                    return name
    return None


def demangle(names):
    if not names:
        return []
    out = subprocess.run(["c++filt"], input="\n".join(names), capture_output=True, text=True).stdout
    return out.splitlines()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--so", required=True)
    ap.add_argument("--stripped", required=True)
    ap.add_argument("--readelf", default="readelf")
    ap.add_argument("--nm", default="nm")
    ap.add_argument("--part", action="append", default=[], help="NAME=PATH[,PATH...]")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--json")
    args = ap.parse_args()

    parts = []
    for spec in args.part:
        name, paths = spec.split("=", 1)
        parts.append((name, [p for p in paths.split(",") if p]))
    owner = definitions(args.nm, parts)

    file_size = os.path.getsize(args.stripped)
    stripped_sections = sections(args.readelf, args.stripped)
    full_sections = sections(args.readelf, args.so)
    by_index = {idx: name for name, (idx, _, _) in full_sections.items()}

    sizes = collections.Counter()
    named_in_section = collections.Counter()
    per_symbol = []
    for _, size, ndx, name in symbols(args.readelf, args.so):
        sec = by_index.get(ndx, "?")
        if sec in NOBITS or sec not in stripped_sections:
            continue
        part = (scope_part(base_name(name)) or owner.get(base_name(name))
                or enclosing_owner(base_name(name), owner) or namespace_part(base_name(name), parts)
                or OTHER_NAMED)
        if part == OTHER_NAMED and name.startswith("CSWTCH."):  # a switch's lookup table: unnamed
            continue
        sizes[part] += size
        named_in_section[sec] += size
        per_symbol.append((size, part, name, sec))

    unnamed = collections.Counter()
    counted = 0
    for sec, (_, typ, size) in stripped_sections.items():
        if typ == "NOBITS" or sec in NOBITS:
            continue
        counted += size
        rest = size - named_in_section.get(sec, 0)
        if sec in UNWIND_SECTIONS:
            unnamed["exception and unwind tables (.eh_frame, .eh_frame_hdr, .gcc_except_table)"] += size
        elif sec in DYNAMIC_SECTIONS:
            unnamed["dynamic linking (exports, imports, relocations, PLT/GOT)"] += rest
        elif sec.startswith(".rodata"):
            unnamed[UNNAMED_RODATA] += rest
        elif sec == ".text":
            unnamed["alignment between functions (.text)"] += rest
        else:
            unnamed["other sections' unnamed bytes (%s)" % sec] += rest
    unnamed["ELF headers and padding between sections"] += file_size - counted

    rows = [(p, sizes[p]) for p, _ in parts]
    rows += [(p, s) for p, s in sorted(sizes.items(), key=lambda kv: -kv[1]) if p not in dict(parts)]
    rows += sorted(unnamed.items(), key=lambda kv: -kv[1])
    rows = [(p, s) for p, s in rows if s != 0]
    total = sum(s for _, s in rows)
    assert total == file_size, (total, file_size)

    print("| part | bytes | KiB | share |")
    print("|---|---:|---:|---:|")
    for p, s in rows:
        print("| %s | %d | %.1f | %.1f%% |" % (p, s, s / 1024, 100.0 * s / file_size))
    print("| **total (stripped file)** | **%d** | **%.1f** | 100%% |" % (file_size, file_size / 1024))

    # Details the notes draw on: some families of names within the parts.
    families = collections.OrderedDict([
        ("nlohmann::ordered_json (ordered_map) instantiations", lambda d, p: p.startswith("nlohmann") and "ordered_map" in d),
        ("nlohmann::json (std::map) instantiations", lambda d, p: p.startswith("nlohmann") and "ordered_map" not in d),
        ("iostreams (std::*stream*)", lambda d, p: "stream" in d and p.startswith("C++")),
        ("std::regex", lambda d, p: "regex" in d or "__detail::_Compiler" in d or "_Executor" in d),
        ("std::function machinery", lambda d, p: "std::_Function" in d or "std::function" in d[:40]),
        ("std::filesystem", lambda d, p: "filesystem" in d and p.startswith("C++")),
    ])
    names = [n for _, _, n, _ in per_symbol]
    dem = dict(zip(names, demangle([base_name(n) for n in names])))
    fam = collections.Counter()
    for size, part, name, _ in per_symbol:
        d = dem.get(name, name)
        for label, test in families.items():
            if test(d, part):
                fam[label] += size
    print()
    print("| within the parts above | bytes | KiB |")
    print("|---|---:|---:|")
    for label in families:
        print("| %s | %d | %.1f |" % (label, fam[label], fam[label] / 1024))

    if args.top:
        print()
        print("| largest symbols | part | bytes |")
        print("|---|---|---:|")
        for size, part, name, _ in sorted(per_symbol, reverse=True)[:args.top]:
            d = dem.get(name, name)
            if len(d) > 110:
                d = d[:107] + "..."
            print("| `%s` | %s | %d |" % (d.replace("|", "\\|"), part, size))

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"file_size": file_size, "rows": rows, "families": fam,
                       "symbols": sorted(per_symbol, reverse=True)}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
