#!/usr/bin/env python3
"""Differential test suite: the real Postfix versus relaylint, fixture by fixture.

For every fixture tree under fixtures/postfix/<case>/ this script

  1. builds a private instance of the fixture's Postfix configuration (own
     config, queue and data directories, log file, no chroot; access rules and
     master.cf -o overrides untouched; loopback-only listeners stay loopback-only),
  2. starts the real Postfix inside a private network namespace, wired to an
     untrusted "internet" client namespace (203.0.113.66) and to a "foreign" mail
     host namespace (198.51.100.25), with a private hostname, /etc/hosts and a
     stub DNS server,
  3. probes every smtpd/postscreen listener the client can reach with relay
     attempts (never DATA) and turns the answers into the daemon's verdict:
     open / closed / refuses-to-start,
  4. runs `relaylint check --format json --fail-on never` on the fixture (before
     the daemon starts) and derives relaylint's verdict from its findings (PF001
     -> open, else PF003 -> refuses-to-start, else closed),
  5. replays the witness of every PF001 finding (the client address, HELO name,
     sender, recipient and port relaylint names in the finding's notes) against
     the same running daemon, from a client address equal to the witness's:
     "confirmed" (2xx to RCPT TO) or "REFUTED",
  6. compares case.toml's expected verdict, the daemon's and relaylint's, and
     requires every witness to be confirmed.

Python 3.11+ standard library only. Runs as root (network namespaces, bind
mounts, starting Postfix). See tests/differential/README.md.

The same file also holds the small helper programs that run inside the
namespaces (stub DNS, foreign SMTP host, SMTP probe client, fake Dovecot auth
socket); they are started as `run.py _<helper> ...` and are not meant to be
called by hand.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    tomllib = None

SELF = Path(__file__).resolve()
REPO = SELF.parents[2]
PYTHON = sys.executable or "/usr/bin/python3"

# Address plan. Documentation prefixes only; they exist only inside the
# namespaces created here, none of which has a route to anywhere else.
DAEMON_IP = "198.51.100.1"  # daemon side of the client link
DAEMON_OUT_IP = "198.51.100.2"  # daemon side of the foreign-host link
CLIENT_IP = "203.0.113.66"  # the untrusted internet client (case.toml `client_ip` may change it)
FOREIGN_IP = "198.51.100.25"  # a mail host of a domain the daemon does not serve
DAEMON_HOSTNAME = "mail.oracle.test"

FOREIGN_DOMAIN = "example.net"
VICTIM = "victim@" + FOREIGN_DOMAIN
SENDER = "a@example.org"
HELO = "client.example.org"

VERDICTS = ("open", "closed", "refuses-to-start")
ERROR = "error"  # the harness could not decide; never equal to an expected verdict

INSTALL_HINT = "run .ci/install-daemons.sh (as root) to install them"
REQUIRED_TOOLS = ("postfix", "postconf", "postmap", "postalias", "ip", "unshare",
                  "mount", "hostname", "openssl")

# Installation paths: always the ones of the Postfix installed here, whatever
# the fixture says (they describe a machine, not an access policy).
INSTALL_PARAMS = ("daemon_directory", "command_directory", "meta_directory",
                  "shlib_directory", "mail_owner", "setgid_group", "sendmail_path",
                  "newaliases_path", "mailq_path")
# TLS key/certificate parameters; a missing file named here gets our throwaway pair.
TLS_FILE_PARAMS = ("smtpd_tls_cert_file", "smtpd_tls_key_file", "smtpd_tls_chain_files",
                   "smtpd_tls_eccert_file", "smtpd_tls_eckey_file",
                   "smtpd_tls_dcert_file", "smtpd_tls_dkey_file")
TLS_CERT_PARAMS = ("smtpd_tls_cert_file", "smtpd_tls_chain_files",
                   "smtpd_tls_eccert_file", "smtpd_tls_dcert_file")
# Per-listener parameters the prober needs.
LISTENER_PARAMS = ("mydestination", "relay_domains", "mydomain", "myhostname",
                   "smtpd_tls_wrappermode", "smtpd_sasl_auth_enable",
                   "smtpd_sasl_type", "smtpd_sasl_path")
MAIN_PARAMS = ("inet_interfaces", "alias_maps", "alias_database", "import_environment",
               "mydestination", "relay_domains", "myhostname", "mydomain",
               "virtual_alias_domains", "virtual_mailbox_domains", "smtpd_service_name",
               "myorigin", "multi_instance_wrapper", "master_service_disable") + TLS_FILE_PARAMS
INDEXED_MAP = re.compile(r"\b(hash|btree|lmdb|cdb|dbm|sdbm):(/[^\s,{}()]+)")
# An absolute path inside a config file (not the tail of a longer token).
PATH_TOKEN = re.compile(r"(?<![\w.~$/-])/[A-Za-z0-9_.+@%-]+(?:/[A-Za-z0-9_.+@%-]*)*")
# "postfix/smtpd[123]: fatal: ..." (syslog_name may add components: postfix/submission/smtpd)
LOG_FATAL = re.compile(r"\s(\S+)\[\d+\]: (fatal|panic): (.*)")
LOG_DIED = re.compile(r"\s(\S+)\[\d+\]: warning: process \S*/(smtpd|postscreen) pid \d+ "
                      r"(exit status [1-9]\d*|killed by signal \d+)")
# A master.cf service line up to its chroot field (service type private unpriv chroot).
MASTER_CHROOT = re.compile(r"^(\S+\s+\S+\s+\S+\s+\S+\s+)(\S+)(?=\s|$)")
SMTPD_PROGRAMS = ("smtpd", "postscreen", "master", "postfix-script", "postfix")

VERBOSE = False
T_START = time.monotonic()


def vlog(msg: str) -> None:
    if VERBOSE:
        sys.stderr.write("  [%6.2fs] %s\n" % (time.monotonic() - T_START, msg))
        sys.stderr.flush()


def squeeze(text: str, limit: int = 240) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class HarnessError(Exception):
    """The harness itself failed; the fixture gets the verdict "error"."""


class CaseTimeout(HarnessError):
    pass


class Interrupted(BaseException):
    """SIGTERM/SIGHUP: stop after cleaning up (like KeyboardInterrupt)."""


def run(argv, *, timeout: float = 30, input: str | None = None, env=None,
        check: bool = False) -> subprocess.CompletedProcess:
    r = subprocess.run(argv, input=input, capture_output=True, text=True,
                       timeout=timeout, env=env, errors="replace")
    if check and r.returncode != 0:
        raise HarnessError("%s failed (rc=%d): %s" % (" ".join(map(str, argv[:6])), r.returncode,
                                                      squeeze(r.stderr or r.stdout)))
    return r


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[-1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return False


def stop_pid(pid: int, grace: float = 3.0) -> None:
    """Stop one process this script started, by its pid: TERM, then KILL."""
    if not pid or pid <= 1 or pid == os.getpid() or not pid_alive(pid):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and pid_alive(pid):
        time.sleep(0.05)
    if pid_alive(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def reap_orphans() -> None:
    """Collect exit statuses of orphans re-parented to us (we are a subreaper)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def become_subreaper() -> None:
    # PR_SET_CHILD_SUBREAPER: the Postfix master daemonizes; as its subreaper we
    # can reap it (and anything else that escapes) instead of leaving zombies.
    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def split_list(value: str) -> list[str]:
    return [t for t in re.split(r"[\s,]+", value.strip()) if t]


def literal_domains(value: str) -> list[str]:
    """Plain domain names of a Postfix domain list (no tables, files or $refs)."""
    out = []
    for tok in split_list(value):
        tok = tok.lower()
        if ":" in tok or "/" in tok or "$" in tok or tok.startswith((".", "!", "[")):
            continue
        if "." in tok and tok not in out:
            out.append(tok)
    return out


def service_port(name: str) -> tuple[str, int | None]:
    host = ""
    if ":" in name:
        host, name = name.rsplit(":", 1)
    if name.isdigit():
        return host, int(name)
    try:
        return host, socket.getservbyname(name, "tcp")
    except OSError:
        return host, {"smtp": 25, "submission": 587, "smtps": 465,
                      "submissions": 465}.get(name)


def is_loopback_host(host: str) -> bool:
    h = host.strip().strip("[]").lower()
    return (h in ("localhost", "localhost.localdomain", "loopback-only", "::1", "ip6-localhost")
            or h.startswith("127.") or h.startswith("::ffff:127."))


def map_interfaces(value: str) -> str:
    """inet_interfaces for the instance, keeping who can reach it: loopback
    entries stay loopback, any other address becomes the daemon's address."""
    toks = split_list(value)
    if not toks or any(t.lower() == "all" for t in toks):
        return "all"
    out: list[str] = []
    for tok in toks:
        if is_loopback_host(tok):
            h = tok.strip("[]").lower()
            new = "127.0.0.1" if ":" in h else tok  # IPv6 loopback -> IPv4 (ipv4-only instance)
        else:
            new = DAEMON_IP
        if new not in out:
            out.append(new)
    return ", ".join(out)


def has_outside_interface(value: str) -> bool:
    toks = split_list(value)
    return not toks or any(t.lower() == "all" or not is_loopback_host(t) for t in toks)


# ---------------------------------------------------------------------------
# Network lab: three namespaces per fixture
# ---------------------------------------------------------------------------
WRAP_SCRIPT = ('hostname "$RLDT_HOSTNAME" && mount --bind "$RLDT_HOSTS" /etc/hosts && '
               'mount --bind "$RLDT_RESOLV" /etc/resolv.conf && exec "$@"')


