//! The summary every writer ends with: files, units and findings by rule and
//! severity (the JSON contract keys), plus the fleet view auditors need:
//! hosts scanned, hosts with an open relay or an open proxy, findings per
//! host, what a baseline hid, and (`--statistics`) identical findings
//! grouped across hosts.

use super::Report;
use crate::diagnostic::Severity;
use crate::finding::Finding;
use serde::Serialize;
use std::collections::BTreeMap;

/// Families whose verdict rule (`<family>001`) means the host relays mail
/// for anybody: Postfix and Sendmail.
pub const OPEN_RELAY_FAMILIES: &[&str] = &["PF", "SM"];

/// Families whose verdict rule (`<family>001`) means the host proxies for
/// anybody: Squid and Dante.
pub const OPEN_PROXY_FAMILIES: &[&str] = &["SQ", "DN"];

/// True when `code` is the verdict rule of one of `families`.
fn is_verdict(code: &str, families: &[&str]) -> bool {
    code.strip_suffix("001")
        .is_some_and(|family| families.contains(&family))
}

/// One host's line in the summary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HostSummary {
    /// Findings reported for the host.
    pub findings: usize,
    /// Of which errors.
    pub error: usize,
    /// Of which warnings.
    pub warning: usize,
    /// Of which infos.
    pub info: usize,
    /// An open relay finding (PF001, SM001) was reported.
    pub open_relay: bool,
    /// An open proxy finding (SQ001, DN001) was reported.
    pub open_proxy: bool,
}

/// The `summary` object of the JSON report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Files read.
    pub files: usize,
    /// Units analysed.
    pub units: usize,
    /// Findings reported.
    pub findings: usize,
    /// Findings per severity (all three present).
    pub by_severity: BTreeMap<&'static str, usize>,
    /// Findings per rule code.
    pub by_rule: BTreeMap<String, usize>,
    /// Hosts scanned.
    pub hosts: usize,
    /// Hosts with an open relay finding.
    pub hosts_open_relay: usize,
    /// Hosts with an open proxy finding.
    pub hosts_open_proxy: usize,
    /// Their names, sorted.
    pub open_relay_hosts: Vec<String>,
    /// Their names, sorted.
    pub open_proxy_hosts: Vec<String>,
    /// Findings a `--baseline` hid; absent without a baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_hidden: Option<usize>,
    /// Every scanned host, findings or not.
    pub by_host: BTreeMap<String, HostSummary>,
}

/// Findings that are the same on several hosts (`--statistics`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Group {
    /// [`Finding::fleet_fingerprint`](crate::finding::Finding::fleet_fingerprint).
    pub fingerprint: String,
    /// Rule code.
    pub code: String,
    /// The path under each host's root.
    pub path: String,
    /// The decisive line, blanks normalised.
    pub line: String,
    /// Findings in the group.
    pub count: usize,
    /// Hosts in the group, sorted.
    pub hosts: Vec<String>,
}

/// Counts kept while findings go by, so that a streamed scan need not keep
/// the findings themselves: everything the summary, `--statistics` and the
/// exit status read.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    findings: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    by_rule: BTreeMap<String, usize>,
    by_host: BTreeMap<String, HostSummary>,
    /// Groups of identical findings, kept only for `--statistics`.
    groups: Option<BTreeMap<String, Group>>,
}

impl Tally {
    /// An empty tally; `statistics` keeps the groups of identical findings.
    pub fn new(statistics: bool) -> Self {
        Tally {
            groups: statistics.then(BTreeMap::new),
            ..Tally::default()
        }
    }

    /// The tally of a finished list of findings.
    pub fn of(findings: &[Finding], statistics: bool) -> Self {
        let mut t = Tally::new(statistics);
        for f in findings {
            t.add(f);
        }
        t
    }

