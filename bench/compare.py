#!/usr/bin/env python3
"""The agreement check: chosa and SurveyJS after the same answers.

  compare.py PLAN CHECK_CHOSA CHECK_SURVEYJS
  compare.py --self-test PLAN CHECK_CHOSA CHECK_SURVEYJS
  compare.py --table RESULTS_DIR 200,2000,10000      (the Markdown table of bench/run.sh)

Reads the snapshots both benchmark programs wrote after each step of the plan (start, the
complete filling, hub changes, edits in the matrix and the repeat, back) and compares, per
snapshot: the set of visible questions (repeat children by path), every calculated value, and
the set of questions with errors. Each engine is also compared with the generator's own
expectation (plan["expected"]), so that a disagreement says which side departs.

Prints one line per snapshot and every difference; exits 1 on any difference. --self-test
mutates either side's snapshots (a visibility, a value, an error, a missing snapshot) and exits 1
unless every mutation is caught: the check really compares. Python 3 stdlib.
"""

import json
import math
import sys


def norm(v):
    """Calculated values compare as numbers when both are numeric; empty is None."""
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return None if isinstance(v, float) and math.isnan(v) else float(v)
    try:
        return float(v)
    except (TypeError, ValueError):
        return v


def diff_sets(label, a_name, a, b_name, b, out, limit=12):
    only_a = sorted(set(a) - set(b))
    only_b = sorted(set(b) - set(a))
    if only_a:
        out.append("  %s: only in %s (%d): %s%s" % (label, a_name, len(only_a), ", ".join(only_a[:limit]),
                                                  " ..." if len(only_a) > limit else ""))
    if only_b:
        out.append("  %s: only in %s (%d): %s%s" % (label, b_name, len(only_b), ", ".join(only_b[:limit]),
                                                  " ..." if len(only_b) > limit else ""))


def diff_values(a_name, a, b_name, b, out, limit=12):
    bad = []
    for k in sorted(set(a) | set(b)):
        x, y = norm(a.get(k)), norm(b.get(k))
        same = (x == y) or (isinstance(x, float) and isinstance(y, float) and abs(x - y) <= 1e-9 * max(1, abs(x)))
        if not same:
            bad.append("%s: %s=%r %s=%r" % (k, a_name, a.get(k), b_name, b.get(k)))
    if bad:
        out.append("  values differ (%d): %s%s" % (len(bad), "; ".join(bad[:limit]), " ..." if len(bad) > limit else ""))


def compare(a_name, a, b_name, b, out):
    diff_sets("visible", a_name, a["visible"], b_name, b["visible"], out)
    diff_values(a_name, a["values"], b_name, b["values"], out)
    diff_sets("errors", a_name, a["errors"], b_name, b["errors"], out)


def check(plan, chosa, sjs, quiet=False):
    """Compares every snapshot; returns the number of snapshots that differ."""
    n = plan["n"]
    failures = 0
    for step in plan["steps"]:
        name = step["name"]
        exp = plan["expected"][name]
        c = chosa["snapshots"].get(name)
        s = sjs["snapshots"].get(name)
        out = []
        if c is None or s is None:
            out.append("  snapshot missing: chosa=%s surveyjs=%s" % (c is not None, s is not None))
        else:
            compare("chosa", c, "surveyjs", s, out)
            mine = []
            compare("chosa", c, "expected", exp, mine)
            compare("surveyjs", s, "expected", exp, mine)
            out += mine
        status = "agree" if not out else "DISAGREE"
        if not quiet:
            if c is not None and s is not None:
                print("N=%-6d %-7s %s: %d visible, %d calculations, %d with errors" % (
                    n, name, status, len(c["visible"]), len(c["values"]), len(c["errors"])))
            else:
                print("N=%-6d %-7s %s" % (n, name, status))
            for line in out:
                print(line)
        if out:
            failures += 1
    return failures


def self_test(plan, chosa, sjs):
    """Proves that the check compares: each mutation of one engine's snapshot must be caught."""
    import copy
    snap = plan["steps"][1]["name"]  # the complete filling
    mutations = [
        ("a visible question hidden", lambda c: c["snapshots"][snap]["visible"].pop()),
        ("a hidden question shown", lambda c: c["snapshots"][snap]["visible"].append("hidden_extra")),
        ("a calculated value off by one", lambda c: c["snapshots"][snap]["values"].__setitem__(
            "grand_total", (c["snapshots"][snap]["values"]["grand_total"] or 0) + 1)),
        ("a calculated value empty", lambda c: c["snapshots"][snap]["values"].__setitem__("checklist_total", None)),
        ("an extra error", lambda c: c["snapshots"][snap]["errors"].append("hub")),
        ("a snapshot missing", lambda c: c["snapshots"].pop(snap)),
    ]
    bad = 0
    for what, mutate in mutations:
        for side in ("chosa", "surveyjs"):
            c, s = copy.deepcopy(chosa), copy.deepcopy(sjs)
            mutate(c if side == "chosa" else s)
            if check(plan, c, s, quiet=True) == 0:
                print("SELF-TEST FAILED: %s in %s went unnoticed" % (what, side))
                bad += 1
    if bad:
        return 1
    print("N=%d: self-test: all %d mutations of either side are caught" % (plan["n"], 2 * len(mutations)))
    return 0