class Lab:
    """client ns (203.0.113.66) --veth-- daemon ns (198.51.100.1 | 198.51.100.2) --veth--
    foreign ns (198.51.100.25). Commands for the daemon namespace run with their own
    hostname, /etc/hosts and /etc/resolv.conf (private UTS and mount namespaces)."""

    def __init__(self, tag: str, workdir: Path, client_ip: str = CLIENT_IP):
        base = "rldt%d-%s" % (os.getpid(), tag)
        self.client_ip = client_ip
        self.daemon_ns, self.client_ns, self.foreign_ns = base + "-d", base + "-c", base + "-f"
        self.dir = workdir
        self.created: list[str] = []
        self.procs: list[subprocess.Popen] = []
        self.daemon_pids: list[int] = []
        self.client_addrs: set[str] = {client_ip}

    # -- setup -------------------------------------------------------------
    def up(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "hosts").write_text("127.0.0.1 localhost\n")
        (self.dir / "resolv.conf").write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:2\n")
        for ns in (self.daemon_ns, self.client_ns, self.foreign_ns):
            run(["ip", "netns", "add", ns], check=True)
            self.created.append(ns)
        run(["ip", "link", "add", "eth0", "netns", self.daemon_ns, "type", "veth",
             "peer", "name", "eth0", "netns", self.client_ns], check=True)
        run(["ip", "link", "add", "eth1", "netns", self.daemon_ns, "type", "veth",
             "peer", "name", "eth0", "netns", self.foreign_ns], check=True)
        plans = {
            self.daemon_ns: ["addr add %s/32 dev eth0" % DAEMON_IP,
                             "addr add %s/32 dev eth1" % DAEMON_OUT_IP,
                             "link set lo up", "link set eth0 up", "link set eth1 up",
                             "route add %s/32 dev eth0 src %s" % (self.client_ip, DAEMON_IP),
                             "route add %s/32 dev eth1 src %s" % (FOREIGN_IP, DAEMON_OUT_IP)],
            self.client_ns: ["addr add %s/32 dev eth0" % self.client_ip,
                             "link set lo up", "link set eth0 up",
                             "route add %s/32 dev eth0 src %s" % (DAEMON_IP, self.client_ip)],
            self.foreign_ns: ["addr add %s/32 dev eth0" % FOREIGN_IP,
                              "link set lo up", "link set eth0 up",
                              "route add %s/32 dev eth0 src %s" % (DAEMON_OUT_IP, FOREIGN_IP),
                              "route add %s/32 dev eth0 src %s" % (DAEMON_IP, FOREIGN_IP)]}
        for ns, cmds in plans.items():
            run(["ip", "-n", ns, "-batch", "-"], input="\n".join(cmds) + "\n", check=True)

    def add_client_address(self, ip: str) -> None:
        """A further source address for the client (a witness probe's): on the
        client's veth, routed back from the daemon like the default one. Its name
        service entries stay as they are: no PTR, no forward name."""
        if ip in self.client_addrs:
            return
        run(["ip", "-n", self.client_ns, "addr", "add", ip + "/32", "dev", "eth0"], check=True)
        run(["ip", "-n", self.daemon_ns, "route", "add", ip + "/32", "dev", "eth0",
             "src", DAEMON_IP], check=True)
        self.client_addrs.add(ip)
        vlog("client address %s added" % ip)

    def write_hosts(self, lines: list[str]) -> None:
        (self.dir / "hosts").write_text("\n".join(lines) + "\n")

    # -- running things ------------------------------------------------------
    def daemon_argv(self, argv: list[str]) -> list[str]:
        return (["ip", "netns", "exec", self.daemon_ns, "unshare", "-m", "-u", "--",
                 "/bin/sh", "-c", WRAP_SCRIPT, "rldt-wrap"] + [str(a) for a in argv])

    def daemon_env(self, extra: dict | None = None) -> dict:
        env = dict(os.environ)
        env.update({"RLDT_HOSTNAME": DAEMON_HOSTNAME, "RLDT_HOSTS": str(self.dir / "hosts"),
                    "RLDT_RESOLV": str(self.dir / "resolv.conf"), "LANG": "C",
                    "TMPDIR": str(self.dir)})
        env.update(extra or {})
        return env

    def in_daemon(self, argv: list[str], *, timeout: float = 30, env: dict | None = None,
                  input: str | None = None) -> subprocess.CompletedProcess:
        return run(self.daemon_argv(argv), timeout=timeout, env=self.daemon_env(env), input=input)

    def spawn(self, ns: str, argv: list[str], **kw) -> subprocess.Popen:
        p = subprocess.Popen(["ip", "netns", "exec", ns] + [str(a) for a in argv], **kw)
        self.procs.append(p)
        return p

    def spawn_helper(self, ns: str, name: str, *args: str, ready: Path | None = None,
                     timeout: float = 10) -> subprocess.Popen:
        log = open(self.dir / ("helper-%s.log" % name), "a")
        try:
            p = self.spawn(ns, [PYTHON, str(SELF), "_" + name, *map(str, args)],
                           stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        finally:
            log.close()
        if ready is not None:
            deadline = time.monotonic() + timeout
            while not ready.exists():
                if p.poll() is not None:
                    raise HarnessError("helper %s exited rc=%s: %s" % (
                        name, p.returncode, squeeze(self.helper_log(name))))
                if time.monotonic() > deadline:
                    raise HarnessError("helper %s not ready after %ds" % (name, timeout))
                time.sleep(0.02)
        return p

    def helper_log(self, name: str) -> str:
        try:
            return (self.dir / ("helper-%s.log" % name)).read_text(errors="replace")
        except OSError:
            return ""

    # -- teardown ------------------------------------------------------------
    def down(self) -> None:
        """Stop everything started for this fixture and delete the namespaces.
        Signals (Ctrl-C, TERM, the per-fixture alarm) wait until this is done."""
        blocked = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGALRM}
        old = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
        try:
            self._down()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)

    def _down(self) -> None:
        for pid in self.daemon_pids:
            stop_pid(pid)
        for p in reversed(self.procs):
            if p.poll() is None:
                stop_pid(p.pid, grace=2)
            try:
                p.wait(timeout=2)
            except (subprocess.TimeoutExpired, ChildProcessError):
                pass
        # Whatever still lives in these namespaces was started by this run
        # (the namespaces were created empty by us): stop it by pid.
        for ns in self.created:
            try:
                r = run(["ip", "netns", "pids", ns], timeout=10)
            except subprocess.TimeoutExpired:
                continue
            for tok in r.stdout.split():
                if tok.isdigit() and int(tok) != os.getpid():
                    vlog("stopping leftover pid %s in %s" % (tok, ns))
                    stop_pid(int(tok), grace=1)
        for ns in reversed(self.created):
            try:
                run(["ip", "netns", "del", ns], timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self.created.clear()
        reap_orphans()


# ---------------------------------------------------------------------------
# Postfix instance
# ---------------------------------------------------------------------------
@dataclass
class Listener:
    service: str  # master.cf service name as written (after our host rewrite)
    command: str  # smtpd | postscreen
    host: str
    port: int | None
    reachable: bool
    overrides: dict = field(default_factory=dict)  # -o of the service that runs smtpd
    params: dict = field(default_factory=dict)  # effective values of LISTENER_PARAMS
    outcome: str = ""  # open | closed | fatal | nogreeting | error | unreachable
    detail: str = ""


@dataclass
class DaemonResult:
    verdict: str
    detail: str
    log_excerpt: str = ""

    def shorten(self, inst: "PostfixInstance") -> "DaemonResult":
        """Temp paths -> <fixture>/... and <instance>/... in messages."""
        def fix(t: str) -> str:
            return t.replace(str(inst.root), "<fixture>").replace(str(inst.inst), "<instance>")
        return DaemonResult(self.verdict, fix(self.detail), self.log_excerpt)


@dataclass
class Witness:
    """The attacker of one relaylint PF001 finding, replayed against the daemon."""
    finding: str  # "PF001 <path>:<line>"
    listener: str  # the listener the finding names ("`smtpd` on `2525`")
    client: str = ""  # client address as relaylint wrote it
    helo: str = ""
    sender: str = ""
    rcpt: str = ""
    port: int | None = None
    problem: str = ""  # why the notes could not be read (the witness is then untested)
    source: str = ""  # the address the probe actually came from
    fallback: str = ""  # why the witness address itself could not be used
    outcome: str = "untested"  # confirmed | REFUTED | untested
    reply: str = ""  # the daemon's answer (or why there was none)

    def describe(self) -> str:
        if self.problem:
            return self.finding
        return "from %s to port %s: HELO %s, MAIL FROM:<%s>, RCPT TO:<%s>" % (
            self.client, self.port, self.helo, self.sender, self.rcpt)


class PostfixInstance:
    def __init__(self, fixture: Path, inst: Path, lab: Lab, tls_pem: "TlsPem"):
        self.fixture = fixture
        self.inst = inst
        self.lab = lab
        self.tls_pem = tls_pem
        self.root = inst / "root"
        self.conf = self.root / "etc" / "postfix"
        self.queue = inst / "queue"
        self.data = inst / "data"
        self.maillog = inst / "maillog"
        self.notes: list[str] = []
        self.main: dict[str, str] = {}
        self.listeners: list[Listener] = []
        self.master_pid: int | None = None

    # -- helpers ---------------------------------------------------------------
    def postconf(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        self.age_files()
        t0 = time.monotonic()
        r = self.lab.in_daemon(["postconf", "-c", self.conf, *args])
        vlog("postconf %s: rc=%d %.2fs" % (squeeze(" ".join(args), 60), r.returncode,
                                           time.monotonic() - t0))
        if check and r.returncode != 0:
            raise HarnessError("postconf %s failed: %s" % (" ".join(args[:3]), squeeze(r.stderr)))
        return r

    def postconf_values(self, names, *extra: str) -> dict[str, str]:
        r = self.postconf(*extra, "-xh", *names)
        vals = r.stdout.split("\n")
        return {n: (vals[i].strip() if i < len(vals) else "") for i, n in enumerate(names)}

    # -- 1. copy and rewrite -------------------------------------------------------
    def copy_fixture(self) -> None:
        def ignore(d, names):
            return ["case.toml"] if Path(d) == self.fixture else []
        shutil.copytree(self.fixture, self.root, symlinks=True, ignore=ignore)
        self.drop_escaping_symlinks()
        self.conf.mkdir(parents=True, exist_ok=True)
        os.chmod(self.inst, 0o755)
        for d in (self.root, self.root / "etc", self.conf):
            os.chmod(d, 0o755)
        if not (self.conf / "master.cf").exists():
            shutil.copy("/usr/share/postfix/master.cf.dist", self.conf / "master.cf")
            self.notes.append("no master.cf: packaged default used")
        for path in sorted(self.conf.rglob("*")):
            if path.is_file() and not path.is_symlink():
                self.rewrite_file(path)

    def drop_escaping_symlinks(self) -> None:
        # A symlink in a fixture that leads outside the fixture would make the
        # daemon read whatever this machine has there, so the verdict would
        # depend on the machine. Remove such links from the instance: the
        # daemon then sees a missing file, which is also all relaylint will
        # read (it never follows a link out of the scanned root).
        fixture = self.fixture.resolve()
        for path in sorted(self.root.rglob("*")):
            if not path.is_symlink():
                continue
            rel = path.relative_to(self.root)
            target = os.path.normpath(os.path.join(os.path.dirname(self.fixture / rel), os.readlink(path)))
            if not (target == str(fixture) or target.startswith(str(fixture) + os.sep)
                    or target.startswith(str(self.fixture) + os.sep)):
                path.unlink()
                self.notes.append("symlink %s leaves the fixture: removed" % rel)

    def rewrite_path(self, m: re.Match) -> str:
        p = m.group(0)
        if p == "/etc/postfix" or p.startswith("/etc/postfix/"):
            return str(self.conf) + p[len("/etc/postfix"):]
        rel = p.strip("/")
        # Regexp table patterns such as `/./` or `/.+/` look like paths: a
        # path component that starts with a dot is never one of ours.
        if any(part.startswith(".") for part in rel.split("/")):
            return p
        target = self.root / rel
        if p.rstrip("/") in ("/etc/aliases", "/etc/mailname"):
            return str(self.root) + p
        if rel and rel != "etc" and (target.is_file() or target.is_dir()):
            return str(self.root) + p
        return p

    def rewrite_file(self, path: Path) -> None:
        raw = path.read_bytes()
        if b"\0" in raw or b"/" not in raw:
            return
        text = raw.decode("utf-8", errors="surrogateescape")
        new = PATH_TOKEN.sub(self.rewrite_path, text)
        if new != text:
            path.write_bytes(new.encode("utf-8", errors="surrogateescape"))

    # -- 2. main.cf overrides ------------------------------------------------------
    def configure(self) -> str | None:
        """Returns a refusal reason when Postfix itself rejects the configuration."""
        if not (self.conf / "main.cf").exists():
            return "no etc/postfix/main.cf (postfix: fatal: open main.cf)"
        probe = self.postconf("-xh", *MAIN_PARAMS, check=False)
        if probe.returncode != 0:
            if "fatal" in probe.stderr:
                return "postconf: " + squeeze(probe.stderr)
            raise HarnessError("postconf failed: " + squeeze(probe.stderr))
        vals = probe.stdout.split("\n")
        self.main = {n: (vals[i].strip() if i < len(vals) else "") for i, n in enumerate(MAIN_PARAMS)}
        install = self.postconf_values(INSTALL_PARAMS, "-d")
        for d in (self.queue, self.data):
            d.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.data, "postfix", "postfix")
        self.maillog.touch()
        os.chmod(self.maillog, 0o600)
        orig_if = self.main["inet_interfaces"]
        new_if = map_interfaces(orig_if)
        if new_if != orig_if:
            self.notes.append("inet_interfaces %r -> %r" % (orig_if, new_if))
        self.main["inet_interfaces"] = new_if
        over = {
            "config_directory": str(self.conf),
            "queue_directory": str(self.queue),
            "data_directory": str(self.data),
            "maillog_file": str(self.maillog),
            "maillog_file_prefixes": str(self.inst),
            "inet_interfaces": new_if,
            "inet_protocols": "ipv4",
        }
        over.update({k: v for k, v in install.items() if v})
        env_import = self.main["import_environment"]
        if "MAIL_CONFIG" not in split_list(env_import):
            over["import_environment"] = (env_import + " MAIL_CONFIG").strip()
        # local aliases: never the host's /etc/aliases (default alias_maps names it)
        aliases = str(self.root / "etc" / "aliases")
        for p in ("alias_maps", "alias_database"):
            v = self.main[p]
            v2 = re.sub(r"(?<![\w/])/etc/aliases\b", aliases, v)
            if v2 != v:
                over[p] = v2
                self.main[p] = v2
        if aliases in self.main["alias_maps"] + self.main["alias_database"]:
            ap = Path(aliases)
            if not ap.exists():
                ap.parent.mkdir(parents=True, exist_ok=True)
                ap.write_text("postmaster: root\n")
                self.notes.append("no etc/aliases: minimal one written")
        # Debian's "myorigin = /etc/mailname": the file holds the mail name
        mailname = self.root / "etc" / "mailname"
        if self.main["myorigin"].startswith(str(mailname)) and not mailname.exists():
            mailname.parent.mkdir(parents=True, exist_ok=True)
            mailname.write_text((literal_domains(self.main["myhostname"]) or [DAEMON_HOSTNAME])[0]
                                + "\n")
            self.notes.append("no etc/mailname: written from myhostname")
        # never start other instances (postmulti) of the host
        if self.main["multi_instance_wrapper"]:
            over["multi_instance_wrapper"] = ""
            self.notes.append("multi_instance_wrapper disabled")
        # TLS: a certificate the config names but that is missing, or none at all
        tls = {p: self.main[p] for p in TLS_FILE_PARAMS}
        if not any(tls[p] for p in TLS_CERT_PARAMS):
            over["smtpd_tls_cert_file"] = over["smtpd_tls_key_file"] = self.tls_pem.path()
        else:
            for p, v in tls.items():
                if v and not all(os.path.exists(f) for f in split_list(v)):
                    over[p] = self.tls_pem.path()
                    self.notes.append("%s missing: throwaway certificate used" % p)
        # postconf -e appends new lines; a main.cf whose last line has no
        # newline would have the first one glued onto it.
        main_cf = self.conf / "main.cf"
        raw = main_cf.read_bytes()
        if raw and not raw.endswith(b"\n"):
            main_cf.write_bytes(raw + b"\n")
        r = self.postconf("-e", *["%s=%s" % kv for kv in over.items()], check=False)
        if r.returncode != 0:
            raise HarnessError("postconf -e failed: " + squeeze(r.stderr))
        return None

    # -- 3. master.cf ------------------------------------------------------------------
    def rewrite_master(self) -> None:
        """Bind addresses in inet service names: loopback stays loopback (IPv4),
        any other host becomes the daemon's address. Nothing else is changed."""
        path = self.conf / "master.cf"
        lines = path.read_text(errors="surrogateescape").split("\n")
        for i, line in enumerate(lines):
            if not line or line[0].isspace() or line.startswith("#"):
                continue
            # No chroot jail in the instance: the fifth field is edited in
            # place so that the rest of the line keeps its exact text
            # (`postconf -F` would reformat the whole line).
            m = MASTER_CHROOT.match(line)
            if m and m.group(2) == "y":
                lines[i] = line = m.group(1) + "n" + line[m.end(2):]
            f = line.split()
            if len(f) < 2 or f[1] != "inet" or ":" not in f[0]:
                continue
            host, port = f[0].rsplit(":", 1)
            if not host:
                continue
            if is_loopback_host(host):
                new_host = "127.0.0.1" if ":" in host.strip("[]") else host
            else:
                new_host = DAEMON_IP
            if new_host != host:
                lines[i] = line.replace(f[0], new_host + ":" + port, 1)
                self.notes.append("master.cf %s -> %s:%s" % (f[0], new_host, port))
        path.write_text("\n".join(lines), errors="surrogateescape")
        services = self.postconf("-M").stdout
        if not any(l.split()[:2] == ["postlog", "unix-dgram"] for l in services.splitlines() if l.strip()):
            self.postconf("-M", "postlog/unix-dgram=postlog unix-dgram n - n - 1 postlogd")

    def read_services(self) -> None:
        raw = {}
        for line in self.postconf("-P").stdout.splitlines():
            key, _, val = line.partition(" =")
            parts = key.rsplit("/", 2)
            if len(parts) == 3:
                raw.setdefault((parts[0], parts[1]), {})[parts[2]] = val.strip()
        expanded = {}
        for line in self.postconf("-Px").stdout.splitlines():
            key, _, val = line.partition(" =")
            parts = key.rsplit("/", 2)
            if len(parts) == 3:
                expanded.setdefault((parts[0], parts[1]), {})[parts[2]] = val.strip()
        # per-service TLS files that are missing -> throwaway certificate
        for (svc, typ), params in expanded.items():
            for p, v in params.items():
                if p in TLS_FILE_PARAMS and v and not all(os.path.exists(f) for f in split_list(v)):
                    self.postconf("-P", "%s/%s/%s=%s" % (svc, typ, p, self.tls_pem.path()))
                    raw.setdefault((svc, typ), {})[p] = self.tls_pem.path()
                    self.notes.append("%s/%s %s missing: throwaway certificate used" % (svc, typ, p))
        pass_name = self.main.get("smtpd_service_name") or "smtpd"
        disabled = set(split_list(self.main.get("master_service_disable", "")))
        outside = has_outside_interface(self.main["inet_interfaces"])
        for line in self.postconf("-M").stdout.splitlines():
            f = line.split()
            if len(f) < 8 or f[1] != "inet":
                continue
            cmd = os.path.basename(f[7])
            if cmd not in ("smtpd", "postscreen"):
                continue
            if f[0] in disabled or "inet" in disabled or "%s.inet" % f[0] in disabled:
                self.notes.append("%s/inet disabled by master_service_disable" % f[0])
                continue
            host, port = service_port(f[0])
            if host:
                reachable = not is_loopback_host(host)
            else:
                reachable = outside
            ov = dict(raw.get((f[0], "inet"), {}))
            if cmd == "postscreen":
                # the smtpd behind postscreen is the pass service; its -o decide
                pov = dict(raw.get((ov.get("smtpd_service_name", pass_name), "pass"), {}))
                ov = pov
            self.listeners.append(Listener(f[0], cmd, host, port, reachable, ov))

    # -- 4. lookup tables ------------------------------------------------------------
    def build_maps(self) -> None:
        text = self.postconf("-x").stdout + "\n" + self.postconf("-Px").stdout + "\n" + \
            (self.conf / "master.cf").read_text(errors="replace")
        alias_text = self.main["alias_maps"] + " " + self.main["alias_database"]
        done = set()
        for typ, path in INDEXED_MAP.findall(text):
            path = path.rstrip(".;")
            key = (typ, path)
            if key in done:
                continue
            done.add(key)
            if not path.startswith(str(self.root) + "/"):
                if os.path.exists(path) or path.startswith(str(self.inst) + "/"):
                    continue
                self.notes.append("table %s:%s is outside the fixture and missing" % (typ, path))
                continue
            if not os.path.isfile(path):
                self.notes.append("table source %s missing" % os.path.relpath(path, self.root))
                continue
            tool = "postalias" if "%s:%s" % (typ, path) in alias_text else "postmap"
            r = self.lab.in_daemon([tool, "-c", self.conf, "%s:%s" % (typ, path)])
            vlog("%s %s:%s rc=%d %s" % (tool, typ, os.path.relpath(path, self.root), r.returncode,
                                        squeeze(r.stderr)))
            if r.returncode != 0:
                self.notes.append("%s %s failed: %s" % (tool, os.path.relpath(path, self.root),
                                                        squeeze(r.stderr, 160)))

    def age_files(self) -> None:
        # Postfix tools wait until a freshly written config file is more than a
        # second old (protection against half-written files); back-date ours so
        # that no step pays that wait. Built maps stay newer than their sources.
        now = time.time()
        for path in self.root.rglob("*"):
            if path.is_symlink():
                continue
            built = path.suffix in (".db", ".lmdb", ".cdb", ".dir", ".pag")
            t = now - (30 if built else 60)
            try:
                os.utime(path, (t, t))
            except OSError:
                pass

    # -- 5. per-listener parameters, DNS data ------------------------------------------
    def resolve_listeners(self) -> None:
        for lst in self.listeners:
            extra = []
            for k, v in lst.overrides.items():
                extra += ["-o", "%s=%s" % (k, v)]
            lst.params = self.postconf_values(LISTENER_PARAMS, *extra)

    def own_domains(self) -> list[str]:
        doms = []
        for p in ("myhostname", "mydomain", "mydestination", "relay_domains",
                  "virtual_alias_domains", "virtual_mailbox_domains"):
            for d in literal_domains(self.main.get(p, "")):
                if d not in doms:
                    doms.append(d)
        for lst in self.listeners:
            for p in ("mydestination", "relay_domains", "myhostname", "mydomain"):
                for d in literal_domains(lst.params.get(p, "")):
                    if d not in doms:
                        doms.append(d)
        return doms

    # -- 6. start / stop --------------------------------------------------------------
    def start(self) -> str | None:
        t0 = time.monotonic()
        r = self.lab.in_daemon(["postfix", "-c", self.conf, "start"],
                               env={"MAIL_CONFIG": str(self.conf)}, timeout=60)
        vlog("postfix start rc=%d in %.2fs %s" % (r.returncode, time.monotonic() - t0,
                                                  squeeze(r.stdout + " " + r.stderr)))
        pidfile = self.queue / "pid" / "master.pid"
        deadline = time.monotonic() + (3 if r.returncode else 5)
        while self.master_pid is None and time.monotonic() < deadline:
            try:
                self.master_pid = int(pidfile.read_text().split()[0])
            except (OSError, ValueError, IndexError):
                time.sleep(0.05)
        if self.master_pid:
            self.lab.daemon_pids.append(self.master_pid)
        if r.returncode != 0 or not self.master_pid or not pid_alive(self.master_pid):
            fatal = self.fatal_lines(any_program=True)
            why = fatal[0] if fatal else squeeze(r.stderr or r.stdout or "master did not start")
            return "postfix start failed: " + why
        return None

    def log_text(self, offset: int = 0) -> str:
        try:
            with open(self.maillog, errors="replace") as f:
                f.seek(offset)
                return f.read()
        except OSError:
            return ""

    def fatal_lines(self, offset: int = 0, any_program: bool = False) -> list[str]:
        out = []
        for line in self.log_text(offset).splitlines():
            m = LOG_FATAL.search(line)
            if m:
                prog = m.group(1).rsplit("/", 1)[-1]
                if any_program or prog in SMTPD_PROGRAMS:
                    out.append("%s %s: %s" % (m.group(1), m.group(2), m.group(3).strip()))
                continue
            m = LOG_DIED.search(line)
            if m:
                out.append("master: %s %s" % (m.group(2), m.group(3)))
        return out


# ---------------------------------------------------------------------------
# Throwaway TLS key + certificate (one per suite run)
# ---------------------------------------------------------------------------
class TlsPem:
    def __init__(self, workdir: Path):
        self.file = workdir / "tls" / "throwaway.pem"

    def path(self) -> str:
        if not self.file.exists():
            self.file.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(self.file.parent, 0o755)
            key, crt = self.file.parent / "key.pem", self.file.parent / "crt.pem"
            run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
                 "-subj", "/CN=" + DAEMON_HOSTNAME, "-keyout", str(key), "-out", str(crt)],
                timeout=60, check=True)
            self.file.write_text(key.read_text() + crt.read_text())
            os.chmod(self.file, 0o644)  # test-only key; smtpd reads it before dropping privileges
        return str(self.file)


