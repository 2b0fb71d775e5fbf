#!/usr/bin/env python3
"""tests/projects/compare.py - balrun against a build system's own runner.

    compare.py cmake|meson SOURCE_DIR WORK_DIR BALRUN
    compare.py --built cmake|meson BUILD_DIR BALRUN

The second form takes a project built already (a real one, as its developers
build it) and prints, besides the differences, the wall time of the native
runner and of each balrun run: a real project's comparison, not a test.

Configures and builds the fixture project SOURCE_DIR into WORK_DIR/<kind>-build
with the build system itself, runs its native runner there (`ctest -j 2`,
`meson test --num-processes 2`) as the oracle, then `balrun` with no test arguments in the
same directory: cold at -n 2, warm at -n 2 and warm at -n 1.  Every test of
the native runner must have the same verdict in every balrun run:

  - a test balrun ran whole: its one entry, by name (a name registered twice
    is `name#2` in balrun, the second occurrence in the native runner);
  - a test balrun split into cases (`name::case`): passed when every case
    passed or skipped, failed when any case failed, and the number of cases
    equal to what the framework itself reported in the native run.

Verdict classes: pass (passed; flaky and order-dependent, which passed the way
the serial run does and exit 0), fail (failed, crashed, timed out), skip
(skipped, disabled) and notrun.  DEVIATIONS lists, per test, where balrun's answer is
knowingly different and why.  Prints one line per difference and exits 1 if
there is any, 0 otherwise.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

WALL = {}   # run -> wall seconds

# test name -> (native class, balrun class, why)
DEVIATIONS = {
    "env_mod_badop": ("fail", "notrun",
                      "ctest reports an unknown ENVIRONMENT_MODIFICATION operation as a failure "
                      "(BAD_COMMAND, no output); balrun does not start it and says why"),
}

# what the framework itself says it ran, from the native runner's output
CASE_COUNTS = [
    re.compile(r"\[==========\] (?:\S+: )?(\d+) test\(s\) run\."),   # cmocka
    re.compile(r"Synthesis: Tested: (\d+)"),                          # Criterion
    re.compile(r"\[==========\] (\d+) tests? from \d+ test (?:suites?|cases?) ran\."),  # GoogleTest
]

FIXED_ENV = {"BALRUN_FIXTURE_OUTER": "outer"}


def run(cmd, cwd, timeout=3600, check=True, env=None):
    e = dict(os.environ)
    e.update(FIXED_ENV)
    if env:
        e.update(env)
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout, env=e, stdin=subprocess.DEVNULL)
    if check and p.returncode != 0:
        sys.stdout.write(p.stdout.decode(errors="replace")[-4000:])
        sys.exit("compare: %s failed with %d" % (" ".join(cmd), p.returncode))
    return p


def build_cmake(src, build):
    run(["cmake", "-S", src, "-B", build], cwd=src)
    run(["cmake", "--build", build, "-j", "2"], cwd=src)


def build_meson(src, build):
    if not os.path.exists(os.path.join(build, "meson-info")):
        run(["meson", "setup", build, src], cwd=src)
    run(["meson", "compile", "-C", build], cwd=src)


def native_cmake(build):
    """ctest -j 2: [(name, class, output)] in ctest's order."""
    xml = os.path.join(build, "ctest-junit.xml")
    run(["ctest", "-j", "2", "--output-junit", xml], cwd=build, check=False)
    out = []
    for tc in ET.parse(xml).getroot().iter("testcase"):
        status = tc.get("status")
        skipped = tc.find("skipped")
        text = tc.findtext("system-out") or ""
        if status == "run":
            cls = "pass"
        elif status == "fail":
            cls = "fail"
        elif status == "disabled":
            cls = "skip"
        elif skipped is not None and skipped.get("message", "").startswith("SKIP_"):
            cls = "skip"
        else:
            cls = "notrun"
        out.append((tc.get("name"), cls, text))
    return out


MESON_CLASSES = {"OK": "pass", "EXPECTEDFAIL": "pass", "SKIP": "skip", "FAIL": "fail",
                 "UNEXPECTEDPASS": "fail", "TIMEOUT": "fail", "ERROR": "fail"}


def native_meson(build):
    """meson test -j 2: [(name, class, output)] from meson's testlog.json."""
    run(["meson", "test", "-C", build, "--no-rebuild", "--num-processes", "2"], cwd=build, check=False)
    out = []
    with open(os.path.join(build, "meson-logs", "testlog.json")) as f:
        for line in f:
            t = json.loads(line)
            name = t["name"].split(" / ", 1)[-1]	# "project:suite / name"
            out.append((name, MESON_CLASSES.get(t["result"], "fail"), t.get("stdout") or ""))
    return out