# ---------------------------------------------------------------------------------------------
# The results table (bench/run.sh): --table DIR SIZES reads DIR/chosa_N.json, DIR/surveyjs_N.json,
# DIR/agreement_N.txt and DIR/machine.json and prints Markdown.

TARGETS = {"load": 300.0, "answer": 1000.0, "leaf_growth": 1.5, "heap": 10.0}


def fmt_time(us):
    if us is None:
        return "-"
    if us >= 1e6:
        return "%.2f s" % (us / 1e6)
    if us >= 1e3:
        return "%.1f ms" % (us / 1e3) if us < 1e5 else "%.0f ms" % (us / 1e3)
    if us >= 10:
        return "%.0f µs" % us
    if us >= 1:
        return "%.1f µs" % us
    return "%.2f µs" % us


def fmt_ratio(r):
    if r is None:
        return "-"
    if r >= 100:
        return "%sx" % "{:,}".format(int(round(r)))
    return "%.1fx" % r


def fmt_bytes(b):
    if b >= 1 << 20:
        return "%.1f MiB" % (b / (1 << 20))
    if b >= 1 << 10:
        return "%.1f KiB" % (b / (1 << 10))
    return "%d B" % b


def table(results_dir, sizes):
    import os
    res = {}
    for n in sizes:
        c = load(os.path.join(results_dir, "chosa_%d.json" % n))
        s = load(os.path.join(results_dir, "surveyjs_%d.json" % n))
        agreement_path = os.path.join(results_dir, "agreement_%d.txt" % n)
        agreement = open(agreement_path, encoding="utf-8").read() if os.path.exists(agreement_path) else ""
        res[n] = (c, s, agreement)
    machine_path = os.path.join(results_dir, "machine.json")
    machine = load(machine_path) if os.path.exists(machine_path) else {}
    lines = []
    p = lines.append
    if machine:
        p("Machine: %s, %s cores, %s; %s; %s; Node %s; survey-core %s; chosa %s; %s; load average at start %s." % (
            machine.get("cpu", "?"), machine.get("nproc", "?"), machine.get("memory", "?"), machine.get("kernel", "?"),
            machine.get("compiler", "?"), machine.get("node", "?"), machine.get("survey_core", "?"),
            machine.get("commit", "?"), machine.get("date", "?"), machine.get("loadavg", "?")))
        p("")
    header = "| measure |"
    rule = "|---|"
    for n in sizes:
        header += " N=%s chosa | N=%s survey-core | ratio |" % ("{:,}".format(n), "{:,}".format(n))
        rule += "---:|---:|---:|"
    p(header)
    p(rule)

    def row(label, cf, sf, fmt, ratio=True, invert=False):
        line = "| %s |" % label
        for n in sizes:
            c, s, _ = res[n]
            cv, sv = cf(c), sf(s) if sf else None
            r = None
            if ratio and cv and sv:
                r = (cv / sv) if invert else (sv / cv)
            line += " %s | %s | %s |" % (fmt(cv) if cv is not None else "-", fmt(sv) if sv is not None else "-",
                                         fmt_ratio(r) if ratio and r is not None else "")
        p(line)

    row("load+compile: JSON text → session ready (median)", lambda c: c["load_start_us"]["median"],
        lambda s: s["load_start_us"]["median"], fmt_time)
    row("&nbsp;&nbsp;of which chosa Form::Load (parse+compile)", lambda c: c["load_us"]["median"], None, fmt_time, ratio=False)
    row("&nbsp;&nbsp;of which chosa Session::Start", lambda c: c["start_us"]["median"], None, fmt_time, ratio=False)
    row("&nbsp;&nbsp;repetitions", lambda c: c["load_start_us"]["n"], lambda s: s["load_start_us"]["n"], str, ratio=False)
    for kind, label in (("hub", "answer on the hub"), ("leaf", "answer on the leaf"), ("score", "answer on a score question")):
        row("%s, median" % label, lambda c, k=kind: c["answers"][k]["median"], lambda s, k=kind: s["answers"][k]["median"], fmt_time)
        row("%s, p99" % label, lambda c, k=kind: c["answers"][k]["p99"], lambda s, k=kind: s["answers"][k]["p99"], fmt_time)
        row("&nbsp;&nbsp;timed sets", lambda c, k=kind: c["answers"][k]["n"], lambda s, k=kind: s["answers"][k]["n"], str, ratio=False)
    row("validate all (median)", lambda c: c["validate_us"]["median"], lambda s: s["validate_us"]["median"], fmt_time)
    row("finalize (chosa: median of 21; survey-core: once)", lambda c: c["finalize_us"]["median"],
        lambda s: s["finalize_us"]["median"], fmt_time)
    row("heap in use after loading, per question", lambda c: c["heap"]["per_question_bytes"],
        lambda s: s["heap"]["per_question_bytes"], fmt_bytes)
    row("heap in use after loading, total", lambda c: c["heap"]["total_bytes"], lambda s: s["heap"]["total_bytes"], fmt_bytes)
    row("peak RSS, loaded and filled (check done)", lambda c: c["rss_peak_after_fill_kib"] * 1024,
        lambda s: s["rss_peak_after_fill_kib"] * 1024, fmt_bytes)
    row("peak RSS, whole run", lambda c: c["rss_peak_kib"] * 1024, lambda s: s["rss_peak_kib"] * 1024, fmt_bytes)
    row("RSS at start (runtime + form text + plan)", lambda c: c["rss_baseline_kib"] * 1024,
        lambda s: s["rss_baseline_kib"] * 1024, fmt_bytes, ratio=False)
    row("form JSON size", lambda c: c["form_bytes"], lambda s: s["form_bytes"], fmt_bytes, ratio=False)
    row("submission / data JSON size", lambda c: c["submission_bytes"], lambda s: s["submission_bytes"], fmt_bytes, ratio=False)
    p("")

    # Targets, at the largest N (and the leaf against the smallest).
    big, small = max(sizes), min(sizes)
    c, s, _ = res[big]
    targets = []
    r = s["load_start_us"]["median"] / c["load_start_us"]["median"]
    r_form = s["load_start_us"]["median"] / c["load_us"]["median"]
    targets.append(("load+compile at N=%s: at least %dx faster (session ready; Form::Load alone)"
                    % ("{:,}".format(big), TARGETS["load"]),
                    "%s; %s" % (fmt_ratio(r), fmt_ratio(r_form)), r >= TARGETS["load"]))
    for kind in ("hub", "leaf", "score"):
        rm = s["answers"][kind]["median"] / c["answers"][kind]["median"]
        rp = s["answers"][kind]["p99"] / c["answers"][kind]["p99"]
        targets.append(("%s answer at N=%s: at least %dx faster (median; p99)" % (kind, "{:,}".format(big), TARGETS["answer"]),
                        "%s; %s" % (fmt_ratio(rm), fmt_ratio(rp)), min(rm, rp) >= TARGETS["answer"]))
    growth = c["answers"]["leaf"]["median"] / res[small][0]["answers"]["leaf"]["median"]
    growth_p99 = c["answers"]["leaf"]["p99"] / res[small][0]["answers"]["leaf"]["p99"]
    targets.append(("leaf answer at N=%s costs at most %.1fx N=%s (median; p99)" % ("{:,}".format(big), TARGETS["leaf_growth"], small),
                    "%.2fx; %.2fx" % (growth, growth_p99), max(growth, growth_p99) <= TARGETS["leaf_growth"]))
    rh = s["heap"]["per_question_bytes"] / c["heap"]["per_question_bytes"]
    targets.append(("heap per question at N=%s: at least %dx below" % ("{:,}".format(big), TARGETS["heap"]),
                    "%.1fx (%s vs %s)" % (rh, fmt_bytes(c["heap"]["per_question_bytes"]), fmt_bytes(s["heap"]["per_question_bytes"])),
                    rh >= TARGETS["heap"]))
    p("| target | measured | met |")
    p("|---|---:|:---:|")
    for label, measured, met in targets:
        p("| %s | %s | %s |" % (label, measured, "yes" if met else "**NO**"))
    p("")
    for n in sizes:
        agreement = res[n][2].strip().splitlines()
        last = agreement[-1] if agreement else "not run"
        last = last.split(": ", 1)[1] if last.startswith("N=") and ": " in last else last
        p("Agreement, N=%s: %s" % ("{:,}".format(n), last))
    print("\n".join(lines))
    return 0


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main(argv):
    if len(argv) == 3 and argv[0] == "--table":
        return table(argv[1], [int(x) for x in argv[2].split(",") if x])
    if len(argv) == 4 and argv[0] == "--self-test":
        return self_test(load(argv[1]), load(argv[2]), load(argv[3]))
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    plan, chosa, sjs = load(argv[0]), load(argv[1]), load(argv[2])
    n = plan["n"]
    failures = check(plan, chosa, sjs)
    if failures:
        print("AGREEMENT CHECK FAILED for N=%d: %d of %d snapshots differ" % (n, failures, len(plan["steps"])))
        return 1
    print("N=%d: chosa, SurveyJS and the generator's expectation agree on all %d snapshots"
          % (n, len(plan["steps"])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