# ---------------------------------------------------------------------------
# One fixture against the daemon
# ---------------------------------------------------------------------------
def trick_recipients(domain: str) -> list[tuple[str, str]]:
    user, dom = VICTIM.split("@")
    return [("percent@" + domain, "%s%%%s@%s" % (user, dom, domain)),
            ("quoted@" + domain, '"%s"@%s' % (VICTIM, domain)),
            ("bang@" + domain, "%s!%s@%s" % (dom, user, domain)),
            ("double-at@" + domain, "%s@%s" % (VICTIM, domain)),
            ("source-route@" + domain, "@%s:%s" % (domain, VICTIM))]


def probe_plan(lst: Listener) -> list[list[list[str]]]:
    """Sessions of [label, sender, recipient] attempts for one listener."""
    local = literal_domains(lst.params.get("mydestination", ""))
    relay = literal_domains(lst.params.get("relay_domains", ""))
    first = [["plain", SENDER, VICTIM]]
    spoof = []
    for d in local[:1] + literal_domains(lst.params.get("mydomain", "")) + relay[:1]:
        if d not in spoof:
            spoof.append(d)
    for d in spoof:
        first.append(["spoofed-sender@" + d, "a@" + d, VICTIM])
    sessions = [first]
    targets = []
    for d in relay[:1] + local[:1]:
        if d not in targets:
            targets.append(d)
    for d in targets:
        sessions.append([[label, SENDER, rcpt] for label, rcpt in trick_recipients(d)])
    return sessions


