#!/usr/bin/env python3
"""Records data-driven cases from the real dash and GNU tools.

Usage: record_dash_cases.py SCRIPTS_FILE OUT_DIR PREFIX

SCRIPTS_FILE holds scripts separated by lines of `----`. Each script runs
under `dash -c` in a fresh directory holding a/b/, a/f1, a/f2 and f, and
becomes OUT_DIR/PREFIX_NNN.case with dash's output as the expectation
(the directory shown as /w, `dash:` shown as `sh:`). Run it on a machine
whose /bin/sh is dash and whose tools are GNU's, then check every new case
by hand before keeping it.
"""
import os, re, shutil, subprocess, sys, tempfile, time

ENV = {"PATH": "/usr/bin:/bin", "HOME": "/root", "TZ": "UTC"}
FILES = {"a/f1": "hello\n", "a/f2": "x\ny\n", "f": "data\n"}


def versions():
    dash = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "dash"], capture_output=True, text=True).stdout
    core = subprocess.run(["ls", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return f"dash {dash}, {core}"


def section(name, text):
    if not text:
        return ""
    flag = "" if text.endswith("\n") else " noeol"
    body = text if text.endswith("\n") else text + "\n"
    return f"=== {name}{flag}\n{body}"


def main():
    src, out_dir, prefix = sys.argv[1:4]
    scripts = [s.strip("\n") for s in open(src).read().split("\n----\n") if s.strip()]
    os.makedirs(out_dir, exist_ok=True)
    header = f"Recorded from {versions()}.\n"
    for n, script in enumerate(scripts, 1):
        d = tempfile.mkdtemp()
        os.makedirs(f"{d}/a/b")
        for p, c in FILES.items():
            open(f"{d}/{p}", "w").write(c)
        now = int(time.time())
        p = subprocess.run(["dash", "-c", script], cwd=d, input=b"", capture_output=True, env=ENV)
        shutil.rmtree(d)
        fix = lambda b: re.sub(r"^dash: ", "sh: ", b.decode(errors="replace").replace(d, "/w"), flags=re.M)
        case = header
        case += f"=== options\ncwd=/w\nnow={now}\n"
        case += "=== env\n" + "".join(f"{k}={v}\n" for k, v in ENV.items())
        # The recording directory is mkdtemp's (mode 700); the host knows
        # only root.
        case += "=== file /etc/passwd\nroot:x:0:0:root:/root:/bin/bash\n"
        case += "=== file /etc/group\nroot:x:0:\n"
        case += "=== dir /w mode=700\n=== dir /w/a\n=== dir /w/a/b\n"
        for path, content in FILES.items():
            case += f"=== file /w/{path}\n{content}"
        case += f"=== script noeol\n{script}\n"
        case += section("stdout", fix(p.stdout))
        case += section("stderr", fix(p.stderr))
        if p.returncode:
            case += f"=== status\n{p.returncode}\n"
        open(os.path.join(out_dir, f"{prefix}_{n:03}.case"), "w").write(case)


if __name__ == "__main__":
    main()