    /// Counts one finding.
    pub fn add(&mut self, f: &Finding) {
        self.findings += 1;
        match f.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.infos += 1,
        }
        *self.by_rule.entry(f.code.clone()).or_insert(0) += 1;
        let h = self.by_host.entry(f.host.clone()).or_default();
        h.findings += 1;
        match f.severity {
            Severity::Error => h.error += 1,
            Severity::Warning => h.warning += 1,
            Severity::Info => h.info += 1,
        }
        h.open_relay |= is_verdict(&f.code, OPEN_RELAY_FAMILIES);
        h.open_proxy |= is_verdict(&f.code, OPEN_PROXY_FAMILIES);
        if let Some(groups) = &mut self.groups {
            let g = groups
                .entry(f.fleet_fingerprint())
                .or_insert_with_key(|fp| Group {
                    fingerprint: fp.clone(),
                    code: f.code.clone(),
                    path: f.host_path.clone(),
                    line: f.line_key.clone(),
                    count: 0,
                    hosts: Vec::new(),
                });
            g.count += 1;
            if !g.hosts.contains(&f.host) {
                g.hosts.push(f.host.clone());
            }
        }
    }

    /// Findings counted.
    pub fn findings(&self) -> usize {
        self.findings
    }

    /// Whether a finding of `severity` or worse was counted.
    pub fn any_at_least(&self, severity: Severity) -> bool {
        match severity {
            Severity::Error => self.errors > 0,
            Severity::Warning => self.errors + self.warnings > 0,
            Severity::Info => self.findings > 0,
        }
    }

    /// Counts by severity (every severity present, zero included).
    pub fn by_severity(&self) -> BTreeMap<&'static str, usize> {
        BTreeMap::from([
            (Severity::Error.as_str(), self.errors),
            (Severity::Warning.as_str(), self.warnings),
            (Severity::Info.as_str(), self.infos),
        ])
    }

    /// Counts by rule code.
    pub fn by_rule(&self) -> &BTreeMap<String, usize> {
        &self.by_rule
    }
}

/// The tally behind a report: the streamed one when the scan kept one,
/// else counted from its findings.
fn tally_of(report: &Report) -> std::borrow::Cow<'_, Tally> {
    match &report.tally {
        Some(t) => std::borrow::Cow::Borrowed(t),
        None => std::borrow::Cow::Owned(Tally::of(&report.findings, report.statistics)),
    }
}

/// Summarises a report.
pub fn summarise(report: &Report) -> Summary {
    let tally = tally_of(report);
    let mut by_host: BTreeMap<String, HostSummary> = report
        .hosts
        .iter()
        .map(|h| (h.clone(), HostSummary::default()))
        .collect();
    for (h, counts) in &tally.by_host {
        by_host.insert(h.clone(), counts.clone());
    }
    let names = |pick: fn(&HostSummary) -> bool| -> Vec<String> {
        by_host
            .iter()
            .filter(|(_, h)| pick(h))
            .map(|(n, _)| n.clone())
            .collect()
    };
    let open_relay_hosts = names(|h| h.open_relay);
    let open_proxy_hosts = names(|h| h.open_proxy);
    Summary {
        files: report.files,
        units: report.units,
        findings: tally.findings,
        by_severity: tally.by_severity(),
        by_rule: tally.by_rule.clone(),
        hosts: by_host.len(),
        hosts_open_relay: open_relay_hosts.len(),
        hosts_open_proxy: open_proxy_hosts.len(),
        open_relay_hosts,
        open_proxy_hosts,
        baseline_hidden: report.baseline_hidden,
        by_host,
    }
}

/// Groups identical findings across hosts: most widespread first, then by
/// code and path.
pub fn statistics(report: &Report) -> Vec<Group> {
    let tally = match &report.tally {
        Some(t) if t.groups.is_some() => std::borrow::Cow::Borrowed(t),
        _ => std::borrow::Cow::Owned(Tally::of(&report.findings, true)),
    };
    let mut out: Vec<Group> = tally
        .groups
        .as_ref()
        .map(|g| g.values().cloned().collect())
        .unwrap_or_default();
    for g in &mut out {
        g.hosts.sort();
    }
    out.sort_by(|a, b| {
        b.hosts
            .len()
            .cmp(&a.hosts.len())
            .then_with(|| (&a.code, &a.path, &a.line).cmp(&(&b.code, &b.path, &b.line)))
    });
    out
}
