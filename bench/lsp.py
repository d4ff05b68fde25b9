#!/usr/bin/env python3
"""The language server under edits: a 128 KB config (1,000 connections of every auth kind,
one invalid duration) is opened, then one value is edited at a time and the time from
sending the change to receiving its publishDiagnostics is measured. Prints the median and
90th percentile (goal: median <= 20 ms), then the server's resident memory after a warm-up
and after 10,000 edits (each waited for), which must stay flat.

    python3 bench/lsp.py [--bin PATH] [--edits N] [--timed N]

Standard library only; the binary defaults to target/release (cargo build --release).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))


def config(size):
    kinds = [
        "  basic-auth:\n    username: u{i}\n    password-file: /run/secrets/p{i}\n",
        "  bearer-auth:\n    token-file: /run/secrets/t{i}\n",
        "  cert-auth:\n    p12-file: /run/secrets/c{i}.p12\n    password-file: /run/secrets/c{i}.pw\n",
        "  oidc-auth:\n    base-url: https://kc{i}.example.org/realms/dsf\n    client-id: c{i}\n    client-secret-file: /run/secrets/o{i}\n",
    ]
    out, i = [], 0
    while sum(map(len, out)) < size:
        out.append(
            f"conn-{i}:\n  base-url: https://fhir{i}.example.org/fhir\n  read-timeout: PT30S\n"
            + kinds[i % 4].format(i=i)
        )
        i += 1
    return "".join(out), i


class Server:
    def __init__(self, binary):
        self.p = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.id = 0

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def recv(self):
        length = 0
        while True:
            line = self.p.stdout.readline()
            if not line:
                sys.exit("the server ended")
            if line == b"\r\n":
                break
            if line.startswith(b"Content-Length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.p.stdout.read(length))

    def request(self, method, params):
        self.id += 1
        self.send({"jsonrpc": "2.0", "id": self.id, "method": method, "params": params})
        while "id" not in (m := self.recv()) or m["id"] != self.id:
            pass
        return m

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def published(self, version):
        while True:
            m = self.recv()
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["version"] == version:
                return m["params"]["diagnostics"]

    def rss_kib(self):
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(TARGET, "release", "dsf-connections"))
    ap.add_argument("--edits", type=int, default=10000, help="edits for the memory figure")
    ap.add_argument("--timed", type=int, default=200, help="edits timed for the median")
    args = ap.parse_args()
    text, n = config(128 * 1024)
    # one mistake in the middle: the value edited
    line_no = text[: len(text) // 2].count("\n")
    lines = text.split("\n")
    while "read-timeout" not in lines[line_no]:
        line_no += 1
    col = lines[line_no].index("PT30S")
    s = Server(args.bin)
    s.request("initialize", {"capabilities": {}, "initializationOptions": {"dsf-connections": {"skipFileChecks": True}}})
    s.notify("initialized", {})
    uri = "file:///bench/config.yaml"
    s.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}})
    # the size alone is a warning (over Linux's limit for one variable): the baseline
    base = len(s.published(1))
    version = 1
    values = ["30s", "PT30S"]

    def edit():
        nonlocal version
        version += 1
        old, new = (values[0], values[1]) if version % 2 else (values[1], values[0])
        s.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{
                "range": {"start": {"line": line_no, "character": col},
                          "end": {"line": line_no, "character": col + len(old)}},
                "text": new,
            }],
        })
        t = time.perf_counter()
        diags = s.published(version)
        dt = time.perf_counter() - t
        want = base + (1 if new == "30s" else 0)
        if len(diags) != want:
            sys.exit(f"edit {version}: {len(diags)} diagnostics, expected {want}")
        return dt

    times = sorted(edit() for _ in range(args.timed))
    median = statistics.median(times) * 1000
    p90 = times[int(len(times) * 0.9)] * 1000
    print(f"config: {len(text):,} bytes, {n:,} connections")
    print(f"edit -> publishDiagnostics: median {median:.1f} ms, p90 {p90:.1f} ms over {args.timed} edits (goal: median <= 20 ms)")
    before = s.rss_kib()
    start = time.perf_counter()
    for _ in range(args.edits):
        edit()
    took = time.perf_counter() - start
    after = s.rss_kib()
    print(f"memory: {before / 1024:.1f} MiB after {args.timed + 1} checks, {after / 1024:.1f} MiB after {args.edits:,} more edits ({took:.0f} s)")
    s.request("shutdown", None)
    s.notify("exit", None)
    s.p.wait(10)
    ok = median <= 20 and after <= before * 1.1 + 4096
    print("ok" if ok else "GOAL MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
