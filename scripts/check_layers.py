#!/usr/bin/env python3
"""Checks the module graph (docs/architecture.md) against the code and the build.

    scripts/check_layers.py [ROOT]

Every module owns directories and CMake targets and may use the modules listed as its
dependencies (and theirs, transitively). The check fails, naming file and line, on:
  - an #include "..." in a module's files that resolves to a header of a module it may not use,
    or into another module's src/ (a module's src/ is its own; others see only its include/);
  - an #include "..." that resolves nowhere the module may look (a header it cannot see);
  - a target_include_directories of a module's target naming a directory of a module it may not
    use, or another module's src/;
  - a target_link_libraries of a module's target naming a chosa library of a module it may not use;
  - a source directory or a chosa_* target that belongs to no module (the graph must be complete).
Tests and benchmarks may use every module's include/; tests may reach into the src/ of the
modules they test (TESTS_MAY_REACH below). Exit status 0 when the build keeps the graph, else 1.
"""
import os
import re
import sys

# name: (directories it owns, its CMake targets, the modules it may use directly)
MODULES = {
    "base": (["engine/base"], ["chosa_base"], []),
    "sqlite": (["engine/sqlite"], ["chosa_sqlite"], ["base"]),
    "engine": (["engine/include", "engine/src"], ["chosa_engine"], ["base"]),
    "store": (["engine/store"], ["chosa_store"], ["engine", "sqlite"]),
    "analysis": (["analysis"], ["chosa_analysis"], ["engine", "sqlite"]),
    "protocol": (["sync/protocol"], ["chosa_protocol"], ["base"]),
    "sync_client": (["sync/client"], ["chosa_sync_client"], ["protocol", "store"]),
    "collector": (["sync/collector"], ["chosa_collector"], ["engine", "protocol", "analysis", "sqlite"]),
    "platform": (["platform", "platform/android/jni"], ["chosa_c", "chosa_shared", "chosa_web_assets", "chosa_jni"],
                 ["store", "sync_client"]),
    "scenario": (["scenario"], ["chosa_scenario", "chosa_respondent"], ["engine", "store"]),
    "tools": (["tools"], ["chosa", "chosa-collector", "chosa_cli"],
              ["store", "analysis", "sync_client", "collector", "scenario", "platform"]),
}
# Tests and benchmarks: every module's include/, and the src/ of the modules each folder tests.
TESTS_MAY_REACH = {
    "tests/engine": ["base", "engine", "store"],
    "tests/fuzz": ["base", "engine", "collector"],  # collector: its HTTP request reader
    "tests/store": ["store"],
    "tests/analysis": ["analysis"],
    "tests/sync": ["protocol", "sync_client", "collector"],
    "tests/tools": ["scenario", "tools"],
    "tests/platform": ["platform"],
    "tests/test_support": [],
    "tests": [],
    "bench": [],
}
# Folders of sources with no include/ and src/ of their own: the programs, the JNI glue.
FLAT_FOLDERS = {"tools", "platform/android/jni"}
SOURCE_SUFFIXES = (".cpp", ".h", ".c")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def closure(name):
    seen, todo = set(), [name]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo.extend(MODULES[module][2])
    return seen


def module_dirs(name):
    """(include dirs, src dirs) of a module, relative to the root."""
    includes, sources = [], []
    for d in MODULES[name][0]:
        if d.endswith("/include"):
            includes.append(d)
        elif d.endswith("/src"):
            sources.append(d)
        elif d in FLAT_FOLDERS:
            sources.append(d)  # their folder is their src/
        else:
            includes.append(d + "/include")
            sources.append(d + "/src")
    return includes, sources


def owner(root, path):
    """(module or test folder, 'include'|'src') owning a file or directory, or (None, None)."""
    rel = os.path.relpath(path, root)
    best = None
    for name in MODULES:
        includes, sources = module_dirs(name)
        for kind, dirs in (("include", includes), ("src", sources)):
            for d in dirs:
                if rel == d or rel.startswith(d + "/"):
                    if best is None or len(d) > len(best[2]):
                        best = (name, kind, d)
    for folder in TESTS_MAY_REACH:
        if rel == folder or rel.startswith(folder + "/"):
            if best is None or len(folder) > len(best[2]):
                best = (folder, "test", folder)
    return (best[0], best[1]) if best else (None, None)


def visible_dirs(root, who):
    """The directories whose headers `who` may include, each with the module that owns it."""
    dirs = []
    if who in MODULES:
        for name in closure(who):
            includes, sources = module_dirs(name)
            dirs += [(os.path.join(root, d), name) for d in includes]
            if name == who:
                dirs += [(os.path.join(root, d), name) for d in sources]
    else:  # a test or benchmark folder
        for name in MODULES:
            includes, sources = module_dirs(name)
            dirs += [(os.path.join(root, d), name) for d in includes]
            if name in TESTS_MAY_REACH[who]:
                dirs += [(os.path.join(root, d), name) for d in sources]
        dirs += [(os.path.join(root, folder), folder) for folder in TESTS_MAY_REACH]  # test helpers
    return dirs


def all_dirs(root):
    out = []
    for name in MODULES:
        includes, sources = module_dirs(name)
        out += [(os.path.join(root, d), name) for d in includes + sources]
    return out


