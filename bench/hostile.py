#!/usr/bin/env python3
"""Hostile inputs, measured: a corpus of inputs built to find panics, quadratic paths, runaway
memory and runaway output, each run through every command and output format of the release
binary. Prints, per input and in the worst case per class, wall time, peak memory and output
size, against the goal: every input up to the default 1 MiB cap finishes in under 0.25 s, in
under 64 MiB, with under 2 MB of output; up to a cap raised to 16 MiB (`--cap 16777216`, run
with `--max-input-size`), in under 4 s and 400 MiB, with under 10 MB of output (linear).

    python3 bench/hostile.py [--quick] [--cap BYTES] [--bin PATH] [--only WORD]

--quick uses inputs a quarter of the size (for a first look); --bin measures another build
(say, an older release, for before/after figures); --only runs the classes whose name holds
WORD. Needs cargo and /usr/bin/time.

Besides the texts, classes of files a config names (issue 15): key files whose encryption asks
for any work or memory, one key or trust store named by thousands of connections, compose
mounts by the ten thousand, a probe with every timeout zero. Their goal is the issue's: every
run under 2 s, 200 MiB and 10 MB of output, exit never 101 or 134. Hostile key files are built
here as DER (structure real, ciphertext filler: nothing may decrypt them before pricing them);
real keys are made with `openssl` (those classes are skipped without it). A run is cut after
60 s (TIMEOUT).
"""
import argparse
import base64
import os
import shutil
import socket
import subprocess
import sys
import threading
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
        # `extends:` chains as long as the tool follows (1,000), one adding a variable and a
        # volume a link (its environments' budget stops it)
        write("compose-extends-chain.yml", "services:\n" + "".join(
            f"  e{i}: {{extends: e{i + 1}}}\n" for i in range(1, 1000)) +
            f'  e1000: {{environment: {{{var}: "x: {{base-url: https://x}}"}}}}\n'),
        write("compose-extends-growing.yml", "services:\n" + "".join(
            f'  e{i}: {{extends: e{i + 1}, environment: {{V{i}: "v{i}"}}, volumes: ["./d{i}:/d{i}"]}}\n'
            for i in range(1, 1000)) +
            f'  e1000: {{environment: {{{var}: "x: {{base-url: https://x}}"}}}}\n'),
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


# --- issue 15: files a config names ------------------------------------------------------
FILE_GOAL = (2.0, 200, 10)
BIG = ["--max-input-size", str(16 * 1024 * 1024)]


def tlv(tag, content):
    n = len(content)
    if n < 0x80:
        head = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + head + content


def seq(*items):
    return tlv(0x30, b"".join(items))


