#!/usr/bin/env python3
"""Differential test suite: the real Dante (danted) versus relaylint, fixture by fixture.

For every fixture tree under fixtures/dante/<case>/ this script

  1. copies the fixture's danted.conf / sockd.conf, points every reachable
     `internal:` line at the lab's daemon address (its port kept; loopback
     internals are kept as they are and not probed), `external:` at the
     lab's outgoing address and `logoutput:` at a file; access rules are
     never touched,
  2. starts `danted -f CONF -N 1 -p PID` in a private network namespace wired
     to an untrusted client namespace (203.0.113.66) and a foreign host
     namespace (198.51.100.25, a fake SMTP banner on :25 and HTTP on :80),
  3. probes from the client: SOCKS5 offering only "no authentication",
     CONNECT to the foreign host's ports 25 and 80, and SOCKS4 CONNECT to
     port 25; the client namespace runs an identd that answers `nobody`, as
     any client's owner could. The daemon is `open` when a probe is granted,
     `refuses-to-start` when danted exits at startup, else `closed`,
  4. runs `relaylint check --format json --fail-on never` on the fixture:
     DN001 -> open, else DN002 -> refuses-to-start, else closed,
  5. replays every DN001 witness (client address, SOCKS version, method and
     port from the finding's `witness:` note) against the same daemon,
     from the witness's own client address,
  6. compares case.toml, the daemon and relaylint; every replayed witness
     must be granted.

Python 3.11+ standard library only. Runs as root (network namespaces). The
namespace plumbing (`Lab`) comes from run.py next to this file. The helper
programs that run inside the namespaces are this file started as
`dante.py _<helper> ...`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as lab_support  # noqa: E402  (the Lab and process helpers of the Postfix suite)

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    tomllib = None

SELF = Path(__file__).resolve()
REPO = SELF.parents[2]
PYTHON = sys.executable or "/usr/bin/python3"
DAEMON_IP = lab_support.DAEMON_IP
DAEMON_OUT_IP = lab_support.DAEMON_OUT_IP
FOREIGN_IP = lab_support.FOREIGN_IP
CLIENT_IP = lab_support.CLIENT_IP
IDENT_USER = "nobody"
FOREIGN_PORTS = (25, 80)
REQUIRED_TOOLS = ("danted", "ip", "unshare", "mount", "hostname")
INSTALL_HINT = "run .ci/install-daemons.sh (as root): it installs dante-server and iproute2"
VERBOSE = False

INTERNAL = re.compile(r"^(\s*)internal(\s*:\s*)(\S+)(.*)$")
EXTERNAL = re.compile(r"^\s*external\s*:")
LOGOUT = re.compile(r"^\s*(logoutput|errorlog)\s*:")
PORT = re.compile(r"port\s*(?:=|eq)?\s*(\d+)")
WITNESS = re.compile(r"^witness: client (\S+), SOCKS([45]), method (\S+), (CONNECT|BIND|UDP ASSOCIATE) "
                     r"destination (\S+) port (\d+)$")


def vlog(msg: str) -> None:
    if VERBOSE:
        print("    [dante.py] " + msg, file=sys.stderr)


def is_loopback_token(tok: str) -> bool:
    return (tok.startswith("127.") or tok in ("::1", "lo", "localhost")
            or re.fullmatch(r"lo\d+", tok) is not None)


# ---------------------------------------------------------------------------
# helpers run inside the namespaces
# ---------------------------------------------------------------------------
def helper_foreign(ready: str, *ports: str) -> None:
    """Accepts on the given ports: a banner on 25, an HTTP answer elsewhere."""
    def serve(sock: socket.socket, port: int) -> None:
        while True:
            conn, _ = sock.accept()
            try:
                if port == 25:
                    conn.sendall(b"220 foreign.example.net ESMTP\r\n")
                else:
                    conn.settimeout(2)
                    try:
                        conn.recv(1024)
                    except OSError:
                        pass
                    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
            except OSError:
                pass
            finally:
                conn.close()
    for p in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", int(p)))
        s.listen(16)
        threading.Thread(target=serve, args=(s, int(p)), daemon=True).start()
    Path(ready).write_text("ok")
    while True:
        time.sleep(3600)


def helper_identd(ready: str, user: str) -> None:
    """Answers every ident (RFC 1413) query with `user`, as an attacker would."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", 113))
    s.listen(16)
    Path(ready).write_text("ok")
    while True:
        conn, _ = s.accept()
        try:
            conn.settimeout(3)
            q = conn.recv(256).decode("ascii", "replace").strip()
            conn.sendall(("%s : USERID : UNIX : %s\r\n" % (q, user)).encode())
        except OSError:
            pass
        finally:
            conn.close()