def balrun_class(outcome):
    return {"passed": "pass", "flaky": "pass", "failed": "fail", "crashed": "fail",
            "timed out": "fail", "order-dependent": "pass", "skipped": "skip",
            "not run": "notrun"}.get(outcome, "?" + outcome)


def balrun_run(balrun, build, cache, workers, tag):
    js = os.path.join(build, "balrun-%s.json" % tag)
    start = time.time()
    p = run([balrun, "-n", str(workers), "--cache-dir", cache, "--json", js], cwd=build, check=False)
    WALL[tag] = time.time() - start
    if p.returncode not in (0, 1):
        sys.stdout.write(p.stdout.decode(errors="replace")[-4000:])
        sys.exit("compare: balrun (%s) exited %d" % (tag, p.returncode))
    with open(js) as f:
        return json.load(f)["tests"]


def split_verdict(cases):
    classes = [balrun_class(c["outcome"]) for c in cases]
    if "fail" in classes:
        return "fail"
    if "notrun" in classes:
        return "notrun"
    if all(c == "skip" for c in classes):
        return "skip"
    return "pass"


def compare(native, tests, tag, native_name):
    problems = []
    whole, split = {}, {}
    for t in tests:
        if "::" in t["id"]:
            split.setdefault(t["id"].split("::", 1)[0], []).append(t)
        else:
            whole[t["id"]] = t
    seen = {}
    for name, cls, text in native:
        seen[name] = seen.get(name, 0) + 1
        key = name if seen[name] == 1 else "%s#%d" % (name, seen[name])
        if key in split:
            got = split_verdict(split.pop(key))
            counts = [int(m.group(1)) for r in CASE_COUNTS for m in r.finditer(text)]
            ran = len([c for c in tests if c["id"].startswith(key + "::")])
            if counts and sum(counts) != ran:
                problems.append("%s: %s ran %d cases, balrun %d" % (key, native_name, sum(counts), ran))
        elif key in whole:
            got = balrun_class(whole.pop(key)["outcome"])
        else:
            problems.append("%s: %s ran it, balrun has no entry" % (key, native_name))
            continue
        if got != cls and DEVIATIONS.get(name, (None, None))[:2] != (cls, got):
            problems.append("%s: %s says %s, balrun %s" % (key, native_name, cls, got))
    for key in list(whole) + list(split):
        problems.append("%s: balrun ran it, %s did not" % (key, native_name))
    return ["[%s] %s" % (tag, p) for p in problems]


def main():
    built = len(sys.argv) == 5 and sys.argv[1] == "--built"
    args = sys.argv[2:] if built else sys.argv[1:]
    if len(sys.argv) != 5 or args[0] not in ("cmake", "meson"):
        sys.exit(__doc__)
    if built:
        kind, build, balrun = args[0], os.path.abspath(args[1]), os.path.abspath(args[2])
        cache = os.path.join(build, "balrun-compare-cache")
        shutil.rmtree(cache, ignore_errors=True)
    else:
        kind, src, work, balrun = [os.path.abspath(a) if i else a for i, a in enumerate(args)]
        build = os.path.join(work, "%s-build" % kind)
        cache = os.path.join(work, "%s-cache" % kind)
        os.makedirs(work, exist_ok=True)
        shutil.rmtree(cache, ignore_errors=True)
        (build_cmake if kind == "cmake" else build_meson)(src, build)
    native_name = "ctest" if kind == "cmake" else "meson test"
    start = time.time()
    native = (native_cmake if kind == "cmake" else native_meson)(build)
    WALL[native_name + " -j 2"] = time.time() - start
    problems = []
    for workers, tag in ((2, "cold -n 2"), (2, "warm -n 2"), (1, "warm -n 1")):
        tests = balrun_run(balrun, build, cache, workers, tag.replace(" ", ""))
        problems += compare(native, tests, tag, native_name)
    for p in problems:
        print(p)
    counts = {}
    for _, cls, _ in native:
        counts[cls] = counts.get(cls, 0) + 1
    if built:
        print("wall: " + ", ".join("%s %.1fs" % (k, v) for k, v in WALL.items()))
    print("compare: %d %s tests (%s), %d differences" %
          (len(native), native_name, ", ".join("%d %s" % (v, k) for k, v in sorted(counts.items())),
           len(problems)))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