def zone_for(inst: PostfixInstance) -> dict:
    a = {FOREIGN_DOMAIN: FOREIGN_IP, "mail." + FOREIGN_DOMAIN: FOREIGN_IP,
         "www." + FOREIGN_DOMAIN: FOREIGN_IP, "example.org": FOREIGN_IP,
         "mail.example.org": FOREIGN_IP, HELO: inst.lab.client_ip,
         DAEMON_HOSTNAME: DAEMON_IP, "oracle.test": DAEMON_IP}
    mx = {FOREIGN_DOMAIN: "mail." + FOREIGN_DOMAIN, "example.org": "mail.example.org",
          "oracle.test": DAEMON_HOSTNAME}
    for d in inst.own_domains():
        if d.endswith(FOREIGN_DOMAIN) or d.endswith("example.org"):
            continue
        a.setdefault(d, DAEMON_IP)
        mx.setdefault(d, d)
    myhost = (literal_domains(inst.main.get("myhostname", "")) or [DAEMON_HOSTNAME])[0]
    ptr = {rev_name(DAEMON_IP): myhost, rev_name(FOREIGN_IP): "mail." + FOREIGN_DOMAIN,
           rev_name(DAEMON_OUT_IP): myhost}
    # no PTR for the client: the attacker's address does not resolve (NXDOMAIN)
    return {"a": a, "mx": mx, "ptr": ptr}


