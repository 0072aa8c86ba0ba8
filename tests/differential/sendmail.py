#!/usr/bin/env python3
"""Differential test suite: the real Sendmail versus relaylint, fixture by fixture.

For every fixture tree under fixtures/sendmail/<case>/ this script

  1. builds the configuration as a host would: etc/mail/sendmail.mc through m4
     with the m4 tree of Debian's sendmail-cf package (or etc/mail/sendmail.cf
     as it is when the fixture holds no .mc); paths under /etc/mail and
     /etc/aliases point at the instance's copy of the fixture; every hash map
     the .cf names (access, ...) is built with makemap, aliases with
     `sendmail -bi`,
  2. keeps who can reach each listener: a DaemonPortOptions Addr= on loopback
     stays there (and is not probed), any other address becomes the lab's
     daemon address; access rules, classes and rulesets are never touched,
  3. starts the real sendmail (`sendmail -bD`) in a private network namespace
     wired to an untrusted client namespace (203.0.113.66, or case.toml's
     client_ip) and a foreign mail host (198.51.100.25, example.net),
  4. probes every reachable listener: EHLO, MAIL FROM a foreign sender and
     forged local / access-listed senders, RCPT TO victim@example.net and the
     address tricks (%-hack, quoted, bang path, double @, source route) against
     the host's own domains; a 2xx to a trick is checked with `sendmail -bt`
     `/parse` (a local mailer is not relayed). Any relayed RCPT: open; m4
     failing or sendmail not serving: refuses-to-start; else closed,
  5. runs `relaylint check --format json --fail-on never` on the fixture:
     SM001 -> open, else SM002 -> refuses-to-start, else closed, and replays
     each SM001 witness (client, sender, recipient from its notes) against the
     same running daemon from the witness's own client address,
  6. compares case.toml, the daemon and relaylint.

Python 3.11+ standard library only. Runs as root (network namespaces). Sendmail
is not installed (it conflicts with Postfix): tests/differential/sendmail-setup.sh
unpacks Debian's packages into a cache directory, and this script runs it when
the cache is missing. The namespace plumbing and the helper programs (stub DNS,
foreign mail host, SMTP probe client) come from run.py next to this file.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as lab_support  # noqa: E402  (the Lab, helpers and process tools of the Postfix suite)

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    tomllib = None

SELF = Path(__file__).resolve()
HERE = SELF.parent
REPO = SELF.parents[2]
RUN_PY = HERE / "run.py"
SETUP = HERE / "sendmail-setup.sh"
PYTHON = sys.executable or "/usr/bin/python3"

CACHE = Path(os.environ.get("RELAYLINT_SENDMAIL_CACHE", "/var/cache/relaylint-sendmail"))
SMROOT = CACHE / "root"
SENDMAIL = SMROOT / "usr/libexec/sendmail/sendmail"
MAKEMAP = SMROOT / "usr/libexec/sendmail/makemap"
CFDIR = SMROOT / "usr/share/sendmail/cf"

DAEMON_IP = lab_support.DAEMON_IP
DAEMON_OUT_IP = lab_support.DAEMON_OUT_IP
FOREIGN_IP = lab_support.FOREIGN_IP
CLIENT_IP = lab_support.CLIENT_IP
DAEMON_HOSTNAME = lab_support.DAEMON_HOSTNAME
FOREIGN_DOMAIN = lab_support.FOREIGN_DOMAIN
VICTIM = lab_support.VICTIM
SENDER = lab_support.SENDER
HELO = lab_support.HELO
VERDICTS = lab_support.VERDICTS
ERROR = lab_support.ERROR
HarnessError = lab_support.HarnessError
CaseTimeout = lab_support.CaseTimeout
squeeze = lab_support.squeeze
run = lab_support.run

REQUIRED_TOOLS = ("m4", "ip", "unshare", "mount", "hostname", "ss")
NOT_RELAYED_MAILERS = ("local", "prog", "error", "*error*", "*file*", "*include*", "discard")
VERBOSE = False

DPO = re.compile(r"^O\s*DaemonPortOptions\s*=\s*(.*)$")
OLD_DPO = re.compile(r"^OO(.*)$")  # one-letter form of DaemonPortOptions


def vlog(msg: str) -> None:
    if VERBOSE:
        sys.stderr.write("  [sendmail.py] %s\n" % msg)
        sys.stderr.flush()


# ---------------------------------------------------------------------------
# Building the instance's configuration
# ---------------------------------------------------------------------------
@dataclass
class Listener:
    name: str
    port: int
    addr: str  # as configured ("" = all interfaces)
    reachable: bool
    modifiers: str = ""
    outcome: str = "-"
    detail: str = ""


@dataclass
class Instance:
    case: Path
    dir: Path
    etc: Path = field(init=False)
    cf: Path = field(init=False)
    notes: list[str] = field(default_factory=list)
    listeners: list[Listener] = field(default_factory=list)
    cftext: str = ""
    opts: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.etc = self.dir / "etc"
        self.cf = self.dir / "sendmail.cf"

    def fix_paths(self, text: str) -> str:
        """/etc/mail, /etc/aliases and the m4 tree's path to the instance's
        copies; a path already pointing there is left alone."""
        smroot = "(?<!%s)" % re.escape(str(SMROOT))
        mine = "(?<!%s)" % re.escape(str(self.dir))
        text = re.sub(smroot + r"/usr/share/sendmail/cf(?=[/'\s]|$)", str(CFDIR), text)
        text = re.sub(r"/usr/share/sendmail-cf(?=[/'\s]|$)", str(CFDIR), text)
        text = re.sub(mine + r"/etc/mail(?=[/'\s,]|$)", str(self.etc / "mail"), text, flags=re.M)
        text = re.sub(mine + r"/etc/aliases(?=[.'\s,]|$)", str(self.etc / "aliases"), text, flags=re.M)
        return text


def copy_fixture(inst: Instance) -> None:
    src = inst.case / "etc"
    if not src.is_dir():
        raise HarnessError("fixture has no etc/ directory")
    shutil.copytree(src, inst.etc, symlinks=False)
    (inst.etc / "mail").mkdir(exist_ok=True)
    for p in inst.etc.rglob("*.db"):
        p.unlink()  # maps are built here, never shipped


def build_cf(inst: Instance) -> str | None:
    """Writes the instance's sendmail.cf. Returns a refusal reason when the
    configuration cannot be built (m4 fails), else None."""
    mc = inst.etc / "mail" / "sendmail.mc"
    cf_src = inst.etc / "mail" / "sendmail.cf"
    if mc.exists():
        text = mc.read_text(errors="replace")
        fixed = inst.dir / "sendmail.mc"
        fixed.write_text(inst.fix_paths(text))
        # as `m4 sendmail.mc > sendmail.cf` on Debian; an .mc without its own
        # include of cf.m4 is built the upstream way, m4 cf.m4 file.mc
        cmd = ["m4", "-D_CF_DIR_=%s/" % CFDIR, "-DTEMPFILE=%s" % (inst.dir / "cfinfo.tmp")]
        if not re.search(r"^\s*include\(\s*`[^']*cf\.m4'", text, re.M):
            cmd.append(str(CFDIR / "m4" / "cf.m4"))
        cmd.append(str(fixed))
        r = run(cmd, timeout=60, env=dict(os.environ, TMPDIR=str(inst.dir)))
        (inst.dir / "m4.stderr").write_text(r.stderr)
        errs = [l for l in r.stderr.splitlines() if l.strip()]
        if r.returncode != 0:
            first = next((l for l in errs if "WARNING" not in l), errs[0] if errs else "")
            return "m4 exited %d: %s" % (r.returncode, squeeze(first.replace(str(inst.dir), ""), 200))
        hard = [l for l in errs if "*** ERROR" in l]
        if hard:
            inst.notes.append("m4 printed %s (exit 0, the .cf is built anyway)" % squeeze(hard[0], 100))
        warns = [l for l in errs if "*** WARNING" in l]
        if warns:
            inst.notes.append("m4: " + squeeze(warns[0], 100))
        generated = r.stdout
        if cf_src.exists():
            if cf_body(cf_src.read_text(errors="replace")) != cf_body(generated):
                inst.notes.append("fixture's sendmail.cf differs from its .mc; the .mc was used")
        text = inst.fix_paths(generated)
    elif cf_src.exists():
        text = inst.fix_paths(cf_src.read_text(errors="replace"))
    else:
        raise HarnessError("fixture has neither etc/mail/sendmail.mc nor etc/mail/sendmail.cf")
    inst.cftext = rewrite_listeners(inst, text)
    inst.cf.write_text(inst.cftext)
    return None


def cf_body(text: str) -> list[str]:
    """A .cf without comments and the build's own stamp lines (built by, in dir)."""
    return [l for l in text.splitlines() if l.strip() and not l.startswith("#")]


