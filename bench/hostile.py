#!/usr/bin/env python3
"""Hostile inputs, measured: a corpus of inputs built to find panics, quadratic paths, runaway
memory and runaway output, each run through every command and output format of the release
binary. Prints, per input and in the worst case per class, wall time, peak memory and output
size, against the goal: every input up to the default 1 MiB cap finishes in under 0.25 s, in
under 64 MiB, with under 2 MB of output; up to a cap raised to 16 MiB (`--cap 16777216`, run
with `--max-input-size`), in under 4 s and 400 MiB, with under 10 MB of output (linear).

    python3 bench/hostile.py [--quick] [--cap BYTES] [--bin PATH]

--quick uses inputs a quarter of the size (for a first look); --bin measures another build
(say, an older release, for before/after figures). Needs cargo and /usr/bin/time.
"""
import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out", "hostile")
BIN = os.path.join(ROOT, "target", "release", "dsf-connections")
DEFAULT_CAP = 1024 * 1024
CAP = DEFAULT_CAP - 4096  # stay just under the input cap (set by main)
GOALS = {DEFAULT_CAP: (0.25, 64, 2), 16 * 1024 * 1024: (4.0, 400, 10)}


def write(name, data):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


def fill(unit, size):
    """`unit` repeated to about `size` bytes."""
    return unit * max(1, size // len(unit))


def lines_up_to(make, size):
    """Lines `make(i)` for i = 0, 1, ... while the text stays under `size` bytes."""
    out, total, i = [], 0, 0
    while True:
        line = make(i)
        if total + len(line) > size:
            return "".join(out)
        out.append(line)
        total += len(line)
        i += 1


def corpus(scale):
    big = int(CAP * scale)
    files = {}
    # class: long lines (snippet width, windows)
    files["long lines"] = [
        write("tabs-in-quoted-value.yaml", "c:\n  base-url: 'x" + "\t" * 16_384 + "'\n  read-timeout: 5s\n"),
        write("huge-key.yaml", "c:\n  base-url: https://x\n  " + "k" * 65_534 + ": 1\n"),
        write("one-line-flow-cap.yaml",
              "{" + fill("c%07d: {base-url: https://x, read-timeout: 5s}, ", big)[:big] + "z: {}}\n"),
    ]
    # class: one long line of many connections, and CR-only line breaks
    r = CAP / (16 * 1024 * 1024)
    n80k = "".join(f"c{i}: {{base-url: https://x}}, " for i in range(int(80_000 * r)))
    n30k = "".join(f"c{i}: {{base-url: https://x}}, " for i in range(30_000))
    files["many connections on one line"] = [
        # just under the 1 MiB limit of one flow collection, and beyond it
        write("flow-30k.yaml", "{" + n30k + "z: {base-url: https://x}}\n"),
        write("flow-80k.yaml", "{" + n80k + "z: {base-url: https://x}}\n"),
        write("flow-495k.yaml",
              "{" + "".join(f"c{i}: {{base-url: https://x}}, " for i in range(int(495_000 * scale * r))) + "z: {base-url: https://x}}\n"),
        write("cr-only-cap.yaml", fill("c:\r  base-url: https://x\r  read-timeout: 5s\r", big)),
    ]
    # class: many diagnostics (cap, snippet size)
    files["many diagnostics"] = [
        write("duplicate-keys-cap.yaml", "c:\n  base-url: https://x\n" + fill("  read-timeout: PT1S\n", big)),
        write("unknown-keys-cap.yaml", "c:\n  base-url: https://x\n" +
              lines_up_to(lambda i: f"  k{i}: v\n", big - 64)),
        write("errors-next-to-secrets-cap.yaml",
              lines_up_to(lambda i: f"c{i}:\n  base-url: https://x\n  basic-auth: {{username: u, password: 1234}}\n", big)),
        write("long-line-many-errors-85KB.yaml",
              "{" + "".join(f"c{i}: {{read-timeout: x}}, " for i in range(3_000)) + "}\n"),
        # the same mistakes in every connection, as a generated or copied config repeats them
        write("typos-cap.yaml", lines_up_to(
            lambda i: f"c{i}:\n  base_url: https://x\n  conect-timeout: PT5S\n"
                      f"  basic-auth: {{usernme: u, pasword: 'p{i}'}}\n", big)),
        write("every-mistake-cap.yaml", lines_up_to(
            lambda i: f"c{i}:\n  base-url: ftp://x y\n  read-timeout: 5 s\n  connect-timeout: -1\n"
                      f"  enable-debug-logging: yes\n  test-connection-on-startup: maybe\n"
                      f"  bearer-auth:\n    token: 12\n"
                      f"  oidc-auth: {{base-url: http://o, client-id: 7, client-secret: s{i}}}\n", big)),
        write("connections-not-mappings-cap.yaml", lines_up_to(lambda i: f"c{i}: https://x\n", big)),
    ]
    # class: secrets and control characters everywhere
    files["secrets and escapes"] = [
        write("secret-keys-one-line.yaml",
              "{" + fill("c: {password: 'p', token: t, client-secret: s}, ", big)[:big] + "}\n"),
        write("escapes-cap.yaml", fill('c:\n  base-url: "\\e]0;x\\a\\e[2J"\n', big)),
        write("urls-with-credentials.yaml", "c:\n  base-url: " + fill("https://u:p@h/", big) + "\n"),
        # a long repetitive secret (the output scrubber's automaton), and many distinct ones
        write("repetitive-token-cap.yaml",
              "c:\n  base-url: https://x\n  bearer-auth:\n    token: " + "a" * (big - 64) + "\n"),
        write("valid-oidc-cap.yaml", lines_up_to(
            lambda i: f"c{i}:\n  base-url: https://fhir-{i}.example.org/fhir\n  connect-timeout: PT2S\n"
                      f"  read-timeout: PT10M\n  oidc-auth:\n    base-url: https://kc.example.org/realms/r\n"
                      f"    client-id: client-{i}\n    client-secret: 'secret-{i}-abcdefgh'\n"
                      f"    required-audience: [a, b]\n", big)),
        write("distinct-tokens-cap.yaml",
              lines_up_to(lambda i: f"c{i}:\n  base-url: https://x\n  bearer-auth:\n    token: \"t{i:08d}-{'x' * 24}\\u0001\"\n", big)),
    ]
    # class: what an attacker run found after the first round (blank lines, a root list, dense
    # secrets, one huge URL of query tokens)
    files["found by an attacker"] = [
        write("blank-lines-cap.yaml", "\n" * (big - 40) + "c:\n  base-url: https://x\n"),
        write("root-list-cap.yaml", "-\n" * (big // 2)),
        write("dense-secrets-cap.yaml", lines_up_to(
            lambda i: f"c{i}: {{password: a{i}, token: b{i}, client-secret: d{i}, pasword: e{i}, tokn: f{i}}}\n",
            big)),
        write("url-query-tokens-cap.yaml",
              "c:\n  base-url: https://h/?" + "token=abcdefgh&" * ((big - 64) // 15) + "\n"),
    ]
    # class: docker compose files whose services all get the same megabyte
    cfg = "\\n".join(f"c{i}: {{base-url: https://x, read-timeout: 5s}}" for i in range(int(20_000 * r)))
    var = "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG"
    sub = os.path.join(OUT, "compose-subst")
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, ".env"), "w") as f:
        f.write(f'A="{cfg}"\n')
    files["compose"] = [
        write("compose-subst/docker-compose.yml", "services:\n" + "".join(
            f"  s{i}: {{environment: {{{var}: '${{A}}'}}}}\n" for i in range(9_999))),
        write("compose-anchor.yml", f'x-cfg: &c "{cfg}"\nservices:\n' + "".join(
            f"  s{i}: {{environment: {{{var}: *c}}}}\n" for i in range(999))),
    ]
    # class: nesting and aliases (limits)
    files["nesting and aliases"] = [
        write("deep-nesting.yaml", "a: " + "[" * 100_000 + "\n"),
        write("alias-bomb.yaml", "a: &a [x]\nb: [" + ",".join(["*a"] * 999) + "]\n"),
        write("anchors-cap.yaml", fill("- &a x\n", big)),
    ]
    return files


def commands(path, cap):
    extra = ["--max-input-size", str(cap)] if cap != DEFAULT_CAP else []
    yield "check human", [BIN, "check", "--color", "never", "--skip-file-checks", *extra, path]
    yield "check json", [BIN, "check", "--format", "json", "--skip-file-checks", *extra, path]
    yield "explain human", [BIN, "explain", "--color", "never", "--skip-file-checks", *extra, path]
    yield "explain json", [BIN, "explain", "--format", "json", "--skip-file-checks", *extra, path]


def measure(cmd):
    t = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t
    try:
        mib = int(r.stderr.decode().strip().splitlines()[-1]) / 1024
    except (ValueError, IndexError):
        mib = float("nan")
    return wall, mib, len(r.stdout) / 1e6, r.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--cap", type=int, default=DEFAULT_CAP, help="input cap in bytes (1 MiB or 16 MiB)")
    ap.add_argument("--bin", help="the binary to measure (default: a fresh release build)")
    args = ap.parse_args()
    global BIN, CAP
    CAP = args.cap - 4096
    goal_s, goal_mib, goal_mb = GOALS.get(args.cap, GOALS[16 * 1024 * 1024])
    os.makedirs(OUT, exist_ok=True)
    if args.bin:
        BIN = os.path.abspath(args.bin)
    else:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    worst_all = []
    for cls, paths in corpus(0.25 if args.quick else 1.0).items():
        # each measure at its own worst (the slowest run need not be the largest)
        worst = [(0.0, ""), (0.0, ""), (0.0, "")]
        for p in paths:
            size = os.path.getsize(p) / 1e6
            for label, cmd in commands(p, args.cap):
                wall, mib, mb, rc = measure(cmd)
                flag = "" if rc in (0, 1) else f"  EXIT {rc}"
                print(f"{os.path.basename(p):34} {size:6.1f} MB  {label:14} {wall:6.2f} s {mib:7.1f} MiB {mb:7.2f} MB out{flag}")
                if rc not in (0, 1, 2):
                    worst_all.append(("crash", cls, p, label, rc))
                what = f"{os.path.basename(p)} ({label})"
                worst = [max(w, (v, what)) for w, v in zip(worst, (wall, mib, mb))]
        print(f"== {cls}: worst {worst[0][0]:.2f} s ({worst[0][1]}), {worst[1][0]:.0f} MiB "
              f"({worst[1][1]}), {worst[2][0]:.2f} MB out ({worst[2][1]})\n")
        worst_all.append((cls, worst))
    print(f"worst case per class at a cap of {args.cap} bytes (goal: < {goal_s} s, < {goal_mib} MiB, < {goal_mb} MB output):")
    failed = False
    for row in worst_all:
        if row[0] == "crash":
            print(f"  CRASH: {row}")
            failed = True
            continue
        cls, ((wall, t_what), (mib, m_what), (mb, o_what)) = row
        ok = wall < goal_s and mib < goal_mib and mb < goal_mb
        failed |= not ok
        print(f"  {cls:30} {'ok' if ok else 'OVER'}  {wall:5.2f} s {t_what}; {mib:4.0f} MiB {m_what}; "
              f"{mb:5.2f} MB {o_what}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