def rev_name(ip: str) -> str:
    return ".".join(reversed(ip.split("."))) + ".in-addr.arpa"


def check_fixture_domains(inst: PostfixInstance) -> None:
    for d in inst.own_domains():
        if d == FOREIGN_DOMAIN or d.endswith("." + FOREIGN_DOMAIN):
            raise HarnessError("fixture serves %s, the domain the prober uses as the foreign "
                               "relay target; use another domain in the fixture" % d)


def start_sasl_stubs(inst: PostfixInstance) -> None:
    """smtpd with smtpd_sasl_type=dovecot refuses to run without a Dovecot auth
    socket; a real deployment has one. Serve a stub that offers mechanisms and
    fails every authentication (the attacker has no credentials anyway)."""
    seen = set()
    for lst in inst.listeners:
        p = lst.params
        if not lst.reachable or p.get("smtpd_sasl_auth_enable", "no").lower() != "yes":
            continue
        if p.get("smtpd_sasl_type", "cyrus").lower() != "dovecot":
            continue
        spec = p.get("smtpd_sasl_path") or "smtpd"
        if spec.startswith("inet:"):
            target = spec
        else:
            target = spec if spec.startswith("/") else str(inst.queue / spec)
        if target in seen:
            continue
        seen.add(target)
        ready = inst.lab.dir / ("sasl-%d.ready" % len(seen))
        inst.lab.spawn_helper(inst.lab.daemon_ns, "dovecot_auth", target, ready, ready=ready)
        vlog("dovecot auth stub on %s" % target)