def dpo_fields(value: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in value.split(","):
        if "=" not in part:
            continue
        k, v = part.split("=", 1)
        k = k.strip()
        if k:
            out.setdefault(k[0].lower(), v.strip())
    return out


def port_number(name: str) -> int | None:
    name = name.strip() or "smtp"
    if name.isdigit():
        return int(name)
    try:
        return socket.getservbyname(name, "tcp")
    except OSError:
        return {"smtp": 25, "submission": 587, "smtps": 465, "submissions": 465}.get(name)


def is_loopback(addr: str) -> bool:
    a = addr.strip().strip("[]").lower()
    return a.startswith("127.") or a in ("localhost", "::1", "ip6-localhost", "0:0:0:0:0:0:0:1")


def rewrite_listeners(inst: Instance, text: str) -> str:
    out = []
    seen = False
    for line in text.splitlines():
        m = DPO.match(line) or OLD_DPO.match(line)
        if not m:
            out.append(line)
            continue
        seen = True
        f = dpo_fields(m.group(1))
        fam = f.get("f", "inet").lower()
        name = f.get("n", "?")
        port = port_number(f.get("p", "smtp"))
        addr = f.get("a", "")
        mods = f.get("m", "")
        if fam in ("local", "unix"):
            out.append(line)
            inst.notes.append("listener %s is a local socket (not probed)" % name)
            continue
        if fam == "inet6":
            # the lab is IPv4 only; an IPv6 listener is left out (loopback ones are unreachable anyway)
            out.append("# [relaylint differential suite: IPv6 listener left out] " + line)
            if not is_loopback(addr):
                inst.notes.append("IPv6 listener %s left out (lab is IPv4)" % name)
            continue
        if port is None:
            out.append(line)
            inst.notes.append("listener %s: unknown port %r" % (name, f.get("p")))
            continue
        if is_loopback(addr):
            inst.listeners.append(Listener(name, port, addr, False, mods))
            out.append(line)
            continue
        if addr and addr not in ("0.0.0.0", "INADDR_ANY"):
            # a public or private address of the real host: the lab's daemon address
            new = re.sub(r"(^|,)\s*[Aa]\w*\s*=\s*[^,]*", r"\1Addr=%s" % DAEMON_IP, m.group(1))
            prefix = line[:line.index(m.group(1))]
            out.append(prefix + new)
            inst.notes.append("listener %s Addr=%s -> %s" % (name, addr, DAEMON_IP))
        else:
            out.append(line)
        inst.listeners.append(Listener(name, port, addr, True, mods))
    if not seen:
        inst.listeners.append(Listener("(default)", 25, "", True))
    return "\n".join(out) + "\n"


def cf_values(text: str) -> dict:
    """What the probes need from the .cf: $j, class w and R literals, files of
    classes w and R, hash maps, a few options."""
    v: dict = {"j": "", "w": [], "R": [], "wfiles": [], "Rfiles": [], "maps": [], "opts": {}}
    for line in text.splitlines():
        if line.startswith("Dj"):
            v["j"] = line[2:].strip()
        m = re.match(r"^C(?:([wR])|\{([wR])\})(.*)$", line)
        if m:
            v[m.group(1) or m.group(2)] += m.group(3).split()
        m = re.match(r"^F(?:([wR])|\{([wR])\})\s*(?:-o\s*)?(\S+)", line)
        if m:
            v[(m.group(1) or m.group(2)) + "files"].append(m.group(3))
        m = re.match(r"^K\s*\S+\s+(hash|btree|dbm)\b(.*)$", line)
        if m:
            path = [t for t in m.group(2).split() if t.startswith("/")]
            if path:
                # the text source of `hash -o /etc/mail/access.db` is /etc/mail/access
                src = re.sub(r"\.(db|dir|pag)$", "", path[-1])
                v["maps"].append((m.group(1), src))
        m = re.match(r"^O\s+(\w+)\s*=\s*(.*)$", line)
        if m:
            v["opts"][m.group(1)] = m.group(2).strip()
    return v


def class_file_words(path: str) -> list[str]:
    out = []
    try:
        for line in Path(path).read_text(errors="replace").splitlines():
            s = line.strip()
            if s and not s.startswith("#"):
                out.append(s.split()[0])
    except OSError:
        pass
    return out


def domain_like(tok: str) -> bool:
    t = tok.strip().lower()
    if not t or "$" in t or t.startswith(("[", "ipv6:")) or "." not in t:
        return False
    try:
        ipaddress.ip_address(t)
        return False
    except ValueError:
        pass
    return not re.fullmatch(r"[\d.]+", t)


TAGS = ("to", "from", "connect", "spam", "greetpause", "clientrate", "clientconn", "certissuer",
        "certsubject", "authinfo", "compat", "srv_features", "try_tls", "tls_clt_features",
        "tls_srv_features", "mailer", "qgrp", "mta-sts", "dnsbl")


def split_tag(key: str) -> tuple[str, str]:
    """("to", "example.com") for To:example.com; ("", key) for an untagged key."""
    head, sep, rest = key.partition(":")
    if sep and head.lower() in TAGS:
        return head.lower(), rest
    return "", key


def access_entries(path: Path) -> list[tuple[str, str]]:
    out = []
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return out
    for line in lines:
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        parts = s.split(None, 1)
        if len(parts) == 2:
            out.append((parts[0].lower(), parts[1].strip()))
    return out


@dataclass
class Plan:
    j: str
    local: list[str]  # class w domains
    relay: list[str]  # class R domains
    to_relay: list[str]  # access To:/untagged RELAY domains
    senders: list[tuple[str, str]]  # label, forged sender


def make_plan(inst: Instance) -> Plan:
    v = cf_values(inst.cftext)
    j = v["j"] if v["j"] and "$" not in v["j"] else DAEMON_HOSTNAME
    local, relay = [], []
    for tok in v["w"] + [w for f in v["wfiles"] for w in class_file_words(f)]:
        if domain_like(tok) and tok.lower() not in local and tok.lower() != j.lower():
            local.append(tok.lower())
    for tok in v["R"] + [w for f in v["Rfiles"] for w in class_file_words(f)]:
        if domain_like(tok) and tok.lower() not in relay:
            relay.append(tok.lower())
    to_relay, from_relay = [], []
    access = [src for _cls, src in v["maps"] if src.endswith("/access")]
    for path in access:
        for key, val in access_entries(Path(path)):
            if not val.upper().startswith("RELAY"):
                continue
            tag, k = split_tag(key)
            if tag in ("to", "") and domain_like(k.split("@")[-1]) and "@" not in k:
                to_relay.append(k)
            if tag in ("from", ""):
                if "@" in k and not k.startswith("@"):
                    from_relay.append(k if domain_like(k.split("@")[1]) else "")
                elif domain_like(k):
                    from_relay.append("a@" + k)
                elif k.endswith("@"):
                    from_relay.append(k + (local[0] if local else j))
    senders = [("spoofed-sender@" + j, "a@" + j)]
    for d in local[:1]:
        senders.append(("spoofed-sender@" + d, "a@" + d))
    for s in from_relay:
        if s and ("access-from:" + s, s) not in senders:
            senders.append(("access-from:" + s, s))
    return Plan(j, local, relay, to_relay, senders[:6])


def check_domains(plan: Plan) -> None:
    # a local domain equal to the foreign one would turn the relay probe into
    # local delivery; relaying *to* it (class R, To: RELAY) is what is tested
    for d in plan.local + [plan.j]:
        d = d.lower()
        if d == FOREIGN_DOMAIN or d.endswith("." + FOREIGN_DOMAIN):
            raise HarnessError("fixture serves %s, the domain the prober uses as the foreign "
                               "relay target; use another domain in the fixture" % d)


def build_maps(inst: Instance) -> None:
    v = cf_values(inst.cftext)
    for cls, path in dict.fromkeys(v["maps"]):
        p = Path(path)
        if not str(p).startswith(str(inst.dir)):
            continue
        if not p.exists():
            inst.notes.append("map source %s missing" % p.name)
            continue
        r = run([str(MAKEMAP), "-C", str(inst.cf), cls, str(p)],
                input=p.read_text(errors="replace"), timeout=30,
                env=dict(os.environ, TMPDIR=str(inst.dir)))
        if r.returncode != 0:
            inst.notes.append("makemap %s: %s" % (p.name, squeeze(r.stderr or r.stdout, 120)))


def sendmail_opts(inst: Instance) -> list[str]:
    """Housekeeping options: where the instance keeps its queue, pid and status
    files. Nothing here decides who may relay."""
    v = cf_values(inst.cftext)
    q = inst.dir / "mqueue"
    q.mkdir(exist_ok=True)
    os.chmod(q, 0o700)
    opts = ["QueueDirectory=%s" % q, "PidFile=%s" % (inst.dir / "sendmail.pid"),
            "StatusFile=%s" % (inst.dir / "sendmail.st"), "HostStatusDirectory=",
            "ControlSocketName=", "DeadLetterDrop=", "LogLevel=9"]
    alias = v["opts"].get("AliasFile", "")
    first = alias.split(",")[0].strip()
    if first.startswith(("hash:", "dbm:", "btree:")):
        first = first.split(":", 1)[1]
    if not first or not first.startswith(str(inst.dir)):
        first = str(inst.etc / "aliases")
        opts.append("AliasFile=%s" % first)
    if not Path(first).exists():
        Path(first).parent.mkdir(parents=True, exist_ok=True)
        Path(first).write_text("postmaster: root\nMAILER-DAEMON: postmaster\n")
        inst.notes.append("aliases file written")
    user = v["opts"].get("TrustedUser", "")
    if user and not user.isdigit():
        try:
            pwd.getpwnam(user)
        except KeyError:
            # the distribution's own account (Debian: smmta) that only its
            # sendmail package creates; sendmail stops on an unknown user
            opts.append("TrustedUser=root")
            inst.notes.append("TrustedUser=%s unknown here: root" % user)
    return [x for o in opts for x in ("-O", o)]


# ---------------------------------------------------------------------------
# Running the daemon
# ---------------------------------------------------------------------------
def zone_for(plan: Plan, client_ip: str) -> dict:
    a = {FOREIGN_DOMAIN: FOREIGN_IP, "mail." + FOREIGN_DOMAIN: FOREIGN_IP,
         "www." + FOREIGN_DOMAIN: FOREIGN_IP, "example.org": FOREIGN_IP,
         "mail.example.org": FOREIGN_IP, HELO: client_ip,
         DAEMON_HOSTNAME: DAEMON_IP, "oracle.test": DAEMON_IP}
    mx = {FOREIGN_DOMAIN: "mail." + FOREIGN_DOMAIN, "example.org": "mail.example.org",
          "oracle.test": DAEMON_HOSTNAME}
    for d in [plan.j] + plan.local + plan.relay + plan.to_relay:
        if d.endswith(FOREIGN_DOMAIN) or d.endswith("example.org"):
            continue
        a.setdefault(d, DAEMON_IP)
        mx.setdefault(d, plan.j)
    ptr = {lab_support.rev_name(DAEMON_IP): plan.j,
           lab_support.rev_name(DAEMON_OUT_IP): plan.j,
           lab_support.rev_name(FOREIGN_IP): "mail." + FOREIGN_DOMAIN}
    return {"a": a, "mx": mx, "ptr": ptr}


def host_env(lab, plan: Plan) -> dict:
    """The daemon namespace's host name is the fixture's $j (confDOMAIN_NAME)
    when it sets one: sendmail derives $m and class m from the host's own
    name, and a host whose .cf names it has that name."""
    return lab.daemon_env({"RLDT_HOSTNAME": plan.j})


def sm_argv(inst: Instance, *extra: str) -> list[str]:
    return [str(SENDMAIL), "-C", str(inst.cf)] + inst.opts + list(extra)


def listening(lab, port: int) -> bool:
    r = run(["ip", "netns", "exec", lab.daemon_ns, "ss", "-Hltn", "sport = :%d" % port], timeout=10)
    return bool(r.stdout.strip())


def start_daemon(inst: Instance, lab, plan: Plan) -> tuple[subprocess.Popen, str | None]:
    out = open(inst.dir / "sendmail.out", "w")
    try:
        p = subprocess.Popen(lab.daemon_argv(sm_argv(inst, "-bD")), env=host_env(lab, plan),
                             stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    finally:
        out.close()
    lab.procs.append(p)
    ports = sorted({l.port for l in inst.listeners})
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if p.poll() is not None:
            return p, "sendmail exited rc=%s: %s" % (p.returncode, squeeze(daemon_output(inst), 200))
        if all(listening(lab, port) for port in ports):
            return p, None
        time.sleep(0.1)
    if p.poll() is not None:
        return p, "sendmail exited rc=%s: %s" % (p.returncode, squeeze(daemon_output(inst), 200))
    return p, "sendmail not listening on %s after 20s: %s" % (
        ",".join(map(str, ports)), squeeze(daemon_output(inst), 200) or "(no output)")


def daemon_output(inst: Instance) -> str:
    try:
        return (inst.dir / "sendmail.out").read_text(errors="replace").replace(str(inst.dir), "")
    except OSError:
        return ""


def run_probe(lab, plan: dict, timeout: float) -> tuple[dict | None, str]:
    p = lab.spawn(lab.client_ns, [PYTHON, str(RUN_PY), "_probe"], stdin=subprocess.PIPE,
                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(json.dumps(plan), timeout=timeout * 4 + 30)
    except subprocess.TimeoutExpired:
        lab_support.stop_pid(p.pid, grace=0.5)
        out, err = p.communicate()
    try:
        return json.loads(out), err
    except ValueError:
        return None, err


def trick_recipients(domain: str) -> list[tuple[str, str]]:
    return lab_support.trick_recipients(domain)


def parse_route(inst: Instance, lab, plan: Plan, addr: str, cache: dict) -> tuple[str, str, str]:
    """Where `sendmail -bt` /parse would send `addr`: (mailer, host, user)."""
    if addr not in cache:
        r = run(lab.daemon_argv(sm_argv(inst, "-bt")), env=host_env(lab, plan),
                input="/parse %s\n" % addr, timeout=30)
        m = re.search(r"mailer (\S+?),? host (\S+?),? user (.*)$", r.stdout, re.M)
        if m:
            cache[addr] = (m.group(1), m.group(2).rstrip("."), m.group(3).strip())
        else:
            m = re.search(r"mailer (\S+?),", r.stdout)
            cache[addr] = (m.group(1) if m else "?", "", squeeze(r.stdout[-200:], 120))
    return cache[addr]


def probe_listener(inst: Instance, lab, lst: Listener, plan: Plan, timeout: float) -> None:
    first = [["plain", SENDER, VICTIM]] + [[lbl, s, VICTIM] for lbl, s in plan.senders]
    targets = []
    for d in [plan.j] + plan.local[:1] + plan.relay[:1] + plan.to_relay[:1]:
        if d not in targets and not (d == FOREIGN_DOMAIN or d.endswith("." + FOREIGN_DOMAIN)):
            targets.append(d)
    sessions = [first] + [[[lbl, SENDER, r] for lbl, r in trick_recipients(d)] for d in targets]
    res, err = run_probe(lab, {"host": DAEMON_IP, "port": lst.port, "helo": HELO,
                               "wrap_tls": "s" in lst.modifiers, "sessions": sessions,
                               "timeout": timeout}, timeout)
    if res is None:
        lst.outcome, lst.detail = ERROR, "probe client gave no result: %s" % squeeze(err or "-")
        return
    if res.get("banner") is None:
        lst.outcome, lst.detail = "nogreeting", res.get("error") or "no greeting"
        return
    items = res.get("items", [])
    relayed, notes, cache = [], [], {}
    for label, _sender, rcpt, stage, code, _text in items:
        if stage != "RCPT" or not 200 <= code < 300:
            continue
        # accepted: where would sendmail send it? (ruleset 0 applies
        # mailertable, virtusertable, local delivery)
        mailer, host, user = parse_route(inst, lab, plan, rcpt, cache)
        trick = "@" in label and not label.startswith(("spoofed-sender@", "access-from:"))
        if mailer in NOT_RELAYED_MAILERS or not host:
            notes.append("%s->%s (not relayed)" % (label, mailer))
        elif not trick:
            relayed.append(label)
        else:
            relayed.append(("trick:" if host.lower().endswith(FOREIGN_DOMAIN) else
                            "routing-via-relay-domain:") + label)
            notes.append("%s->%s:%s user=%s" % (label, mailer, host, squeeze(user, 40)))
    timeouts = [it for it in items if it[3] == "TIMEOUT"]
    summary = lab_support.summarize(items)
    if notes:
        summary += "; -bt: " + ", ".join(notes)
    if relayed:
        lst.outcome, lst.detail = "open", "open_via=%s; %s" % (",".join(relayed), summary)
    elif timeouts:
        lst.outcome, lst.detail = ERROR, "timed out waiting for the server; " + summary
    else:
        lst.outcome = "closed"
        lst.detail = "banner %s; %s" % (squeeze(res["banner"], 50), summary)


def client_can_connect(lab, port: int) -> bool:
    return lab_support.client_can_connect(lab, port)


# ---------------------------------------------------------------------------
# Witnesses (SM001 notes)
# ---------------------------------------------------------------------------
WITNESS_CLIENT = re.compile(r"client `([^`]+)`")
WITNESS_HELO = re.compile(r"`(?:HELO|EHLO) ([^`]*)`")
WITNESS_SENDER = re.compile(r"`MAIL FROM:<([^`]*)>`")
WITNESS_RCPT = re.compile(r"`RCPT TO:<([^`]*)>`")
WITNESS_PORT = re.compile(r"--port (\d+)\b|\(port (\d+)\)|\bport `?(\d+)`?")


@dataclass
class Witness:
    finding: str
    client: str = ""
    helo: str = HELO
    sender: str = ""
    rcpt: str = ""
    port: int | None = None
    problem: str = ""
    outcome: str = "untested"
    reply: str = ""

    def describe(self) -> str:
        if self.problem:
            return self.finding
        return "from %s to port %s: HELO %s, MAIL FROM:<%s>, RCPT TO:<%s>" % (
            self.client, self.port or "?", self.helo, self.sender, self.rcpt)


def parse_witness(f: dict) -> Witness:
    notes = " ".join(str(n) for n in (f.get("notes") or []))
    w = Witness("SM001 %s:%s" % (f.get("path"), f.get("line")))
    m = WITNESS_CLIENT.search(notes)
    if not m:
        w.problem = "no client `ADDR` in the notes"
        return w
    w.client = m.group(1)
    missing = []
    for attr, rx in (("sender", WITNESS_SENDER), ("rcpt", WITNESS_RCPT)):
        m = rx.search(notes)
        if m:
            setattr(w, attr, m.group(1))
        else:
            missing.append(attr)
    m = WITNESS_HELO.search(notes)
    if m:
        w.helo = m.group(1)
    m = WITNESS_PORT.search(notes) or WITNESS_PORT.search(str(f.get("message", "")))
    if m:
        w.port = int(next(g for g in m.groups() if g))
    if missing:
        w.problem = "notes do not give the witness's %s" % ", ".join(missing)
    return w


def witness_source(client: str) -> tuple[str, str]:
    return lab_support.witness_source(client)


def probe_witness(inst: Instance, lab, plan: Plan, w: Witness, timeout: float) -> None:
    src, why = witness_source(w.client)
    if why:
        w.outcome, w.reply = "untested", "client %s %s" % (w.client, why.replace(
            "the instance runs with inet_protocols = ipv4", "the lab is IPv4 only"))
        return
    reach = [l for l in inst.listeners if l.reachable]
    port = w.port = w.port or (reach[0].port if reach else 25)
    lab.add_client_address(src)
    res, err = run_probe(lab, {"host": DAEMON_IP, "port": port, "helo": w.helo, "source": src,
                               "wrap_tls": False, "sessions": [[["witness", w.sender, w.rcpt]]],
                               "timeout": timeout}, timeout)
    items = (res or {}).get("items", [])
    it = items[0] if items else None
    if res is None:
        w.outcome, w.reply = "untested", "probe client gave no result: %s" % squeeze(err or "-")
    elif it is None:
        w.outcome, w.reply = "REFUTED", res.get("error") or "no greeting"
    elif it[3] == "RCPT" and 200 <= it[4] < 300:
        mailer, host, _user = parse_route(inst, lab, plan, w.rcpt, {})
        if mailer in NOT_RELAYED_MAILERS or not host:
            w.outcome, w.reply = "REFUTED", "%d %s, but delivered locally (mailer %s)" % (
                it[4], squeeze(it[5], 80), mailer)
        else:
            w.outcome, w.reply = "confirmed", "%d %s (mailer %s, host %s)" % (
                it[4], squeeze(it[5], 80), mailer, host)
    else:
        w.outcome, w.reply = "REFUTED", "%s -> %s %s" % (it[3], it[4], squeeze(it[5], 120))


def relaylint_verdict(binary: Path, case: Path) -> tuple[str, str, list[Witness]]:
    try:
        arg = str(case.relative_to(REPO))
    except ValueError:
        arg = str(case)
    try:
        r = subprocess.run([str(binary), "check", "--format", "json", "--fail-on", "never",
                            "--color", "never", arg], capture_output=True, text=True,
                           errors="replace", timeout=120, cwd=REPO)
    except subprocess.TimeoutExpired:
        return ERROR, "relaylint timed out", []
    if r.returncode not in (0, 1):
        return ERROR, "relaylint exited %d: %s" % (r.returncode, squeeze(r.stderr)), []
    try:
        findings = json.loads(r.stdout)["findings"]
        codes = [f["code"] for f in findings]
    except (ValueError, KeyError, TypeError) as e:
        return ERROR, "unreadable JSON report (%s): %s" % (e, squeeze(r.stdout)), []
    witnesses: list[Witness] = []
    where = []
    for f in findings:
        if f.get("code") not in ("SM001", "SM002"):
            continue
        where.append("%s %s:%s" % (f.get("code"), f.get("path"), f.get("line")))
        if f.get("code") == "SM001":
            w = parse_witness(f)
            if not any(w.describe() == x.describe() for x in witnesses):
                witnesses.append(w)
    detail = "findings: %s" % (", ".join(where) or ", ".join(sorted(set(codes))) or "none")
    if "SM001" in codes:
        return "open", detail, witnesses
    if "SM002" in codes:
        return "refuses-to-start", detail, []
    return "closed", detail, []


# ---------------------------------------------------------------------------
# One fixture
# ---------------------------------------------------------------------------
@dataclass
class Outcome:
    daemon: str = ERROR
    detail: str = ""


def run_fixture(case: Path, work: Path, tag: str, client_ip: str, witnesses: list[Witness],
                timeout: float) -> Outcome:
    inst = Instance(case, work)
    work.mkdir(parents=True, exist_ok=True)
    os.chmod(work, 0o755)
    copy_fixture(inst)
    why = build_cf(inst)
    if why:
        for w in witnesses:
            w.outcome, w.reply = "REFUTED", "no daemon to answer: " + why
        return Outcome("refuses-to-start", why)
    plan = make_plan(inst)
    check_domains(plan)
    build_maps(inst)
    inst.opts = sendmail_opts(inst)
    vlog("%s: .cf built; $j=%s, class w %s, class R %s, To: RELAY %s, senders %s; listeners %s" % (
        case.name, plan.j, plan.local[:3], plan.relay[:3], plan.to_relay[:3],
        [s for _, s in plan.senders],
        ["%s %s:%d%s" % (l.name, l.addr or "*", l.port, "" if l.reachable else " (loopback)")
         for l in inst.listeners]))
    lab = lab_support.Lab(tag, work / "lab", client_ip)
    try:
        lab.up()
        lab.write_hosts(["127.0.0.1 localhost",
                         # the host's name first: it is the canonical one
                         "%s %s%s" % (DAEMON_IP, plan.j,
                                      (" " + DAEMON_HOSTNAME) if plan.j != DAEMON_HOSTNAME else ""),
                         "%s %s mail.%s" % (FOREIGN_IP, FOREIGN_DOMAIN, FOREIGN_DOMAIN)])
        zone = lab.dir / "zone.json"
        zone.write_text(json.dumps(zone_for(plan, client_ip)))
        spawn_run_helper(lab, lab.daemon_ns, "dns", zone, lab.dir / "dns.ready")
        spawn_run_helper(lab, lab.foreign_ns, "foreign", lab.dir / "foreign.hits",
                         lab.dir / "foreign.ready")
        r = run(lab.daemon_argv(sm_argv(inst, "-bi")), env=host_env(lab, plan), timeout=30)
        if r.returncode != 0:
            inst.notes.append("newaliases: %s" % squeeze(r.stdout + r.stderr, 100))
        proc, why = start_daemon(inst, lab, plan)
        if why:
            for w in witnesses:
                w.outcome, w.reply = "REFUTED", "no daemon to answer: " + why
            if proc.poll() is None:
                return Outcome(ERROR, why)
            return Outcome("refuses-to-start", why)
        vlog("sendmail is listening")
        for lst in inst.listeners:
            if lst.reachable:
                probe_listener(inst, lab, lst, plan, timeout)
                vlog("listener %s port %d: %s" % (lst.name, lst.port, lst.outcome))
            else:
                lst.outcome, lst.detail = "unreachable", "bound to %s" % lst.addr
                if not any(l.reachable and l.port == lst.port for l in inst.listeners) \
                        and client_can_connect(lab, lst.port):
                    lst.outcome, lst.detail = ERROR, "loopback listener reachable: harness bug"
        if proc.poll() is not None:
            inst.notes.append("sendmail exited during the probes: %s" % squeeze(daemon_output(inst), 120))
        hits = lab.dir / "foreign.hits"
        if hits.exists() and hits.read_text().strip():
            inst.notes.append("foreign host contacted")
        out = decide(inst)
        if witnesses:
            for w in witnesses:
                if not w.problem:
                    probe_witness(inst, lab, plan, w, timeout)
                    vlog("witness %s: %s %s" % (w.describe(), w.outcome, w.reply))
        return out
    finally:
        signal.alarm(0)
        lab.down()


def spawn_run_helper(lab, ns: str, name: str, *args) -> None:
    """run.py's helper programs (`run.py _dns`, `run.py _foreign`)."""
    ready = Path(args[-1])
    log = open(lab.dir / ("helper-%s.log" % name), "a")
    try:
        p = lab.spawn(ns, [PYTHON, str(RUN_PY), "_" + name, *map(str, args)],
                      stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    finally:
        log.close()
    deadline = time.monotonic() + 10
    while not ready.exists():
        if p.poll() is not None or time.monotonic() > deadline:
            raise HarnessError("helper %s did not start: %s" % (name, squeeze(lab.helper_log(name))))
        time.sleep(0.02)


def decide(inst: Instance) -> Outcome:
    parts = ["%s[%s:%d]=%s%s" % (l.name, l.addr or "*", l.port, l.outcome,
                                 (" (%s)" % l.detail) if l.detail else "")
             for l in inst.listeners]
    detail = " | ".join(parts) + (("; notes: " + "; ".join(inst.notes)) if inst.notes else "")
    probed = [l for l in inst.listeners if l.reachable]
    if any(l.outcome == "open" for l in probed):
        return Outcome("open", detail)
    if any(l.outcome == "nogreeting" for l in probed):
        return Outcome("refuses-to-start", detail)
    if any(l.outcome == ERROR for l in inst.listeners):
        return Outcome(ERROR, detail)
    if not probed:
        detail = "no listener reachable from the client | " + detail
    return Outcome("closed", detail)


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------
@dataclass
class Case:
    name: str
    path: Path
    expected: str = ""
    summary: str = ""
    oracle: str = ""
    client_ip: str = CLIENT_IP
    problem: str = ""


def load_cases(root: Path, select: str | None) -> list[Case]:
    cases = []
    for d in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        if select and select not in d.name:
            continue
        c = Case(d.name, d)
        try:
            meta = tomllib.loads((d / "case.toml").read_text())
            c.expected = str(meta.get("verdict", ""))
            c.summary = str(meta.get("summary", ""))
            c.oracle = str(meta.get("oracle", ""))
            if "client_ip" in meta:
                c.client_ip = str(meta["client_ip"])
                c.problem = lab_support.check_client_ip(c.client_ip) or ""
            if c.expected not in VERDICTS and not c.problem:
                c.problem = "case.toml verdict %r is not one of %s" % (c.expected, ", ".join(VERDICTS))
        except OSError:
            c.problem = "missing case.toml"
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            c.problem = "case.toml unreadable: %s" % e
        cases.append(c)
    return cases


def ensure_sendmail() -> None:
    if SENDMAIL.exists() and (CACHE / "READY").exists() and shutil.which("m4"):
        return
    print("sendmail.py: Sendmail not unpacked in %s yet; running %s" % (
        CACHE, os.path.relpath(SETUP, REPO)), file=sys.stderr)
    r = subprocess.run(["bash", str(SETUP)], stdout=sys.stderr, stderr=sys.stderr)
    if r.returncode != 0 or not SENDMAIL.exists():
        print("sendmail.py: %s failed (exit %d)" % (SETUP.name, r.returncode), file=sys.stderr)
        sys.exit(2)


def preflight(args) -> Path | None:
    if os.geteuid() != 0:
        print("sendmail.py: must run as root: it creates network namespaces and starts sendmail\n"
              "             (try: sudo python3 %s)" % os.path.relpath(SELF), file=sys.stderr)
        sys.exit(2)
    if tomllib is None:
        print("sendmail.py: Python 3.11 or later is required (tomllib)", file=sys.stderr)
        sys.exit(2)
    os.environ["PATH"] = os.environ.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin"
    ensure_sendmail()
    missing = [t for t in REQUIRED_TOOLS if not shutil.which(t)]
    if missing:
        print("sendmail.py: missing: %s\n             run .ci/install-daemons.sh and %s" % (
            ", ".join(missing), os.path.relpath(SETUP, REPO)), file=sys.stderr)
        sys.exit(2)
    return lab_support.relaylint_binary(args, "sendmail.py")


def main(argv: list[str]) -> int:
    global VERBOSE
    ap = argparse.ArgumentParser(prog="sendmail.py",
                                 description="real Sendmail versus relaylint on fixtures/sendmail")
    ap.add_argument("--relaylint", default="target/debug/relaylint")
    ap.add_argument("--fixtures", default=str(REPO / "fixtures" / "sendmail"))
    ap.add_argument("-k", dest="select", metavar="PATTERN",
                    help="only cases whose name contains PATTERN")
    ap.add_argument("--daemon-only", action="store_true",
                    help="do not run relaylint; compare the daemon with case.toml only")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per fixture (default 120)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    VERBOSE = lab_support.VERBOSE = args.verbose
    binary = preflight(args)
    root = Path(args.fixtures)
    if not root.is_absolute():
        root = REPO / root
    cases = load_cases(root, args.select) if root.is_dir() else []
    if not cases:
        print("sendmail.py: no fixtures under %s%s" % (
            root, (" matching %r" % args.select) if args.select else ""), file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    lab_support.become_subreaper()

    def on_signal(signum, _frame):
        raise lab_support.Interrupted("signal %d" % signum)

    def on_alarm(_signum, _frame):
        raise CaseTimeout("fixture took longer than %gs" % args.timeout)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    signal.signal(signal.SIGALRM, on_alarm)
    # not under /tmp: sendmail refuses maps and files below a world-writable
    # directory (unless DontBlameSendmail says otherwise, which a fixture decides)
    (CACHE / "work").mkdir(mode=0o755, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=CACHE / "work"))
    os.chmod(work, 0o755)
    width = max(len(c.name) for c in cases)
    print("sendmail differential suite: %d fixture(s) in %s, %s" % (
        len(cases), os.path.relpath(root, REPO) if root.is_relative_to(REPO) else root,
        "daemon only" if binary is None else "relaylint %s" % os.path.relpath(binary, REPO)))
    passed = failed = 0
    interrupted = False
    t_all = time.monotonic()
    try:
        for n, case in enumerate(cases, 1):
            t0 = time.monotonic()
            rl, rl_detail, witnesses = ("-", "", [])
            if binary is not None:
                rl, rl_detail, witnesses = relaylint_verdict(binary, case.path)
            for w in witnesses:
                if w.problem:
                    w.reply = "not probed: " + w.problem
            if case.problem:
                out = Outcome(ERROR, case.problem)
            else:
                signal.alarm(int(args.timeout))
                try:
                    out = run_fixture(case.path, work / ("%02d-%s" % (n, case.name[:24])), "s%d" % n,
                                      case.client_ip, witnesses, timeout=15)
                except HarnessError as e:
                    out = Outcome(ERROR, "harness: %s" % e)
                except subprocess.TimeoutExpired as e:
                    out = Outcome(ERROR, "harness: command timed out: %s" % squeeze(
                        " ".join(map(str, e.cmd)) if isinstance(e.cmd, list) else e.cmd))
                except Exception as e:  # a bug here must not hide the other fixtures
                    import traceback
                    tb = traceback.extract_tb(e.__traceback__)[-1]
                    out = Outcome(ERROR, "harness bug: %s: %s (line %s)" % (
                        type(e).__name__, e, tb.lineno))
                finally:
                    signal.alarm(0)
            refuted = [w for w in witnesses if w.outcome == "REFUTED"]
            confirmed = any(w.outcome == "confirmed" for w in witnesses)
            # The default probes come from one client; when relaylint's
            # witness (another untrusted address, a forged sender...) got
            # through, the daemon is open for it, and case.toml must say so.
            witness_only = rl == "open" and out.daemon == "closed" and confirmed and not refuted
            daemon = "open" if witness_only else out.daemon
            agree = binary is None or rl == daemon
            ok = daemon == case.expected and daemon in VERDICTS and agree and not refuted
            wsum = "-" if not witnesses else ("REFUTED" if refuted else
                                              "confirmed" if confirmed else "untested")
            print("%-*s  expected=%-16s daemon=%-16s relaylint=%-16s witness=%-9s %-8s %5.1fs%s" % (
                width, case.name, case.expected or "?", daemon, rl, wsum,
                "OK" if ok else "MISMATCH", time.monotonic() - t0,
                "  (open only for the witness client)" if ok and witness_only else ""), flush=True)
            for w in witnesses:
                if not ok or VERBOSE or w.outcome != "confirmed" or witness_only:
                    print("    witness: %s %s -> %s" % (w.outcome, w.describe(), w.reply))
            if not ok or VERBOSE:
                if case.client_ip != CLIENT_IP:
                    print("    client: %s (client_ip from case.toml)" % case.client_ip)
                print("    daemon: %s" % out.detail)
                if rl_detail:
                    print("    relaylint: %s" % rl_detail)
                if case.summary and not ok:
                    print("    case: %s" % case.summary)
            passed += ok
            failed += not ok
    except (lab_support.Interrupted, KeyboardInterrupt) as e:
        interrupted = True
        print("interrupted (%s); cleaned up" % (e or "Ctrl-C"), file=sys.stderr)
    finally:
        signal.alarm(0)
        lab_support.reap_orphans()
        if args.keep:
            print("kept temporary files in %s" % work, file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("suite time %.0fs" % (time.monotonic() - t_all))
    print("%d passed, %d failed" % (passed, failed))
    if interrupted:
        return 130
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