def der_int(n):
    return tlv(0x02, n.to_bytes(n.bit_length() // 8 + 1, "big"))


def der_oid(dotted):
    parts = [int(x) for x in dotted.split(".")]
    out = bytes([parts[0] * 40 + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.append(0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(reversed(chunk))
    return tlv(0x06, out)


def octets(b):
    return tlv(0x04, b)


def pbkdf2(iterations, prf="1.2.840.113549.2.9"):  # hmacWithSHA256
    return seq(der_oid("1.2.840.113549.1.5.12"),
               seq(octets(b"\x07" * 16), der_int(iterations), seq(der_oid(prf), tlv(0x05, b""))))


def scrypt(n, r, p):
    return seq(der_oid("1.3.6.1.4.1.11591.4.11"), seq(octets(b"\x07" * 16), der_int(n), der_int(r), der_int(p)))


def key_info(kdf, filler=144, encrypted=None):
    """EncryptedPrivateKeyInfo: PBES2 with `kdf` and AES-256-CBC, filler for the key (or the key
    `encrypted` for real)."""
    pbes2 = seq(der_oid("1.2.840.113549.1.5.13"), seq(kdf, seq(der_oid("2.16.840.1.101.3.4.1.42"), octets(b"\x03" * 16))))
    return seq(pbes2, octets(encrypted or b"\x5a" * filler))


def encrypted_key(plain, iterations, password=b"pw"):
    """`plain` (PKCS#8 DER) encrypted for real as `key_info(pbkdf2(iterations))` says, so that a
    tool which opens PKCS#12 bags without pricing them first spends the time (needs the
    `cryptography` module; `None` without it: filler)."""
    try:
        import hashlib
        from cryptography.hazmat.primitives import padding
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    except ImportError:
        return None
    key = hashlib.pbkdf2_hmac("sha256", password, b"\x07" * 16, iterations, 32)
    padder = padding.PKCS7(128).padder()
    data = padder.update(plain) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(b"\x03" * 16)).encryptor()
    return enc.update(data) + enc.finalize()


def pem(label, der):
    b = base64.b64encode(der).decode()
    return f"-----BEGIN {label}-----\n" + "\n".join(b[i:i + 64] for i in range(0, len(b), 64)) + f"\n-----END {label}-----\n"


def p12(bags, mac_iterations=None):
    """A PFX of one plain safe of shrouded key bags, with a SHA-256 MAC (filler digest)."""
    data = lambda content: seq(der_oid("1.2.840.113549.1.7.1"), tlv(0xA0, octets(content)))
    safe = seq(*[seq(der_oid("1.2.840.113549.1.12.10.1.2"), tlv(0xA0, b)) for b in bags])
    mac = b""
    if mac_iterations:
        mac = seq(seq(seq(der_oid("2.16.840.1.101.3.4.2.1"), tlv(0x05, b"")), octets(bytes(32))),
                  octets(b"\x01" * 8), der_int(mac_iterations))
    return seq(der_int(3), data(seq(data(safe))), mac)


def cert_auth(i, key=None, p12_file=None, cert="client.crt"):
    if p12_file:
        auth = f"p12-file: {p12_file}, password: pw"
    else:
        auth = f"certificate-file: {cert}, private-key-file: {key}, password: pw"
    return f"c{i}: {{base-url: https://fhir-{i}.example.org/fhir, cert-auth: {{{auth}}}}}\n"


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def silent_server():
    """A TCP port that accepts and never answers (the probe of `read-timeout: 0`)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    held = []

    def accept():
        while True:
            held.append(s.accept())

    threading.Thread(target=accept, daemon=True).start()
    return s.getsockname()[1]


def file_corpus():
    """Class -> [(name, [(label, argv)])]: configs with the files they name, and how to run them."""
    d = os.path.join(OUT, "files")
    os.makedirs(d, exist_ok=True)
    have_openssl = shutil.which("openssl") is not None

    def put(name, data):
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return path

    def four(cfg, extra=()):
        base = ["--base-dir", d, *extra]
        return [("check human", [BIN, "check", "--color", "never", *base, cfg]),
                ("check json", [BIN, "check", "--format", "json", *base, cfg]),
                ("explain human", [BIN, "explain", "--color", "never", *base, cfg]),
                ("explain json", [BIN, "explain", "--format", "json", *base, cfg])]

    classes = {}
    if have_openssl:
        if not os.path.exists(os.path.join(d, "client.crt")):
            openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", os.path.join(d, "ec.pem"))
            openssl("req", "-new", "-x509", "-key", os.path.join(d, "ec.pem"), "-subj", "/CN=client", "-days", "3650",
                    "-addext", "keyUsage=digitalSignature", "-addext", "extendedKeyUsage=clientAuth",
                    "-out", os.path.join(d, "client.crt"))
    else:
        put("client.crt", "")
    # key derivations a 2 KB file asks for: scrypt of 128 TiB (SIGABRT, exit 134 before), of
    # 1 GiB (5.5 s), p = 1,000 (32 s); PBKDF2 of 2^32 - 1 iterations (minutes); PKCS#12 files
    # (without MAC, their keys encrypted for real) of 50 keys of 1,000,000 iterations each
    # (4.8 s) and as many as 4 MiB hold (16,000 and more: half an hour), a MAC above the JDK's
    # limit
    plain = None
    if have_openssl:
        der = os.path.join(d, "ec.p8.der")
        if not os.path.exists(der):
            openssl("pkcs8", "-topk8", "-nocrypt", "-in", os.path.join(d, "ec.pem"), "-outform", "DER", "-out", der)
        with open(der, "rb") as f:
            plain = f.read()
    real = encrypted_key(plain, 1_000_000) if plain else None
    hostile = {
        "scrypt-2-40.key": pem("ENCRYPTED PRIVATE KEY", key_info(scrypt(1 << 40, 8, 1))),
        "scrypt-2-20.key": pem("ENCRYPTED PRIVATE KEY", key_info(scrypt(1 << 20, 8, 1))),
        "scrypt-p1000.key": pem("ENCRYPTED PRIVATE KEY", key_info(scrypt(1 << 14, 8, 1000))),
        "pbkdf2-max.key": pem("ENCRYPTED PRIVATE KEY", key_info(pbkdf2(2 ** 32 - 1))),
        "fifty.p12": p12([key_info(pbkdf2(1_000_000), encrypted=real)] * 50),
        "many.p12": p12([key_info(pbkdf2(1_000_000), filler=48, encrypted=real)]
                        * (3_600_000 // len(seq(key_info(pbkdf2(1_000_000), filler=48, encrypted=real))))),
        "mac.p12": p12([key_info(pbkdf2(2048))], mac_iterations=6_000_000),
    }
    runs = []
    for name, data in hostile.items():
        put(name, data)
        cfg = put(f"cfg-{name}.yaml", cert_auth(0, p12_file=name) if name.endswith(".p12") else cert_auth(0, key=name))
        runs.append((name, four(cfg)))
    if have_openssl:
        # 40 keys of 600,000 iterations each (OWASP's count): the run's budget stops them adding up
        for i in range(40):
            k = os.path.join(d, f"owasp-{i}.key")
            if not os.path.exists(k):
                openssl("pkcs8", "-topk8", "-in", os.path.join(d, "ec.pem"), "-v2", "aes-256-cbc", "-v2prf",
                        "hmacWithSHA256", "-iter", "600000", "-passout", "pass:pw", "-out", k)
        cfg = put("cfg-owasp-40.yaml", "".join(cert_auth(i, key=f"owasp-{i}.key") for i in range(40)))
        runs.append(("40 keys of 600,000", four(cfg)))
    classes["costly key derivations"] = runs
    if have_openssl:
        # one key worked on once, however many connections name it: an encrypted EC key (2,048
        # iterations) by 10,000 (39 s for 102,976 before), a `.p12` of -iter 1000000 by 10 (2.7 s),
        # a plain P-384 key by 3,000 (3.2 s: its public point derived per connection)
        enc, p12f, p384 = (os.path.join(d, n) for n in ("one.key", "iter1m.p12", "p384.key"))
        if not os.path.exists(p384):
            openssl("pkcs8", "-topk8", "-in", os.path.join(d, "ec.pem"), "-v2", "aes-256-cbc", "-passout", "pass:pw", "-out", enc)
            openssl("pkcs12", "-export", "-inkey", os.path.join(d, "ec.pem"), "-in", os.path.join(d, "client.crt"),
                    "-iter", "1000000", "-passout", "pass:pw", "-out", p12f)
            openssl("ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", os.path.join(d, "p384-sec1.pem"))
            openssl("pkcs8", "-topk8", "-nocrypt", "-in", os.path.join(d, "p384-sec1.pem"), "-out", p384)
            openssl("req", "-new", "-x509", "-key", p384, "-subj", "/CN=p384", "-days", "3650",
                    "-addext", "keyUsage=digitalSignature", "-addext", "extendedKeyUsage=clientAuth",
                    "-out", os.path.join(d, "p384.crt"))
        classes["one key, many connections"] = [
            ("encrypted key x10,000", four(put("cfg-one-key.yaml", "".join(cert_auth(i, key="one.key") for i in range(10_000))), BIG)),
            ("p12 -iter 1000000 x10", four(put("cfg-p12.yaml", "".join(cert_auth(i, p12_file="iter1m.p12") for i in range(10))))),
            ("plain P-384 key x3,000", four(put("cfg-p384.yaml", "".join(cert_auth(i, key="p384.key", cert="p384.crt") for i in range(3_000)))))]
        # a trust store of 6,538 certificates (4 MiB) named by 1,000 connections (618 MB of explain)
        with open(os.path.join(d, "client.crt")) as f:
            put("big-store.pem", f.read() * 6_538)
        cfg = put("cfg-store.yaml", "".join(
            f"c{i}: {{base-url: https://fhir-{i}.example.org/fhir, trusted-root-certificates-file: big-store.pem}}\n"
            for i in range(1_000)))
        classes["trust store fan-out"] = [("6,538 certificates x1,000", four(cfg))]
    # compose: 10,000 bind mounts and 10,000 connections (5.2 s); the same lists anchored once
    # and aliased into 6 services (31 s)
    var = "DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG"
    conns = "".join(f"      c{i}: {{base-url: 'https://f{i}.example.org/fhir', trusted-root-certificates-file: /m/{i}/ca.pem}}\n"
                    for i in range(10_000))
    vols = "".join(f"      - ./m{i}:/m/{i}:ro\n" for i in range(10_000))
    one = put("compose-mounts.yml", f"services:\n  bpe:\n    environment:\n      {var}: |\n" +
              conns.replace("      c", "        c") + "    volumes:\n" + vols)
    six = put("compose-mounts-6.yml", "x-env: &env\n  " + var + ": |\n" + conns.replace("      c", "    c") +
              "x-vol: &vol\n" + vols.replace("      -", "  -") + "services:\n" +
              "".join(f"  bpe{j}:\n    environment: *env\n    volumes: *vol\n" for j in range(6)))
    compose = lambda path: [("check json", [BIN, "check", "--format", "json", *BIG, path]),
                            ("explain json", [BIN, "explain", "--format", "json", *BIG, path])]
    classes["compose mounts"] = [("10,000 x 10,000", compose(one)), ("aliased into 6 services", compose(six))]
    # a probe of a silent server whose timeouts are all zero, with --probe-timeout 0
    port = silent_server()
    cfg = put("cfg-silent.yaml", f"c:\n  base-url: https://127.0.0.1:{port}/fhir\n  trusted-root-certificates-file: client.crt\n"
              "  connect-timeout: PT0S\n  read-timeout: PT0S\n")
    classes["probe timeout zero"] = [
        ("--probe-timeout 0", [("check", [BIN, "check", "--base-dir", d, "--test-connections", "--probe-timeout", "0", cfg])]),
        ("--probe-timeout 1s", [("check", [BIN, "check", "--base-dir", d, "--test-connections", "--probe-timeout", "1s", cfg])])]
    return classes


def measure(cmd, timeout=60):
    """Wall time, peak MiB, MB of output and exit code (`TIMEOUT`: cut after `timeout` s, the
    whole process group killed)."""
    import signal
    t = time.perf_counter()
    p = subprocess.Popen(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        return time.perf_counter() - t, float("nan"), len(out) / 1e6, "TIMEOUT"
    wall = time.perf_counter() - t
    try:
        mib = int(err.decode().strip().splitlines()[-1]) / 1024
    except (ValueError, IndexError):
        mib = float("nan")
    return wall, mib, len(out) / 1e6, p.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--cap", type=int, default=DEFAULT_CAP, help="input cap in bytes (1 MiB or 16 MiB)")
    ap.add_argument("--bin", help="the binary to measure (default: a fresh release build)")
    ap.add_argument("--only", help="run only the classes whose name holds this")
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
    runs = [(cls, goal_s, goal_mib, goal_mb, [(p, os.path.basename(p), list(commands(p, args.cap))) for p in paths])
            for cls, paths in corpus(0.25 if args.quick else 1.0).items()]
    runs += [(cls, *FILE_GOAL, [(None, name, cmds) for name, cmds in entries])
             for cls, entries in file_corpus().items()]
    for cls, g_s, g_mib, g_mb, entries in runs:
        if args.only and args.only not in cls:
            continue
        # each measure at its own worst (the slowest run need not be the largest)
        worst = [(0.0, ""), (0.0, ""), (0.0, "")]
        for p, name, cmds in entries:
            size = os.path.getsize(p) / 1e6 if p else float("nan")
            for label, cmd in cmds:
                wall, mib, mb, rc = measure(cmd)
                flag = "" if rc in (0, 1, 3) else f"  EXIT {rc}"
                print(f"{name:34} {size:6.1f} MB  {label:14} {wall:6.2f} s {mib:7.1f} MiB {mb:7.2f} MB out{flag}")
                if rc not in (0, 1, 2, 3):
                    worst_all.append(("crash", cls, name, label, rc))
                what = f"{name} ({label})"
                worst = [max(w, (v, what)) for w, v in zip(worst, (wall, mib, mb))]
        print(f"== {cls}: worst {worst[0][0]:.2f} s ({worst[0][1]}), {worst[1][0]:.0f} MiB "
              f"({worst[1][1]}), {worst[2][0]:.2f} MB out ({worst[2][1]})\n")
        worst_all.append((cls, worst, (g_s, g_mib, g_mb)))
    print(f"worst case per class at a cap of {args.cap} bytes (goal: < {goal_s} s, < {goal_mib} MiB, < {goal_mb} MB output; "
          f"files named by a config: < {FILE_GOAL[0]} s, < {FILE_GOAL[1]} MiB, < {FILE_GOAL[2]} MB):")
    failed = False
    for row in worst_all:
        if row[0] == "crash":
            print(f"  CRASH: {row}")
            failed = True
            continue
        cls, ((wall, t_what), (mib, m_what), (mb, o_what)), (g_s, g_mib, g_mb) = row
        ok = wall < g_s and mib < g_mib and mb < g_mb
        failed |= not ok
        print(f"  {cls:30} {'ok' if ok else 'OVER'}  {wall:5.2f} s {t_what}; {mib:4.0f} MiB {m_what}; "
              f"{mb:5.2f} MB {o_what}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