def run_probe(inst: PostfixInstance, plan: dict, timeout: float
              ) -> tuple[dict | None, list[str], str]:
    """Run the probe client in the client namespace with `plan`; returns its
    JSON result (None if it gave none), the fatal log lines that appeared
    meanwhile, and its stderr. A fatal error in the log ends the probe early."""
    offset = inst.maillog.stat().st_size if inst.maillog.exists() else 0
    p = inst.lab.spawn(inst.lab.client_ns, [PYTHON, str(SELF), "_probe"],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    p.stdin.write(json.dumps(plan))
    p.stdin.close()
    fatal: list[str] = []
    deadline = time.monotonic() + timeout * 4 + 10
    while p.poll() is None:
        fatal = inst.fatal_lines(offset)
        if fatal or time.monotonic() > deadline:
            stop_pid(p.pid, grace=0.5)
            break
        time.sleep(0.02)
    try:
        p.wait(timeout=3)
    except subprocess.TimeoutExpired:
        stop_pid(p.pid, grace=0.5)
    out, err = p.stdout.read(), p.stderr.read()
    p.stdout.close()
    p.stderr.close()
    time.sleep(0.05)
    fatal = fatal or inst.fatal_lines(offset)
    try:
        res = json.loads(out)
    except ValueError:
        res = None
    return res, fatal, err


def probe_listener(inst: PostfixInstance, lst: Listener, timeout: float) -> None:
    plan = {"host": DAEMON_IP, "port": lst.port, "helo": HELO,
            "wrap_tls": lst.params.get("smtpd_tls_wrappermode", "no").lower() == "yes",
            "sessions": probe_plan(lst), "timeout": timeout}
    res, fatal, err = run_probe(inst, plan, timeout)
    items = (res or {}).get("items", [])
    relayed = [it for it in items if it[3] == "RCPT" and 200 <= it[4] < 300]
    timeouts = [it for it in items if it[3] == "TIMEOUT"]
    summary = summarize(items)
    if fatal and not relayed:
        lst.outcome, lst.detail = "fatal", fatal[0]
        return
    if res is None:
        lst.outcome = ERROR
        lst.detail = "probe client gave no result: %s" % squeeze(err or "(no output)")
        return
    if res.get("banner") is None:
        lst.outcome, lst.detail = "nogreeting", res.get("error") or "no greeting"
        return
    if relayed:
        lst.outcome = "open"
        lst.detail = "relayed via %s; %s" % (",".join(it[0] for it in relayed), summary)
    elif timeouts:
        lst.outcome = ERROR
        lst.detail = "timed out waiting for the server (%s); %s" % (timeouts[0][0], summary)
    else:
        lst.outcome = "closed"
        lst.detail = ("banner %s; " % squeeze(res["banner"], 60)) + summary


def summarize(items: list) -> str:
    parts = []
    for label, _sender, _rcpt, stage, code, text in items:
        where = "" if stage == "RCPT" else "@" + stage
        text = re.sub(r"<[^>]*>:?\s*", "", text or "")
        parts.append("%s=%s%s(%s)" % (label, code, where, squeeze(text, 50)))
    return " ".join(parts)


def witness_source(client: str) -> tuple[str, str]:
    """The IPv4 address a witness probe can come from, or "" and why it cannot."""
    import ipaddress
    text = client.strip().strip("[]")
    if text.lower().startswith("ipv6:"):
        text = text[5:]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return "", "is not an IP address"
    if ip.version == 6:
        if ip.ipv4_mapped is None:
            return "", "is IPv6 (the instance runs with inet_protocols = ipv4)"
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "", "is a loopback address (it cannot come over the client's link)"
    if ip.is_multicast or ip.is_unspecified or str(ip).startswith("0.") \
            or ip in ipaddress.IPv4Network("240.0.0.0/4"):
        return "", "is not a unicast address"
    if str(ip) in (DAEMON_IP, DAEMON_OUT_IP, FOREIGN_IP):
        return "", "is one of the lab's own addresses"
    return str(ip), ""


def smtp_reply(item: list) -> str:
    _label, _sender, _rcpt, stage, code, text = item
    where = {"RCPT": "RCPT TO", "MAIL": "MAIL FROM", "EHLO": "EHLO/HELO",
             "GREETING": "greeting"}.get(stage)
    if where is None:
        return "%s: %s" % (stage.lower(), squeeze(text, 160))
    return "%s -> %s %s" % (where, code, squeeze(text, 160))


def probe_witness(inst: PostfixInstance, w: Witness, timeout: float) -> None:
    """Replay one relaylint witness from its own client address: its HELO name,
    sender and recipient, on its port, one session, no DATA."""
    src, why = witness_source(w.client)
    if why:
        src = inst.lab.client_ip
        w.fallback = "client %s %s: probed from %s instead" % (w.client, why, src)
    else:
        inst.lab.add_client_address(src)
    w.source = src
    lsts = [l for l in inst.listeners if l.reachable and l.port == w.port]
    wrap = bool(lsts) and lsts[0].params.get("smtpd_tls_wrappermode", "no").lower() == "yes"
    plan = {"host": DAEMON_IP, "port": w.port, "helo": w.helo, "source": src, "wrap_tls": wrap,
            "sessions": [[["witness", w.sender, w.rcpt]]], "timeout": timeout}
    res, fatal, err = run_probe(inst, plan, timeout)
    items = (res or {}).get("items", [])
    it = items[0] if items else None
    if it is not None and it[3] == "RCPT" and 200 <= it[4] < 300:
        w.outcome, w.reply = "confirmed", "%d %s" % (it[4], squeeze(it[5], 120))
        return
    if fatal:
        w.outcome, w.reply = "REFUTED", fatal[0]
    elif res is None:
        w.outcome, w.reply = "untested", "probe client gave no result: %s" % squeeze(
            err or "(no output)")
    elif it is None:
        w.outcome = "REFUTED"
        w.reply = res.get("error") or "no greeting"
        if not lsts:
            w.reply += " (no reachable smtpd/postscreen listener on port %s)" % w.port
    elif it[3] == "TIMEOUT":
        w.outcome, w.reply = "untested", "timed out waiting for the server: %s" % smtp_reply(it)
    else:
        w.outcome, w.reply = "REFUTED", smtp_reply(it)
    vlog("witness %s: %s %s" % (w.describe(), w.outcome, w.reply))


def probe_witnesses(inst: PostfixInstance, witnesses: list[Witness], timeout: float) -> None:
    for w in witnesses:
        if w.problem:
            continue
        try:
            probe_witness(inst, w, timeout)
        except HarnessError as e:  # includes the per-fixture timeout
            w.outcome, w.reply = "untested", "harness: %s" % e
            for rest in witnesses:
                if rest.outcome == "untested" and not rest.reply and not rest.problem:
                    rest.reply = "not probed: %s" % e
            return
        except subprocess.TimeoutExpired as e:
            w.outcome, w.reply = "untested", "harness: command timed out: %s" % squeeze(
                " ".join(map(str, e.cmd)) if isinstance(e.cmd, list) else e.cmd)


def daemon_verdict(fixture: Path, work: Path, tag: str, tls_pem: TlsPem,
                   probe_timeout: float, client_ip: str = CLIENT_IP,
                   witnesses: list[Witness] | None = None) -> DaemonResult:
    lab = Lab(tag, work / "lab", client_ip)
    inst = PostfixInstance(fixture, work / "pf", lab, tls_pem)
    return run_daemon(inst, lab, probe_timeout, witnesses or []).shorten(inst)


def no_daemon(witnesses: list[Witness], why: str) -> None:
    for w in witnesses:
        if not w.problem:
            w.outcome, w.reply = "REFUTED", "no daemon to answer: %s" % squeeze(why, 160)


def run_daemon(inst: PostfixInstance, lab: Lab, probe_timeout: float,
               witnesses: list[Witness]) -> DaemonResult:
    log_excerpt = ""
    try:
        lab.up()
        vlog("namespaces up")
        inst.copy_fixture()
        refusal = inst.configure()
        if refusal:
            no_daemon(witnesses, refusal)
            return DaemonResult("refuses-to-start", refusal)
        inst.rewrite_master()
        inst.read_services()
        inst.resolve_listeners()
        check_fixture_domains(inst)
        inst.build_maps()
        inst.age_files()
        vlog("instance prepared: %s" % "; ".join(inst.notes))
        # private name service for the daemon
        names = inst.own_domains()
        lab.write_hosts(["127.0.0.1 localhost",
                         "%s %s %s" % (DAEMON_IP, DAEMON_HOSTNAME, " ".join(
                             d for d in literal_domains(inst.main.get("myhostname", ""))
                             if d != DAEMON_HOSTNAME)),
                         "%s %s mail.%s" % (FOREIGN_IP, FOREIGN_DOMAIN, FOREIGN_DOMAIN)])
        zone = lab.dir / "zone.json"
        zone.write_text(json.dumps(zone_for(inst)))
        lab.spawn_helper(lab.daemon_ns, "dns", zone, lab.dir / "dns.ready",
                         ready=lab.dir / "dns.ready")
        lab.spawn_helper(lab.foreign_ns, "foreign", lab.dir / "foreign.hits",
                         lab.dir / "foreign.ready", ready=lab.dir / "foreign.ready")
        vlog("helpers up; own domains: %s" % ", ".join(names))
        why = inst.start()
        if why:
            no_daemon(witnesses, why)
            return DaemonResult("refuses-to-start", why, inst.log_text()[-3000:])
        start_sasl_stubs(inst)
        reachable_ports = {l.port for l in inst.listeners if l.reachable}
        for lst in inst.listeners:
            if lst.port is None:
                lst.outcome, lst.detail = ERROR, "cannot resolve port of %s" % lst.service
            elif lst.reachable:
                probe_listener(inst, lst, probe_timeout)
            else:
                lst.outcome = "unreachable"
                lst.detail = "bound to loopback"
                if lst.port not in reachable_ports and client_can_connect(lab, lst.port):
                    lst.outcome = ERROR
                    lst.detail = ("loopback-only service %s is reachable from the client: "
                                  "harness bug" % lst.service)
            vlog("listener %s (%s): %s %s" % (lst.service, lst.command, lst.outcome,
                                              squeeze(lst.detail, 400)))
        # late fatals (e.g. a listener that died after answering)
        late = inst.fatal_lines()
        log_excerpt = inst.log_text()[-4000:]
        hits = lab.dir / "foreign.hits"
        if hits.exists() and hits.read_text().strip():
            inst.notes.append("foreign host contacted: " + squeeze(hits.read_text(), 120))
        result = decide(inst, late, log_excerpt)
        # relaylint's witnesses, against the same running instance, after the
        # default verdict is settled (a fatal they provoke cannot change it)
        if witnesses:
            probe_witnesses(inst, witnesses, probe_timeout)
            result.log_excerpt = inst.log_text()[-4000:]
        return result
    finally:
        if inst.master_pid:
            vlog("stopping master pid %d" % inst.master_pid)
        signal.alarm(0)  # the fixture's time is up either way; never interrupt cleanup
        lab.down()
        vlog("namespaces removed")


def client_can_connect(lab: Lab, port: int) -> bool:
    code = ("import socket,sys\n"
            "try:\n socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3).close()\n"
            "except OSError:\n sys.exit(1)\n")
    r = run(["ip", "netns", "exec", lab.client_ns, PYTHON, "-c", code, DAEMON_IP, str(port)],
            timeout=15)
    return r.returncode == 0


def decide(inst: PostfixInstance, late_fatal: list[str], log_excerpt: str) -> DaemonResult:
    lines: list[str] = []
    for lst in inst.listeners:
        lines.append("%s[%s:%s]=%s%s" % (lst.service, lst.command, lst.port, lst.outcome,
                                          (" (%s)" % lst.detail) if lst.detail else ""))
    notes = ("; notes: " + "; ".join(inst.notes)) if inst.notes else ""
    detail = " | ".join(lines) + notes if lines else notes.lstrip("; ")
    probed = [l for l in inst.listeners if l.reachable]
    if any(l.outcome == "open" for l in probed):
        return DaemonResult("open", detail, log_excerpt)
    # smtpd (or postscreen) died on a fatal error, or a listener never greeted:
    # the daemon refuses to serve (a smtpd fatal also leaves the client without
    # a greeting; master just retries later).
    if any(l.outcome in ("fatal", "nogreeting") for l in probed) or late_fatal:
        if late_fatal and not any(l.outcome == "fatal" for l in probed):
            detail = late_fatal[0] + " | " + detail
        return DaemonResult("refuses-to-start", detail, log_excerpt)
    if any(l.outcome == ERROR for l in inst.listeners):
        return DaemonResult(ERROR, detail, log_excerpt)
    if not probed:
        detail = "no smtpd listener reachable from the client" + (" | " + detail if lines else notes)
    return DaemonResult("closed", detail, log_excerpt)


# ---------------------------------------------------------------------------
# relaylint's verdict
# ---------------------------------------------------------------------------
WITNESS_CLIENT = re.compile(r"attacker: client `([^`]+)`")
WITNESS_HELO = re.compile(r"`HELO ([^`]*)`")
WITNESS_SENDER = re.compile(r"`MAIL FROM:<([^`]*)>`")
WITNESS_RCPT = re.compile(r"`RCPT TO:<([^`]*)>`")
SWAKS_PORT = re.compile(r"--port (\d+)\b")
SWAKS_ARG = r"--%s '([^']*)'"


def parse_witness(finding: dict) -> Witness:
    """The attacker of a PF001 finding, from its notes:
    "attacker: client `IP` (...), `HELO name`, `MAIL FROM:<s>`, `RCPT TO:<r>`" and
    "confirm with `swaks --server YOUR-SERVER --port N [--helo 'h'] --from 's' --to 'r' ...`"."""
    notes = [str(n) for n in (finding.get("notes") or [])]
    message = str(finding.get("message", ""))
    m = re.search(r"through (.*?)(?: via |: | with |$)", message)
    w = Witness("PF001 %s:%s" % (finding.get("path"), finding.get("line")),
                m.group(1) if m else squeeze(message, 80))
    attacker = next((n for n in notes if WITNESS_CLIENT.search(n)), "")
    swaks = next((n for n in notes if "swaks " in n), "")
    if not attacker:
        w.problem = "no `attacker: client ...` note"
        return w
    w.client = WITNESS_CLIENT.search(attacker).group(1)
    missing = []
    for attr, rx, opt in (("helo", WITNESS_HELO, "helo"), ("sender", WITNESS_SENDER, "from"),
                          ("rcpt", WITNESS_RCPT, "to")):
        m = rx.search(attacker) or re.search(SWAKS_ARG % opt, swaks)
        if m:
            setattr(w, attr, m.group(1))
        else:
            missing.append(attr)
    m = SWAKS_PORT.search(swaks) or re.search(r"\(port (\d+)\)|on `(\d+)`", message)
    if m:
        w.port = int(next(g for g in m.groups() if g))
    else:
        missing.append("port")
    if missing:
        w.problem = "notes do not give the witness's %s" % ", ".join(missing)
    return w


def relaylint_verdict(binary: Path, fixture: Path) -> tuple[str, str, list[Witness]]:
    """relaylint's verdict, a one-line detail, and the witness of every PF001."""
    try:
        arg = str(fixture.relative_to(REPO))
    except ValueError:
        arg = str(fixture)
    try:
        r = run([str(binary), "check", "--format", "json", "--fail-on", "never", arg],
                timeout=120)
    except subprocess.TimeoutExpired:
        return ERROR, "relaylint timed out", []
    if r.returncode not in (0, 1):
        return ERROR, "relaylint exited %d: %s" % (r.returncode, squeeze(r.stderr)), []
    try:
        report = json.loads(r.stdout)
        findings = report["findings"]
        codes = [f["code"] for f in findings]
    except (ValueError, KeyError, TypeError) as e:
        return ERROR, "unreadable JSON report (%s): %s" % (e, squeeze(r.stdout)), []
    where = []
    witnesses: list[Witness] = []
    for f in findings:
        if f.get("code") not in ("PF001", "PF003"):
            continue
        item = "%s %s:%s" % (f.get("code"), f.get("path"), f.get("line"))
        # the attacker relaylint has in mind; for PF001 it is probed (the witness)
        m = re.search(r"attacker: client `([^`]+)`", " ".join(map(str, f.get("notes") or [])))
        if m:
            item += " (attacker %s)" % m.group(1)
        where.append(item)
        if f.get("code") == "PF001":
            w = parse_witness(f)
            if not any(w.describe() == x.describe() and not w.problem for x in witnesses):
                witnesses.append(w)
    detail = "findings: %s" % (", ".join(where) if where else ", ".join(sorted(set(codes))) or "none")
    if "PF001" in codes:
        return "open", detail, witnesses
    if "PF003" in codes:
        return "refuses-to-start", detail, []
    return "closed", detail, []


# ---------------------------------------------------------------------------
# Suite driver
# ---------------------------------------------------------------------------
@dataclass
class Case:
    name: str
    path: Path
    expected: str
    summary: str
    problem: str = ""
    client_ip: str = CLIENT_IP


# Addresses the client may not use: trusted by relaylint's definition (loopback,
# RFC 1918, RFC 6598, link-local), not unicast, or part of the lab's own plan.
NOT_A_CLIENT = ("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                "172.16.0.0/12", "192.168.0.0/16", "198.51.100.0/24", "224.0.0.0/3")


def check_client_ip(value) -> str | None:
    import ipaddress
    try:
        ip = ipaddress.IPv4Address(str(value))
    except ValueError:
        return "client_ip %r is not an IPv4 address" % (value,)
    for net in NOT_A_CLIENT:
        if ip in ipaddress.IPv4Network(net):
            return "client_ip %s is in %s (trusted, not unicast, or used by the lab)" % (ip, net)
    return None


def load_cases(root: Path, select_substr: str | None) -> list[Case]:
    cases = []
    for d in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        if select_substr and select_substr not in d.name:
            continue
        toml = d / "case.toml"
        c = Case(d.name, d, "", "")
        if not toml.exists():
            c.problem = "missing case.toml"
        else:
            try:
                meta = tomllib.loads(toml.read_text())
                c.expected = str(meta.get("verdict", ""))
                c.summary = str(meta.get("summary", ""))
                if "client_ip" in meta:
                    c.problem = check_client_ip(meta["client_ip"]) or ""
                    c.client_ip = str(meta["client_ip"])
                if c.expected not in VERDICTS and not c.problem:
                    c.problem = "case.toml verdict %r is not one of %s" % (
                        c.expected, ", ".join(VERDICTS))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
                c.problem = "case.toml unreadable: %s" % e
        cases.append(c)
    return cases


def preflight(args) -> Path | None:
    if os.geteuid() != 0:
        print("run.py: must run as root: it creates network namespaces, bind-mounts a "
              "private /etc/hosts and starts Postfix\n        (try: sudo python3 %s)"
              % os.path.relpath(SELF), file=sys.stderr)
        sys.exit(2)
    if tomllib is None:
        print("run.py: Python 3.11 or later is required (tomllib)", file=sys.stderr)
        sys.exit(2)
    missing = [t for t in REQUIRED_TOOLS
               if not shutil.which(t) and not os.access("/usr/sbin/" + t, os.X_OK)]
    if not os.path.exists("/usr/share/postfix/master.cf.dist"):
        missing.append("/usr/share/postfix/master.cf.dist (Debian postfix package)")
    if missing:
        print("run.py: missing: %s\n        %s" % (", ".join(missing), INSTALL_HINT),
              file=sys.stderr)
        sys.exit(2)
    os.environ["PATH"] = os.environ.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin"
    ns = "rldt%d-preflight" % os.getpid()
    r = run(["ip", "netns", "add", ns])
    if r.returncode == 0:
        r2 = run(["ip", "netns", "exec", ns, "unshare", "-m", "-u", "--", "true"])
        run(["ip", "netns", "del", ns])
        r = r2
    if r.returncode != 0:
        print("run.py: cannot create network/mount/UTS namespaces here (%s)\n        the "
              "suite needs root with CAP_SYS_ADMIN and CAP_NET_ADMIN (a privileged "
              "container or a VM)" % squeeze(r.stderr), file=sys.stderr)
        sys.exit(2)
    return relaylint_binary(args, "run.py")


def relaylint_binary(args: argparse.Namespace, prog: str) -> Path | None:
    """The relaylint binary `--relaylint` names (relative to the repository),
    `None` with `--daemon-only`; exits 2 when it is not an executable file.
    Shared by every suite of this folder."""
    if args.daemon_only:
        return None
    binary = Path(args.relaylint)
    if not binary.is_absolute():
        binary = REPO / binary
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pad = " " * (len(prog) + 2)
        print("%s: relaylint binary not found at %s\n%sbuild it first (cargo build), "
              "pass --relaylint PATH, or use --daemon-only" % (prog, binary, pad), file=sys.stderr)
        sys.exit(2)
    return binary


def main(argv: list[str]) -> int:
    global VERBOSE
    ap = argparse.ArgumentParser(
        prog="run.py",
        description="Start the real Postfix on every fixture and check that relaylint's "
                    "verdict equals the daemon's (and case.toml's). Needs root.")
    ap.add_argument("--relaylint", default="target/debug/relaylint",
                    help="relaylint binary (default: target/debug/relaylint in the repo)")
    ap.add_argument("--fixtures", default="fixtures/postfix",
                    help="directory of fixture cases (default: fixtures/postfix in the repo)")
    ap.add_argument("-k", dest="select", metavar="SUBSTRING",
                    help="only cases whose name contains SUBSTRING")
    ap.add_argument("--daemon-only", action="store_true",
                    help="do not run relaylint; compare the daemon with case.toml only")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directories")
    ap.add_argument("--timeout", type=float, default=90,
                    help="seconds allowed per fixture (default 90)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="log every step and show the daemon's log for each case")
    args = ap.parse_args(argv)
    VERBOSE = args.verbose
    binary = preflight(args)

    fixtures = Path(args.fixtures)
    if not fixtures.is_absolute():
        fixtures = REPO / fixtures
    if not fixtures.is_dir():
        print("run.py: fixture directory %s does not exist" % fixtures, file=sys.stderr)
        return 2
    cases = load_cases(fixtures, args.select)
    if not cases:
        print("run.py: no fixture cases found in %s%s" % (
            fixtures, (" matching %r" % args.select) if args.select else ""), file=sys.stderr)
        print("0 passed, 0 failed")
        return 1

    become_subreaper()

    def on_signal(signum, _frame):
        raise Interrupted("signal %d" % signum)

    def on_alarm(_signum, _frame):
        raise CaseTimeout("fixture took longer than %gs" % args.timeout)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    signal.signal(signal.SIGALRM, on_alarm)

    work = Path(tempfile.mkdtemp(prefix="relaylint-difftest-"))
    os.chmod(work, 0o755)
    tls_pem = TlsPem(work)
    width = max(len(c.name) for c in cases)
    mode = "daemon only" if binary is None else "relaylint %s" % os.path.relpath(binary, REPO)
    print("differential suite: %d fixture(s) in %s, %s" % (
        len(cases), os.path.relpath(fixtures, REPO) if fixtures.is_relative_to(REPO) else fixtures,
        mode))
    passed = failed = 0
    interrupted = False
    try:
        for n, case in enumerate(cases, 1):
            t0 = time.monotonic()
            if VERBOSE:
                sys.stderr.write("== %s: %s\n" % (case.name, case.summary))
            # relaylint first: its witnesses are probed on the daemon instance below
            if binary is not None:
                rl, rl_detail, witnesses = relaylint_verdict(binary, case.path)
            else:
                rl, rl_detail, witnesses = "-", "", []
            for w in witnesses:
                if w.problem:
                    w.reply = "not probed: %s" % w.problem
            if case.problem:
                daemon = DaemonResult(ERROR, case.problem)
            else:
                signal.alarm(int(args.timeout))
                try:
                    daemon = daemon_verdict(case.path, work / ("%02d-%s" % (n, case.name[:20])),
                                            str(n), tls_pem, probe_timeout=20,
                                            client_ip=case.client_ip, witnesses=witnesses)
                except HarnessError as e:
                    daemon = DaemonResult(ERROR, "harness: %s" % e)
                except subprocess.TimeoutExpired as e:
                    daemon = DaemonResult(ERROR, "harness: command timed out: %s" % squeeze(
                        " ".join(map(str, e.cmd)) if isinstance(e.cmd, list) else e.cmd))
                except Exception as e:  # a bug here must not hide the other fixtures
                    import traceback
                    tb = traceback.extract_tb(e.__traceback__)[-1]
                    daemon = DaemonResult(ERROR, "harness bug: %s: %s (run.py line %s)" % (
                        type(e).__name__, e, tb.lineno))
                finally:
                    signal.alarm(0)
            for w in witnesses:
                if w.outcome == "untested" and not w.reply:
                    w.reply = "not probed: the daemon run ended first (%s)" % squeeze(
                        daemon.detail, 120)
            # every witness must be confirmed; relaylint may say open where the
            # default probe found the relay closed only if its witness relayed
            witness_ok = all(w.outcome == "confirmed" for w in witnesses)
            witness_only = (rl == "open" and daemon.verdict == "closed" and bool(witnesses)
                            and witness_ok)
            ok = (daemon.verdict == case.expected and daemon.verdict in VERDICTS
                  and (binary is None or ((rl == daemon.verdict or witness_only) and witness_ok)))
            passed += ok
            failed += not ok
            if not witnesses:
                wcol = "-"
            elif any(w.outcome == "REFUTED" for w in witnesses):
                wcol = "REFUTED"
            elif witness_ok:
                wcol = "confirmed"
            else:
                wcol = "untested"
            print("%-*s  expected=%-16s daemon=%-16s relaylint=%-16s witness=%-9s %-8s %5.1fs%s" % (
                width, case.name, case.expected or "?", daemon.verdict, rl, wcol,
                "OK" if ok else "MISMATCH", time.monotonic() - t0,
                "  (open only for the witness client/helo/sender)" if ok and witness_only else ""),
                flush=True)
            for w in witnesses:
                if not ok or VERBOSE or witness_only or w.fallback or w.outcome != "confirmed":
                    print("    witness: %s [%s] %s -> %s" % (
                        w.outcome, w.listener, w.describe(), w.reply))
                    if w.fallback:
                        print("      (%s)" % w.fallback)
            if not ok or VERBOSE:
                if case.client_ip != CLIENT_IP:
                    print("    client: %s (client_ip from case.toml)" % case.client_ip)
                print("    daemon: %s" % daemon.detail)
                if rl_detail:
                    print("    relaylint: %s" % rl_detail)
                if case.summary and not ok:
                    print("    case: %s" % case.summary)
            if VERBOSE and daemon.log_excerpt:
                sys.stderr.write("    --- maillog (tail) ---\n")
                for line in daemon.log_excerpt.splitlines()[-40:]:
                    sys.stderr.write("    | %s\n" % line)
            sys.stdout.flush()
    except (Interrupted, KeyboardInterrupt) as e:
        interrupted = True
        print("interrupted (%s); cleaned up" % (e or "Ctrl-C"), file=sys.stderr)
    finally:
        signal.alarm(0)
        reap_orphans()
        if args.keep:
            print("kept temporary files in %s" % work, file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    if interrupted:
        return 130
    return 0 if failed == 0 else 1


# ---------------------------------------------------------------------------
# Helpers that run inside the namespaces
# ---------------------------------------------------------------------------
def helper_dns(zone_file: str, ready: str) -> None:
    """Authoritative-style stub on 127.0.0.1:53 (UDP) of the daemon namespace:
    A/MX/PTR from the zone file, NODATA for other types of known names,
    NXDOMAIN for everything else (the client address has no PTR)."""
    signal.alarm(900)
    zone = json.loads(Path(zone_file).read_text())
    a, mx, ptr = zone["a"], zone["mx"], zone["ptr"]

    def wire(name: str) -> bytes:
        return b"".join(bytes([len(l)]) + l.encode() for l in name.strip(".").split(".") if l) + b"\0"

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 53))
    Path(ready).touch()
    while True:
        msg, peer = sock.recvfrom(4096)
        try:
            if len(msg) < 12:
                continue
            pos, labels = 12, []
            while msg[pos]:
                n = msg[pos]
                labels.append(msg[pos + 1:pos + 1 + n].decode("ascii", "replace"))
                pos += 1 + n
            qtype = int.from_bytes(msg[pos + 1:pos + 3], "big")
            question = msg[12:pos + 5]
            name = ".".join(labels).lower().rstrip(".")
            answers = []
            if qtype == 1 and name in a:
                answers.append((1, socket.inet_aton(a[name])))
            elif qtype == 15 and name in mx:
                answers.append((15, (10).to_bytes(2, "big") + wire(mx[name])))
            elif qtype == 12 and name in ptr:
                answers.append((12, wire(ptr[name])))
            rcode = 0 if (name in a or name in mx or name in ptr) else 3
            flags = 0x8000 | 0x0400 | (int.from_bytes(msg[2:4], "big") & 0x0100) | 0x0080 | rcode
            out = msg[:2] + flags.to_bytes(2, "big") + (1).to_bytes(2, "big") + \
                len(answers).to_bytes(2, "big") + b"\0\0\0\0" + question
            for rtype, rdata in answers:
                out += b"\xc0\x0c" + rtype.to_bytes(2, "big") + b"\0\1" + (300).to_bytes(4, "big") \
                    + len(rdata).to_bytes(2, "big") + rdata
            sock.sendto(out, peer)
        except (IndexError, ValueError, OSError):
            continue


def helper_foreign(hits_file: str, ready: str) -> None:
    """The foreign domain's mail host: greets on :25, accepts nothing, logs every
    connection (a hit means the daemon tried to talk to it)."""
    signal.alarm(900)
    lock = threading.Lock()
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((FOREIGN_IP, 25))
    srv.listen(16)

    def serve(conn: socket.socket) -> None:
        try:
            with lock, open(hits_file, "a") as f:
                f.write("smtp from %s\n" % conn.getpeername()[0])
            conn.settimeout(10)
            conn.sendall(b"220 mail.example.net ESMTP foreign host of the relaylint test\r\n")
            buf = b""
            while True:
                data = conn.recv(1024)
                if not data:
                    break
                buf += data
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    if line.strip().upper().startswith(b"QUIT"):
                        conn.sendall(b"221 bye\r\n")
                        return
                    conn.sendall(b"554 5.7.1 test host: no mail accepted\r\n")
        except OSError:
            pass
        finally:
            conn.close()

    Path(ready).touch()
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


def helper_dovecot_auth(target: str, ready: str) -> None:
    """Dovecot auth protocol 1.x server that offers PLAIN/LOGIN and fails every AUTH."""
    signal.alarm(900)
    if target.startswith("inet:"):
        host, port = target[5:].rsplit(":", 1)
        host = "127.0.0.1" if is_loopback_host(host) or not host else host
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((host.strip("[]"), int(port)))
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.lexists(target):
            os.unlink(target)
        srv = socket.socket(socket.AF_UNIX)
        srv.bind(target)
        os.chmod(target, 0o666)
    srv.listen(16)
    hello = ("VERSION\t1\t2\nMECH\tPLAIN\tplaintext\nMECH\tLOGIN\tplaintext\n"
             "SPID\t%d\nCUID\t1\nCOOKIE\t%s\nDONE\n" % (os.getpid(), "0" * 32)).encode()

    def serve(conn: socket.socket) -> None:
        try:
            conn.sendall(hello)
            buf = b""
            while True:
                data = conn.recv(4096)
                if not data:
                    return
                buf += data
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    f = line.split(b"\t")
                    if f[0] == b"AUTH" and len(f) > 1:
                        conn.sendall(b"FAIL\t" + f[1] + b"\treason=relaylint test stub\n")
        except OSError:
            pass
        finally:
            conn.close()

    Path(ready).touch()
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


def helper_probe() -> None:
    """SMTP relay probes from the client namespace. Reads a JSON plan on stdin,
    writes one JSON result on stdout. Never sends DATA."""
    import smtplib
    import ssl

    plan = json.loads(sys.stdin.read())
    signal.alarm(int(plan["timeout"] * 4 + 30))
    host, port, timeout = plan["host"], plan["port"], plan["timeout"]
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    result = {"banner": None, "error": None, "items": [], "starttls": False}

    def text(msg) -> str:
        return msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)

    source = (plan["source"], 0) if plan.get("source") else None

    def open_session():
        s = smtplib.SMTP_SSL(context=ctx, timeout=timeout, source_address=source) \
            if plan["wrap_tls"] else smtplib.SMTP(timeout=timeout, source_address=source)
        s._host = host
        code, msg = s.connect(host, port)
        if result["banner"] is None:
            result["banner"] = "%d %s" % (code, text(msg))
        if code != 220:
            s.close()
            raise smtplib.SMTPConnectError(code, msg)
        code, _ = s.ehlo(plan["helo"])
        if code != 250:
            code, msg = s.helo(plan["helo"])
            if code != 250:
                s.close()
                raise smtplib.SMTPHeloError(code, msg)
        return s, plan["wrap_tls"]

    def record(item, stage, code, msg):
        result["items"].append([item[0], item[1], item[2], stage, code, text(msg)])

    for session in plan["sessions"]:
        s, tls = None, False
        for item in session:
            label, sender, rcpt = item
            try:
                if s is None:
                    s, tls = open_session()
                code, msg = s.docmd("MAIL", "FROM:<%s>" % sender)
                if code == 530 and not tls and s.has_extn("starttls"):
                    s.starttls(context=ctx)
                    s.ehlo(plan["helo"])
                    tls = result["starttls"] = True
                    code, msg = s.docmd("MAIL", "FROM:<%s>" % sender)
                if not 200 <= code < 300:
                    record(item, "MAIL", code, msg)
                else:
                    code, msg = s.docmd("RCPT", "TO:<%s>" % rcpt)
                    record(item, "RCPT", code, msg)
                s.docmd("RSET")
            except smtplib.SMTPConnectError as e:
                record(item, "GREETING", e.smtp_code, e.smtp_error)
                s = None
            except smtplib.SMTPHeloError as e:
                record(item, "EHLO", e.smtp_code, e.smtp_error)
                s = None
            except (socket.timeout, TimeoutError) as e:
                if result["banner"] is None:
                    result["error"] = "no greeting within %gs" % timeout
                else:
                    record(item, "TIMEOUT", 0, str(e) or "timeout")
                print(json.dumps(result))
                return
            except (smtplib.SMTPException, OSError) as e:
                if result["banner"] is None and not result["items"]:
                    result["error"] = "%s: %s" % (type(e).__name__, e)
                    print(json.dumps(result))
                    return
                record(item, "DISCONNECT", 0, "%s: %s" % (type(e).__name__, e))
                try:
                    s.close()
                except Exception:
                    pass
                s = None
        if s is not None:
            try:
                s.quit()
            except (smtplib.SMTPException, OSError):
                pass
    print(json.dumps(result))


HELPERS = {"_dns": helper_dns, "_foreign": helper_foreign,
           "_dovecot_auth": helper_dovecot_auth, "_probe": helper_probe}

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in HELPERS:
        HELPERS[sys.argv[1]](*sys.argv[2:])
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