def socks_request(spec: dict) -> dict:
    """One SOCKS request from spec['source'] to the daemon; returns what the
    daemon answered. SOCKS5 offers only method 0x00 (no authentication)."""
    out: dict = {}
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(6)
    try:
        if spec.get("source"):
            s.bind((spec["source"], 0))
        s.connect((spec["host"], spec["port"]))
        dst = socket.inet_aton(spec["dst"])
        dport = spec["dport"].to_bytes(2, "big")
        if spec["version"] == 4:
            s.sendall(b"\x04\x01" + dport + dst + IDENT_USER.encode() + b"\x00")
            r = recv_exact(s, 8)
            out["rep"] = r[1]
            out["granted"] = r[1] == 0x5A
        else:
            s.sendall(b"\x05\x01\x00")
            r = recv_exact(s, 2)
            out["method"] = r[1]
            if r[1] != 0:
                out["granted"] = False
                return out
            s.sendall(b"\x05\x01\x00\x01" + dst + dport)
            r = recv_exact(s, 10)
            out["rep"] = r[1]
            out["granted"] = r[1] == 0
        if out.get("granted"):
            if spec["dport"] != 25:
                s.sendall(b"GET / HTTP/1.0\r\nHost: foreign.example.net\r\n\r\n")
            try:
                out["banner"] = s.recv(64).decode("ascii", "replace").strip()[:40]
            except OSError:
                pass
    except OSError as e:
        out["err"] = "%s: %s" % (type(e).__name__, e)
        out["granted"] = False
    finally:
        s.close()
    return out


