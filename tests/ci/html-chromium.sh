#!/usr/bin/env bash
# Loads relaylint's HTML report in headless Chromium and checks what the
# browser rendered, not just the markup:
#
# * the summary counters the inline script fills in read the numbers of the
#   JSON report (hosts, hosts with an open relay / proxy, findings, errors,
#   warnings, units, files);
# * `#sort=findings-desc` sorts the hosts table by findings, largest first,
#   and `#sort=host` by name (the same code path as a click on a header);
# * a config holding `<script>` and `<img onerror>` runs nothing: the body
#   never gets the attribute the injected script would set, and the DOM has
#   no element the config's text would create;
# * the page loads nothing from the network (Chromium runs with every
#   request outside file:// refused through a dead proxy).
#
#   tests/ci/html-chromium.sh [RELAYLINT_BINARY]
#
# Needs `chromium` (Debian package) and python3.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$PWD
bin=${1:-}
if [ -z "$bin" ]; then
    cargo build --quiet
    bin=$repo/target/debug/relaylint
fi
bin=$(realpath "$bin")
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "html-chromium: chromium is not installed (apt-get install -y chromium)" >&2
    exit 2
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mk() { mkdir -p "$(dirname "$scratch/$1")"; printf '%b' "$2" > "$scratch/$1"; }
open_relay='compatibility_level = 3.6\nmyhostname = mx.example.com\nmynetworks = 0.0.0.0/0\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n'
mk dump/mx1/etc/postfix/main.cf "$open_relay"
mk dump/mx2/postfix/main.cf "$open_relay"
mk flat/mx3-main.cf "$open_relay"
mk dump/px/etc/squid/squid.conf 'http_port 3128\nhttp_access allow all\n'
mk dump/quiet/etc/postfix/main.cf 'compatibility_level = 3.6\nmynetworks = 127.0.0.0/8\ninet_interfaces = loopback-only\n'
mk dump/evil/etc/postfix/main.cf 'compatibility_level = 3.6\nmynetworks = 0.0.0.0/0 <script>document.body.setAttribute("data-pwned","1")</script><img src=x onerror="document.body.setAttribute(\x27data-pwned\x27,\x272\x27)">\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n'

cd "$scratch"
"$bin" check --no-config --format json --statistics dump flat > report.json || [ $? -eq 1 ]
"$bin" check --no-config --format html --statistics dump flat > report.html || [ $? -eq 1 ]

render() {
    # A dead proxy refuses every request that is not file://, so a page
    # that tried to load something would show it as missing content, never
    # as a silent fetch.
    "$browser" --headless --no-sandbox --disable-gpu --disable-extensions \
        --no-first-run --proxy-server=127.0.0.1:9 \
        --user-data-dir="$scratch/profile" --virtual-time-budget=3000 \
        --dump-dom "file://$scratch/report.html$1" 2>/dev/null
}
render '#sort=findings-desc' > by-findings.html
render '#sort=host' > by-host.html

python3 - "$scratch" <<'EOF'
import html.parser, json, sys
base = sys.argv[1]
report = json.load(open(f"{base}/report.json"))
summary = report["summary"]

class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.text, self.tags = [], {}, []
        self.body_attrs, self.rows, self.cur_row = {}, [], None
        self.in_hosts = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "body":
            self.body_attrs = a
        if tag == "table":
            self.in_hosts = a.get("id") == "host-table"
        if self.in_hosts and tag == "tr":
            self.cur_row = []
        if self.in_hosts and tag == "td" and self.cur_row is not None:
            self.cur_row.append(a.get("data-value"))
        self.stack.append(a.get("id"))
    def handle_endtag(self, tag):
        if tag == "table":
            self.in_hosts = False
        if tag == "tr" and self.cur_row:
            self.rows.append(self.cur_row)
            self.cur_row = None
        if self.stack:
            self.stack.pop()
    def handle_data(self, data):
        if self.stack and self.stack[-1]:
            self.text[self.stack[-1]] = self.text.get(self.stack[-1], "") + data

def load(name):
    d = Dom()
    d.feed(open(f"{base}/{name}").read())
    return d

failures = []
def check(ok, what):
    if not ok:
        failures.append(what)

d = load("by-findings.html")
expected = {
    "hosts": summary["hosts"], "hosts_open_relay": summary["hosts_open_relay"],
    "hosts_open_proxy": summary["hosts_open_proxy"], "findings": summary["findings"],
    "errors": summary["by_severity"]["error"], "warnings": summary["by_severity"]["warning"],
    "infos": summary["by_severity"]["info"],
    "units": summary["units"], "files": summary["files"],
}
for key, want in expected.items():
    got = d.text.get(f"n-{key}", "").strip()
    check(got == str(want), f"counter {key}: browser shows {got!r}, JSON says {want}")
check("data-pwned" not in d.body_attrs, f"injected script ran: body {d.body_attrs}")
check("img" not in d.tags, "an <img> from the config became an element")
check(d.tags.count("script") == 2, f"{d.tags.count('script')} script elements")
check(len(d.rows) == summary["hosts"], f"{len(d.rows)} host rows, JSON has {summary['hosts']}")
counts = [int(r[1]) for r in d.rows]
check(counts == sorted(counts, reverse=True), f"#sort=findings-desc gave {counts}")
check(all(int(r[1]) == summary["by_host"][r[0]]["findings"] for r in d.rows), "row counts differ from by_host")
names = [r[0] for r in load("by-host.html").rows]
check(names == sorted(names), f"#sort=host gave {names}")
if failures:
    print("html-chromium: FAILED", *failures, sep="\n  ")
    sys.exit(1)
print(f"html-chromium: ok ({summary['hosts']} hosts, {summary['findings']} findings, counters, sorting, escaping)")
EOF
