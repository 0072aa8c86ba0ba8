#!/usr/bin/env python3
"""Host differential suite: the real Squid and the real Postfix side by side,
against relaylint's host-level finding (SQ013 squid-reaches-local-relay).

For every fixture tree under fixtures/host/<case>/ (etc/postfix/main.cf,
optionally master.cf, and etc/squid/squid.conf) this script

  1. prepares a private Postfix instance and a private Squid instance from
     the tree, exactly as tests/differential/run.py and squid.py do (only
     housekeeping changes; loopback listeners stay on loopback, other bind
     addresses become the lab's daemon address),
  2. starts both in the same daemon network namespace, so that they share
     one loopback interface as they would on one machine,
  3. from the untrusted client (203.0.113.66), on every Squid port that
     listens, sends `CONNECT 127.0.0.1:25`, `CONNECT localhost:25` and
     `CONNECT <the daemon's own address>:25`; when Squid answers 200 it speaks
     SMTP through the tunnel: EHLO, MAIL FROM:<a@example.org>,
     RCPT TO:<victim@example.net> (never DATA). A 2xx to RCPT TO through any
     tunnel is `open` (the host relays for strangers through its proxy),
     anything else `closed`,
  4. runs `relaylint check --format json --fail-on never --select SQ013` on
     the tree (`open` when SQ013 is reported),
  5. compares case.toml's verdict, the daemon pair's and relaylint's.

Python 3.11+ standard library only; needs root and the Debian postfix and
squid packages. The network lab and both instance builders are imported from
run.py and squid.py next to this file. The tunnel client runs inside the
client namespace as `host.py _tunnel` (JSON plan on stdin).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SELF = Path(__file__).resolve()
sys.path.insert(0, str(SELF.parent))
import run as pf_mod  # noqa: E402
import squid as sq_mod  # noqa: E402
import dante as dn_mod  # noqa: E402
from run import (DAEMON_HOSTNAME, DAEMON_IP, FOREIGN_DOMAIN, FOREIGN_IP, HELO, SENDER,  # noqa: E402
                 VICTIM, CaseTimeout, HarnessError, Interrupted, Lab, PostfixInstance, TlsPem,
                 become_subreaper, literal_domains, reap_orphans, squeeze, zone_for)

REPO = SELF.parents[2]
PYTHON = sys.executable or "/usr/bin/python3"
VERDICTS = ("open", "closed")
ERROR = "error"
CODES = ("SQ013", "DN013")
DANTE_CONFS = ("etc/danted.conf", "etc/sockd.conf")


@dataclass
class Case:
    name: str
    path: Path
    expected: str
    summary: str


def load_cases(root: Path, select: str | None) -> list[Case]:
    import tomllib
    out = []
    for d in sorted(p for p in root.iterdir() if p.is_dir()):
        if select and select not in d.name:
            continue
        meta = {}
        if (d / "case.toml").exists():
            meta = tomllib.loads((d / "case.toml").read_text())
        out.append(Case(d.name, d, str(meta.get("verdict", "")), str(meta.get("summary", ""))))
    return out


def relaylint_verdict(binary: Path, fixture: Path) -> tuple[str, str]:
    r = subprocess.run([str(binary), "check", "--format", "json", "--fail-on", "never",
                        str(fixture)], capture_output=True, text=True, timeout=120)
    try:
        doc = json.loads(r.stdout)
    except json.JSONDecodeError:
        return ERROR, "relaylint output is not JSON: " + squeeze(r.stderr or r.stdout)
    findings = doc.get("findings", doc) if isinstance(doc, dict) else doc
    hits = [f for f in findings if isinstance(f, dict) and f.get("code") in CODES]
    if hits:
        return "open", "%s at %s:%s" % (hits[0].get("code"), hits[0].get("path"),
                                        hits[0].get("line"))
    return "closed", ""


def start_postfix(inst: PostfixInstance, lab: Lab) -> str | None:
    inst.copy_fixture()
    refusal = inst.configure()
    if refusal:
        return refusal
    inst.rewrite_master()
    inst.read_services()
    inst.resolve_listeners()
    inst.build_maps()
    inst.age_files()
    # the private name service first: smtpd looks up its clients
    zone = lab.dir / "zone.json"
    zone.write_text(json.dumps(zone_for(inst)))
    lab.spawn_helper(lab.daemon_ns, "dns", zone, lab.dir / "dns.ready",
                     ready=lab.dir / "dns.ready")
    return inst.start()


def start_squid(inst: sq_mod.SquidInstance, lab: Lab) -> tuple[str | None, list[int]]:
    r = lab.in_daemon(["squid", "-k", "parse", "-f", inst.conf], timeout=60)
    if r.returncode != 0:
        return "squid -k parse rc=%d" % r.returncode, []
    out = open(inst.work / "squid.out", "w")
    try:
        daemon = subprocess.Popen(lab.daemon_argv(["squid", "-N", "-f", inst.conf]),
                                  env=lab.daemon_env(), stdin=subprocess.DEVNULL,
                                  stdout=out, stderr=subprocess.STDOUT)
    finally:
        out.close()
    lab.procs.append(daemon)
    wanted = {p.port for p in inst.ports if p.mode != "loopback"}
    if not wanted:
        # loopback listeners only: nothing for the client to reach, as long
        # as Squid runs at all
        time.sleep(2)
        if daemon.poll() is not None:
            return "squid exited rc=%s" % daemon.returncode, []
        return None, []
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        if daemon.poll() is not None:
            return "squid exited rc=%s" % daemon.returncode, []
        up = sq_mod.listening_ports(lab) & wanted
        if up:
            time.sleep(0.3)
            return None, sorted(sq_mod.listening_ports(lab) & wanted)
        time.sleep(0.1)
    return "squid listens on none of %s after 40s" % sorted(wanted), []


def start_dante(conf: Path, work: Path, lab: Lab) -> tuple[str | None, list[int]]:
    work.mkdir(parents=True)
    os.chmod(work, 0o777)
    text, ports = dn_mod.rewrite(conf.read_text(errors="replace"), work)
    conf_copy = work / "danted.conf"
    conf_copy.write_text(text)
    proc = dn_mod.start_daemon(lab, conf_copy, work)
    if not ports:
        time.sleep(1.5)
        if proc.poll() is not None:
            return "danted exited rc=%s" % proc.returncode, []
        return None, []
    for port in ports:
        why = dn_mod.wait_listening(lab, port, proc)
        if why:
            return why, []
    return None, ports


def run_pair(case: Case, work: Path, tag: str, tls: TlsPem) -> tuple[str, str]:
    work.mkdir(parents=True)
    lab = Lab("hx" + tag, work / "lab")
    pf = PostfixInstance(case.path, work / "pf", lab, tls)
    sq = sq_mod.SquidInstance(case.path, work / "squid")
    try:
        lab.up()
        dante_conf = next((case.path / c for c in DANTE_CONFS if (case.path / c).is_file()),
                          None)
        if dante_conf is None:
            sq.work.mkdir()
            sq.prepare()
        lab.write_hosts(["127.0.0.1 localhost",
                         "%s %s" % (DAEMON_IP, DAEMON_HOSTNAME),
                         "%s %s mail.%s" % (FOREIGN_IP, FOREIGN_DOMAIN, FOREIGN_DOMAIN)])
        why = start_postfix(pf, lab)
        if why:
            raise HarnessError("postfix did not start: " + squeeze(why))
        if dante_conf is None:
            kind = "squid"
            why, ports = start_squid(sq, lab)
        else:
            kind = "dante"
            why, ports = start_dante(dante_conf, work / "dante", lab)
        if why:
            raise HarnessError("%s did not start: %s" % (kind, squeeze(why)))
        if not ports:
            return "closed", "no %s port reachable from outside" % kind
        plan = {"kind": kind, "host": DAEMON_IP, "ports": ports, "timeout": 8,
                "targets": ["127.0.0.1:25", "localhost:25", DAEMON_IP + ":25", "127.0.0.1:587"],
                "helo": HELO, "sender": SENDER, "rcpt": VICTIM}
        p = lab.spawn(lab.client_ns, [PYTHON, str(SELF), "_tunnel"], stdin=subprocess.PIPE,
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            out, err = p.communicate(json.dumps(plan), timeout=120)
        except subprocess.TimeoutExpired:
            raise HarnessError("tunnel client hung")
        try:
            answers = json.loads(out)
        except json.JSONDecodeError:
            raise HarnessError("tunnel client failed: " + squeeze(err or out))
        open_via = [a["where"] for a in answers if a.get("relayed")]
        detail = " | ".join("%s: %s" % (a["where"], a.get("result", "?")) for a in answers)
        return ("open" if open_via else "closed"), detail
    finally:
        signal.alarm(0)
        lab.down()


def record(case: Case, verdict: str, detail: str) -> None:
    def q(text: str) -> str:
        return json.dumps(text)  # a JSON string is a valid TOML basic string
    (case.path / "case.toml").write_text("verdict = %s\nsummary = %s\noracle = %s\n" % (
        q(verdict), q(case.summary), q("host.py: %s %s" % (verdict.upper(), squeeze(detail, 600)))))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="host.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--relaylint", default="target/debug/relaylint")
    ap.add_argument("--fixtures", default="fixtures/host")
    ap.add_argument("-k", dest="select", metavar="SUBSTRING")
    ap.add_argument("--daemon-only", action="store_true",
                    help="do not run relaylint; compare the daemons with case.toml only")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--record", action="store_true",
                    help="write the daemons' verdict and answers into each case.toml")
    args = ap.parse_args(argv)
    pf_mod.VERBOSE = sq_mod.VERBOSE = args.verbose
    if os.geteuid() != 0:
        print("host.py: must run as root", file=sys.stderr)
        return 2
    missing = [t for t in ("postfix", "squid", "ip", "unshare") if shutil.which(t) is None]
    if missing:
        print("host.py: missing %s; run .ci/install-daemons.sh" % ", ".join(missing),
              file=sys.stderr)
        return 2
    binary = None
    if not args.daemon_only:
        binary = Path(args.relaylint)
        if not binary.is_absolute():
            binary = REPO / binary
        if not os.access(binary, os.X_OK):
            print("host.py: %s not found (cargo build first)" % binary, file=sys.stderr)
            return 2
    fixtures = Path(args.fixtures)
    if not fixtures.is_absolute():
        fixtures = REPO / fixtures
    cases = load_cases(fixtures, args.select)
    if not cases:
        print("0 passed, 0 failed")
        return 1
    become_subreaper()

    def on_signal(signum, _frame):
        raise Interrupted("signal %d" % signum)

    def on_alarm(_signum, _frame):
        raise CaseTimeout("fixture took longer than %gs" % args.timeout)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGALRM, on_alarm)
    work = Path(tempfile.mkdtemp(prefix="relaylint-host-"))
    os.chmod(work, 0o755)
    tls = TlsPem(work)
    width = max(len(c.name) for c in cases)
    passed = failed = 0
    try:
        for n, case in enumerate(cases, 1):
            t0 = time.monotonic()
            rl, rl_detail = relaylint_verdict(binary, case.path) if binary else ("-", "")
            signal.alarm(int(args.timeout))
            try:
                daemon, detail = run_pair(case, work / ("%02d" % n), str(n), tls)
            except HarnessError as e:
                daemon, detail = ERROR, "harness: %s" % e
            finally:
                signal.alarm(0)
            if args.record and daemon in VERDICTS:
                record(case, daemon, detail)
                case.expected = daemon
            ok = (daemon == case.expected and daemon in VERDICTS
                  and (binary is None or rl == daemon))
            passed += ok
            failed += not ok
            print("%-*s  expected=%-7s daemons=%-7s relaylint=%-7s %-8s %5.1fs" % (
                width, case.name, case.expected or "?", daemon, rl,
                "OK" if ok else "MISMATCH", time.monotonic() - t0), flush=True)
            if not ok or args.verbose:
                print("    daemons: %s" % detail)
                if rl_detail:
                    print("    relaylint: %s" % rl_detail)
    except (Interrupted, KeyboardInterrupt) as e:
        print("interrupted (%s)" % (e or "Ctrl-C"), file=sys.stderr)
        return 130
    finally:
        reap_orphans()
        shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


def socks_open(s: socket.socket, f, target: str) -> str:
    """SOCKS5 without authentication, CONNECT to an IPv4 target (a name is
    sent as a domain name)."""
    host, _, port = target.rpartition(":")
    s.sendall(b"\x05\x01\x00")
    r = f.read(2)
    if len(r) < 2 or r[1] != 0:
        return "SOCKS5 method refused (%r)" % r
    try:
        addr = b"\x01" + socket.inet_aton(host)
    except OSError:
        addr = b"\x03" + bytes([len(host)]) + host.encode()
    s.sendall(b"\x05\x01\x00" + addr + int(port).to_bytes(2, "big"))
    r = f.read(10)
    if len(r) < 2:
        return "SOCKS5 connection closed"
    return "granted" if r[1] == 0 else "SOCKS5 reply %d" % r[1]


def socks4_open(s: socket.socket, f, target: str) -> str:
    """SOCKS4 CONNECT (SOCKS4a for a name), user id `nobody`."""
    host, _, port = target.rpartition(":")
    try:
        addr, tail = socket.inet_aton(host), b""
    except OSError:
        addr, tail = b"\x00\x00\x00\x01", host.encode() + b"\x00"
    s.sendall(b"\x04\x01" + int(port).to_bytes(2, "big") + addr + b"nobody\x00" + tail)
    r = f.read(8)
    if len(r) < 2:
        return "SOCKS4 connection closed"
    return "granted" if r[1] == 0x5A else "SOCKS4 reply %d" % r[1]


def helper_tunnel() -> None:
    """Runs in the client namespace: CONNECT through each proxy port to each
    target, then SMTP up to RCPT TO. Prints one JSON answer per attempt."""
    plan = json.loads(sys.stdin.read())
    timeout = float(plan["timeout"])
    answers = []

    def reply(f) -> tuple[int, str]:
        text = ""
        while True:
            line = f.readline().decode(errors="replace")
            if not line:
                return 0, text or "connection closed"
            text += line.strip() + " "
            if len(line) < 4 or line[3] != "-":
                code = line[:3]
                return (int(code) if code.isdigit() else 0), text.strip()

    for port in plan["ports"]:
        for target in plan["targets"]:
            where = "%d->%s" % (port, target)
            ans = {"where": where, "relayed": False}
            try:
                s = socket.create_connection((plan["host"], port), timeout=timeout)
                f = s.makefile("rb")
                if plan["kind"] == "dante":
                    status = socks_open(s, f, target)
                    if status.startswith("SOCKS5 method refused"):
                        # SOCKS4 has no method negotiation (danted's v4 path)
                        s.close()
                        s = socket.create_connection((plan["host"], port), timeout=timeout)
                        f = s.makefile("rb")
                        status = socks4_open(s, f, target)
                    granted = status == "granted"
                else:
                    s.sendall(("CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n"
                               % (target, target)).encode())
                    status = f.readline().decode(errors="replace").strip()
                    while True:
                        h = f.readline()
                        if not h or h in (b"\r\n", b"\n"):
                            break
                    granted = " 200" in status
                if not granted:
                    ans["result"] = "proxy: " + status
                else:
                    steps = []
                    code, text = reply(f)
                    steps.append("banner %d" % code)
                    for cmd in ("EHLO %s" % plan["helo"], "MAIL FROM:<%s>" % plan["sender"],
                                "RCPT TO:<%s>" % plan["rcpt"]):
                        if code < 200 or code >= 400:
                            break
                        s.sendall((cmd + "\r\n").encode())
                        code, text = reply(f)
                        steps.append("%s -> %s" % (cmd.split(":")[0], text[:80]))
                    if steps[-1].startswith("RCPT") and 200 <= code < 300:
                        ans["relayed"] = True
                    ans["result"] = "; ".join(steps)
                    try:
                        s.sendall(b"QUIT\r\n")
                    except OSError:
                        pass
                s.close()
            except OSError as e:
                ans["result"] = "%s: %s" % (type(e).__name__, e)
            answers.append(ans)
    print(json.dumps(answers))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_tunnel":
        helper_tunnel()
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