def recv_exact(s: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionResetError("connection closed after %d bytes" % len(buf))
        buf += chunk
    return buf


def helper_probe() -> None:
    """Reads a JSON list of requests on stdin, prints a JSON list of answers."""
    specs = json.load(sys.stdin)
    print(json.dumps([socks_request(s) for s in specs]))


HELPERS = {"_foreign": helper_foreign, "_identd": helper_identd, "_probe": helper_probe}


# ---------------------------------------------------------------------------
# one fixture
# ---------------------------------------------------------------------------
@dataclass
class Witness:
    source: str
    version: int
    method: str
    command: str
    dest: str
    port: int
    result: str = "untested"
    detail: str = ""


@dataclass
class Outcome:
    daemon: str = "error"
    detail: str = ""
    witnesses: list[Witness] = field(default_factory=list)


def rewrite(conf_text: str, inst: Path) -> tuple[str, list[int]]:
    """The lab's copy of a config: reachable internals on the daemon address,
    external on the outgoing address, logging to a file. Returns the text and
    the ports to probe."""
    out = ["logoutput: %s" % (inst / "danted.log")]
    ports: list[int] = []
    external_done = False
    for line in conf_text.splitlines():
        m = INTERNAL.match(line)
        if m:
            tok = m.group(3)
            pm = PORT.search(m.group(4))
            port = int(pm.group(1)) if pm else 1080
            if is_loopback_token(tok):
                out.append(line)  # stays on loopback, out of the client's reach
            elif port not in ports:
                ports.append(port)
                out.append("%sinternal%s%s port = %d" % (m.group(1), m.group(2), DAEMON_IP, port))
            continue
        if EXTERNAL.match(line):
            if not external_done:
                out.append("external: %s" % DAEMON_OUT_IP)
                external_done = True
            continue
        if LOGOUT.match(line):
            continue
        out.append(line)
    return "\n".join(out) + "\n", ports


def start_daemon(lab, conf: Path, inst: Path) -> subprocess.Popen:
    log = open(inst / "danted.out", "w")
    try:
        p = subprocess.Popen(lab.daemon_argv(["danted", "-f", conf, "-N", "1", "-p", inst / "danted.pid"]),
                             env=lab.daemon_env(), stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL)
    finally:
        log.close()
    lab.procs.append(p)
    return p


def daemon_log(inst: Path) -> str:
    text = ""
    for name in ("danted.out", "danted.log"):
        try:
            text += (inst / name).read_text(errors="replace")
        except OSError:
            pass
    return text


def first_error(text: str) -> str:
    for line in text.splitlines():
        if re.search(r"\b(error|alert)\b", line):
            return lab_support.squeeze(re.sub(r"^.*?danted\[\d+\]: ", "", line), 200)
    return lab_support.squeeze(text[-200:], 200)


def probe(lab, specs: list[dict]) -> list[dict]:
    r = subprocess.run(["ip", "netns", "exec", lab.client_ns, PYTHON, str(SELF), "_probe"],
                       input=json.dumps(specs), capture_output=True, text=True, timeout=60)
    try:
        return json.loads(r.stdout)
    except json.JSONDecodeError:
        raise lab_support.HarnessError("probe failed: %s" % lab_support.squeeze(r.stderr))


def wait_listening(lab, port: int, proc: subprocess.Popen, timeout: float = 15) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return "danted exited rc=%s" % proc.returncode
        r = subprocess.run(["ip", "netns", "exec", lab.daemon_ns, "ss", "-Hltn", "sport = :%d" % port],
                           capture_output=True, text=True)
        if r.stdout.strip():
            return None
        time.sleep(0.1)
    return "danted is not listening on port %d after %ds" % (port, timeout)


def run_fixture(case: Path, work: Path, witnesses: list[Witness]) -> Outcome:
    out = Outcome(witnesses=witnesses)
    confs = sorted(case.glob("etc/*.conf"))
    if not confs:
        out.detail = "no etc/*.conf in the fixture"
        return out
    inst = work / case.name
    inst.mkdir(parents=True, exist_ok=True)
    os.chmod(inst, 0o777)
    text, ports = rewrite(confs[0].read_text(errors="replace"), inst)
    conf = inst / "sockd.conf"
    conf.write_text(text)
    (inst / "danted.log").touch()
    os.chmod(inst / "danted.log", 0o666)
    lab = lab_support.Lab(re.sub(r"[^a-z0-9]", "", case.name)[:6], inst / "lab")
    try:
        lab.up()
        extra = sorted({w.port for w in witnesses} - set(FOREIGN_PORTS))
        start_helper(lab, lab.foreign_ns, "_foreign", inst / "foreign.ready",
                     *[str(p) for p in (*FOREIGN_PORTS, *extra)])
        start_helper(lab, lab.client_ns, "_identd", inst / "identd.ready", IDENT_USER)
        proc = start_daemon(lab, conf, inst)
        if not ports:
            time.sleep(1.5)
            if proc.poll() is not None:
                out.daemon, out.detail = "refuses-to-start", first_error(daemon_log(inst))
            else:
                out.daemon, out.detail = "closed", "only loopback internal addresses: nothing to probe"
            return out
        err = wait_listening(lab, ports[0], proc)
        if err:
            if proc.poll() is not None:
                out.daemon = "refuses-to-start"
                out.detail = first_error(daemon_log(inst))
            else:
                out.daemon, out.detail = "error", err
            return out
        specs = [
            {"host": DAEMON_IP, "port": ports[0], "dst": FOREIGN_IP, "dport": 25, "version": 5},
            {"host": DAEMON_IP, "port": ports[0], "dst": FOREIGN_IP, "dport": 80, "version": 5},
            {"host": DAEMON_IP, "port": ports[0], "dst": FOREIGN_IP, "dport": 25, "version": 4},
        ]
        answers = probe(lab, specs)
        names = ("socks5:25", "socks5:80", "socks4:25")
        granted = [n for n, a in zip(names, answers) if a.get("granted")]
        out.daemon = "open" if granted else "closed"
        out.detail = "open_via=%s; %s" % (",".join(granted) or "none", "; ".join(
            "%s %s" % (n, describe(a)) for n, a in zip(names, answers)))
        replay(lab, ports[0], witnesses)
        return out
    finally:
        lab.down()


def start_helper(lab, ns: str, name: str, ready: Path, *args: str) -> None:
    log = open(ready.with_suffix(".log"), "a")
    try:
        p = lab.spawn(ns, [PYTHON, str(SELF), name, str(ready), *args],
                      stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    finally:
        log.close()
    deadline = time.monotonic() + 10
    while not ready.exists():
        if p.poll() is not None or time.monotonic() > deadline:
            raise lab_support.HarnessError("helper %s did not start" % name)
        time.sleep(0.02)


def describe(a: dict) -> str:
    if "err" in a:
        return a["err"]
    if a.get("method") not in (None, 0):
        return "method=0x%02x" % a["method"]
    return "rep=0x%02x%s" % (a.get("rep", 0), " granted" if a.get("granted") else "")


LAB_ADDRESSES = {DAEMON_IP, DAEMON_OUT_IP, FOREIGN_IP}


def add_foreign_address(lab, ip: str) -> None:
    """Makes the foreign host answer on `ip` too (the witness's destination),
    routed from the daemon's outgoing side."""
    if ip == FOREIGN_IP or ip in getattr(lab, "foreign_addrs", set()):
        return
    lab_support.run(["ip", "-n", lab.foreign_ns, "addr", "add", ip + "/32", "dev", "eth0"], check=True)
    lab_support.run(["ip", "-n", lab.daemon_ns, "route", "add", ip + "/32", "dev", "eth1",
                     "src", DAEMON_OUT_IP], check=True)
    lab.foreign_addrs = getattr(lab, "foreign_addrs", set()) | {ip}


def replay(lab, port: int, witnesses: list[Witness]) -> None:
    for w in witnesses:
        if w.command != "CONNECT":
            w.result, w.detail = "untested", "only CONNECT witnesses are replayed"
            continue
        if ":" in w.source:
            w.result, w.detail = "untested", "the lab has no IPv6"
            continue
        if w.source in LAB_ADDRESSES or w.dest == CLIENT_IP or ":" in w.dest or (w.dest in LAB_ADDRESSES and w.dest != FOREIGN_IP):
            w.result, w.detail = "untested", "the witness uses an address the lab itself holds"
            continue
        try:
            lab.add_client_address(w.source)
            add_foreign_address(lab, w.dest)
        except lab_support.HarnessError as e:
            w.result, w.detail = "untested", str(e)
            continue
        a = probe(lab, [{"host": DAEMON_IP, "port": port, "source": w.source, "dst": w.dest,
                         "dport": w.port, "version": w.version}])[0]
        w.result = "confirmed" if a.get("granted") else "REFUTED"
        w.detail = describe(a)


# ---------------------------------------------------------------------------
# relaylint
# ---------------------------------------------------------------------------
def relaylint_verdict(binary: Path, case: Path) -> tuple[str, list[Witness], str]:
    r = subprocess.run([str(binary), "check", "--format", "json", "--fail-on", "never",
                        "--color", "never", str(case)], capture_output=True, text=True, timeout=60)
    try:
        report = json.loads(r.stdout)
    except json.JSONDecodeError:
        return "error", [], "relaylint: %s" % lab_support.squeeze(r.stderr or r.stdout)
    codes = [f["code"] for f in report.get("findings", [])]
    witnesses: list[Witness] = []
    for f in report.get("findings", []):
        if f["code"] != "DN001":
            continue
        for note in f.get("notes", []):
            m = WITNESS.match(note)
            if m:
                witnesses.append(Witness(m.group(1), int(m.group(2)), m.group(3), m.group(4),
                                         m.group(5), int(m.group(6))))
    verdict = "open" if "DN001" in codes else "refuses-to-start" if "DN002" in codes else "closed"
    return verdict, witnesses, ",".join(codes)


# ---------------------------------------------------------------------------
# driver
# ---------------------------------------------------------------------------
def preflight(args) -> Path | None:
    if os.geteuid() != 0:
        print("dante.py: must run as root: it creates network namespaces and starts danted\n"
              "          (try: sudo python3 %s)" % os.path.relpath(SELF), file=sys.stderr)
        sys.exit(2)
    if tomllib is None:
        print("dante.py: Python 3.11 or later is required (tomllib)", file=sys.stderr)
        sys.exit(2)
    os.environ["PATH"] = os.environ.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin"
    missing = [t for t in REQUIRED_TOOLS if not shutil.which(t)]
    if missing:
        print("dante.py: missing: %s\n          %s" % (", ".join(missing), INSTALL_HINT),
              file=sys.stderr)
        sys.exit(2)
    return lab_support.relaylint_binary(args, "dante.py")


def main(argv: list[str]) -> int:
    global VERBOSE
    ap = argparse.ArgumentParser(description="real danted versus relaylint on fixtures/dante")
    ap.add_argument("--relaylint", default="target/debug/relaylint")
    ap.add_argument("--fixtures", default=str(REPO / "fixtures" / "dante"))
    ap.add_argument("-k", dest="select", default=None, help="only cases whose name contains this")
    ap.add_argument("--daemon-only", action="store_true")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args(argv)
    VERBOSE = args.v
    binary = preflight(args)
    lab_support.become_subreaper()
    root = Path(args.fixtures)
    cases = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    if args.select:
        cases = [c for c in cases if args.select in c.name]
    if not cases:
        print("dante.py: no fixtures under %s" % root, file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    work = Path(tempfile.mkdtemp(prefix="rl-dante-"))
    passed = failed = 0
    try:
        for case in cases:
            t0 = time.monotonic()
            try:
                expected = tomllib.loads((case / "case.toml").read_text()).get("verdict", "?")
            except (OSError, tomllib.TOMLDecodeError) as e:
                expected = "?"
                vlog("case.toml: %s" % e)
            rl, witnesses, codes = ("-", [], "")
            if binary is not None:
                rl, witnesses, codes = relaylint_verdict(binary, case)
            try:
                out = run_fixture(case, work, witnesses)
            except (lab_support.HarnessError, subprocess.SubprocessError, OSError) as e:
                out = Outcome(daemon="error", detail=str(e), witnesses=witnesses)
            refuted = [w for w in witnesses if w.result == "REFUTED"]
            confirmed = any(w.result == "confirmed" for w in witnesses)
            agree = (binary is None or rl == out.daemon
                     or (rl == "open" and out.daemon == "closed" and confirmed))
            ok = out.daemon == expected and agree and not refuted
            wsum = "-" if not witnesses else ("REFUTED" if refuted else
                                              "confirmed" if confirmed else "untested")
            print("%-50s expected=%-16s daemon=%-16s relaylint=%-16s witness=%-9s %s  %.1fs" % (
                case.name, expected, out.daemon, rl, wsum, "OK" if ok else "MISMATCH",
                time.monotonic() - t0))
            if not ok or VERBOSE:
                print("    daemon: %s" % out.detail)
                if codes:
                    print("    relaylint: %s" % codes)
            for w in witnesses:
                if not ok or VERBOSE or w.result != "confirmed":
                    print("    witness: %s from %s SOCKS%d method %s %s port %d -> %s" % (
                        w.result, w.source, w.version, w.method, w.command, w.port, w.detail))
            passed += ok
            failed += not ok
    finally:
        if args.keep:
            print("kept: %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in HELPERS:
        HELPERS[sys.argv[1]](*sys.argv[2:])
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