def source_files(root):
    """Every source file of a module, a test folder or the benchmarks, once."""
    files = set()
    for top in [d for name in MODULES for d in MODULES[name][0]] + list(TESTS_MAY_REACH):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = [d for d in dirnames if d not in ("node_modules", "corpus")]
            files.update(os.path.join(dirpath, f) for f in filenames if f.endswith(SOURCE_SUFFIXES))
    return sorted(files)


def check_includes(root, problems):
    for path in source_files(root):
        dirpath = os.path.dirname(path)
        who, _ = owner(root, path)
        if who is None:
            continue
        visible = visible_dirs(root, who)
        allowed = closure(who) if who in MODULES else set(MODULES)
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                header = m.group(1)
                where = os.path.relpath(path, root) + ":" + str(number)
                if os.path.isfile(os.path.join(dirpath, header)):  # beside the including file
                    target_owner, kind = owner(root, os.path.join(dirpath, header))
                    if target_owner not in (who, None) and kind == "src" and who in MODULES:
                        problems.append(f"{where}: includes {header}, in the src/ of module {target_owner}")
                    continue
                if any(os.path.isfile(os.path.join(d, header)) for d, _ in visible):
                    continue
                elsewhere = [name for d, name in all_dirs(root) if os.path.isfile(os.path.join(d, header))]
                if not elsewhere:
                    problems.append(f"{where}: includes {header}, which is in no directory {who} may see")
                elif elsewhere[0] in allowed:
                    problems.append(f"{where}: includes {header}, in the src/ of module {elsewhere[0]} "
                                    f"(only its include/ is for other modules)")
                else:
                    problems.append(f"{where}: includes {header} of module {elsewhere[0]}, which {who} may not use")


CALL = re.compile(r"\b(target_include_directories|target_link_libraries|add_library|add_executable)\s*\(", re.S)


def cmake_calls(text):
    """(command, arguments as words) of each call, comments removed."""
    text = re.sub(r"#[^\n]*", "", text)
    for m in CALL.finditer(text):
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        yield m.group(1), text[m.end():i - 1].split()


def check_cmake(root, problems):
    target_module = {t: name for name, (_, targets, _) in MODULES.items() for t in targets}
    defined = set()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith((".", "build")) and d != "node_modules"]
        if "CMakeLists.txt" not in filenames:
            continue
        cmake = os.path.join(dirpath, "CMakeLists.txt")
        rel_cmake = os.path.relpath(cmake, root)
        with open(cmake, encoding="utf-8") as f:
            text = f.read()
        for command, words in cmake_calls(text):
            if not words:
                continue
            target = words[0]
            if command in ("add_library", "add_executable"):
                defined.add(target)
                if target.startswith("chosa_") and target not in target_module and \
                        not rel_cmake.startswith(("tests/", "bench/")):
                    problems.append(f"{rel_cmake}: target {target} belongs to no module of the graph")
                continue
            who = target_module.get(target)
            if who is None:
                continue  # tests, benchmarks, fuzz targets: they may use every module
            allowed = closure(who)
            if command == "target_include_directories":
                for word in words[1:]:
                    if word in ("PUBLIC", "PRIVATE", "INTERFACE", "SYSTEM", "BEFORE", "AFTER"):
                        continue
                    # A directory of the build tree or of the installed package: the build's is
                    # checked, the installed one lies outside the sources.
                    if word.startswith("$<INSTALL_INTERFACE:"):
                        continue
                    word = re.sub(r"^\$<BUILD_INTERFACE:(.*)>$", r"\1", word)
                    path = word.replace("${CMAKE_CURRENT_SOURCE_DIR}", dirpath).replace("${PROJECT_SOURCE_DIR}", root)
                    dir_owner, kind = owner(root, path)
                    if dir_owner is None:
                        problems.append(f"{rel_cmake}: {target} includes {word}, which belongs to no module")
                    elif dir_owner not in allowed:
                        problems.append(f"{rel_cmake}: {target} includes {word} of module {dir_owner}, "
                                        f"which {who} may not use")
                    elif dir_owner != who and kind == "src":
                        problems.append(f"{rel_cmake}: {target} includes {word}, the src/ of module {dir_owner}")
            else:
                for word in words[1:]:
                    other = target_module.get(word)
                    if other is not None and other not in allowed:
                        problems.append(f"{rel_cmake}: {target} links {word} of module {other}, "
                                        f"which {who} may not use")
    for name, (_, targets, _) in MODULES.items():
        for t in targets:
            if t not in defined:
                problems.append(f"module {name}: target {t} is not defined by any CMakeLists.txt")


def check_complete(root, problems):
    """Every folder with sources belongs to a module, a test or a benchmark."""
    for top in ("engine", "sync", "analysis", "scenario", "tools", "platform"):
        base = os.path.join(root, top)
        if not os.path.isdir(base):
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            if any(f.endswith(SOURCE_SUFFIXES) for f in filenames) and owner(root, dirpath)[0] is None:
                problems.append(f"{os.path.relpath(dirpath, root)}: sources of no module of the graph")


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    problems = []
    check_includes(root, problems)
    check_cmake(root, problems)
    check_complete(root, problems)
    for problem in problems:
        print(problem)
    modules = ", ".join(f"{n} <- {'+'.join(d) if d else '-'}" for n, (_, _, d) in MODULES.items())
    print(f"module graph: {len(problems)} problem{'s' if len(problems) != 1 else ''} ({modules})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
