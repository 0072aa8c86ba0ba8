//! Baselines: the findings an audit has accepted for now, so that the next
//! run reports only what is new.
//!
//! The file is JSON:
//!
//! ```json
//! { "version": 1,
//!   "findings": [ { "code": "PF001", "path": "dump/mx1/etc/postfix/main.cf",
//!                   "fingerprint": "9c1e…", "expires": "2026-12-31" } ] }
//! ```
//!
//! A finding is hidden when an entry has its fingerprint (which already
//! covers code, path and decisive line) and its code. `expires` is optional;
//! an entry hides its finding up to and including that day and not after,
//! so that accepted risks come back on their own. Today is the system
//! clock's date (UTC), or `RELAYLINT_TODAY=YYYY-MM-DD` when set.

use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

/// The format version this release reads and writes.
pub const VERSION: u32 = 1;

/// A calendar day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day {
    year: i64,
    month: u32,
    day: u32,
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Day {
    /// Parses `YYYY-MM-DD`, a real date.
    pub fn parse(s: &str) -> Option<Day> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| {
            b.get(r.clone())
                .filter(|d| d.iter().all(u8::is_ascii_digit))
                .and_then(|_| s.get(r))
        };
        if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return None;
        }
        let year: i64 = digits(0..4)?.parse().ok()?;
        let month: u32 = digits(5..7)?.parse().ok()?;
        let day: u32 = digits(8..10)?.parse().ok()?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Day { year, month, day })
    }

    /// The day `days` after 1970-01-01 (proleptic Gregorian calendar).
    pub fn from_unix_days(days: i64) -> Day {
        // Howard Hinnant's days-to-civil algorithm, eras of 400 years.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Day { year, month, day }
    }
}

/// Today: `RELAYLINT_TODAY` when set (it must be a `YYYY-MM-DD` date), else
/// the system clock's date in UTC.
pub fn today() -> Result<Day, String> {
    if let Some(v) = std::env::var_os("RELAYLINT_TODAY") {
        let s = v.to_string_lossy();
        return Day::parse(&s)
            .ok_or_else(|| format!("RELAYLINT_TODAY=`{s}` is not a date (expected YYYY-MM-DD)"));
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Ok(Day::from_unix_days((secs / 86_400) as i64))
}

/// One accepted finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Rule code.
    pub code: String,
    /// Primary path, as reported (for people reading the file).
    pub path: String,
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// Last day the entry hides its finding (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

impl Entry {
    /// The entry that hides `f` (no expiry).
    pub fn of(f: &Finding) -> Entry {
        Entry {
            code: f.code.clone(),
            path: f.path.clone(),
            fingerprint: f.fingerprint.clone(),
            expires: None,
        }
    }
}

/// A baseline file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// [`VERSION`].
    pub version: u32,
    /// Accepted findings, sorted by path, code, fingerprint.
    pub findings: Vec<Entry>,
}

/// What went wrong reading a baseline (a usage error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaselineError {
    /// The file cannot be read.
    #[error("cannot read the baseline `{path}`: {reason}")]
    Unreadable {
        /// As given.
        path: String,
        /// Why.
        reason: String,
    },
    /// The file is not a baseline.
    #[error("the baseline `{path}` is broken: {reason}")]
    Invalid {
        /// As given.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

impl Baseline {
    /// The baseline of these findings; each fingerprint once.
    pub fn of(findings: &[Finding]) -> Baseline {
        Baseline::of_entries(findings.iter().map(Entry::of).collect())
    }

    /// The baseline of the entries of a scan's findings (see
    /// [`Entry::of`]): a streamed scan keeps these, not the findings.
    pub fn of_entries(entries: Vec<Entry>) -> Baseline {
        let mut seen = BTreeSet::new();
        let mut out: Vec<Entry> = entries
            .into_iter()
            .filter(|e| seen.insert((e.code.clone(), e.fingerprint.clone())))
            .collect();
        out.sort_by(|a, b| {
            (&a.path, &a.code, &a.fingerprint).cmp(&(&b.path, &b.code, &b.fingerprint))
        });
        Baseline {
            version: VERSION,
            findings: out,
        }
    }

    /// Parses and checks a baseline's text.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let b: Baseline = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if b.version != VERSION {
            return Err(format!(
                "version {} is not supported (this relaylint reads version {VERSION})",
                b.version
            ));
        }
        for (i, e) in b.findings.iter().enumerate() {
            if let Some(x) = &e.expires {
                if Day::parse(x).is_none() {
                    return Err(format!(
                        "entry {} ({} in `{}`): expires `{x}` is not a date (expected YYYY-MM-DD)",
                        i + 1,
                        e.code,
                        e.path
                    ));
                }
            }
        }
        Ok(b)
    }

    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let shown = crate::discover::display(path);
        let text = std::fs::read_to_string(path).map_err(|e| BaselineError::Unreadable {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        Baseline::parse(&text).map_err(|reason| BaselineError::Invalid {
            path: shown,
            reason,
        })
    }

    /// The file's text.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The entries still in force on `today`, for fast lookups.
    pub fn in_force(&self, today: Day) -> InForce<'_> {
        InForce(
            self.findings
                .iter()
                .filter(|e| {
                    e.expires
                        .as_deref()
                        .and_then(Day::parse)
                        .is_none_or(|last| today <= last)
                })
                .map(|e| (e.code.as_str(), e.fingerprint.as_str()))
                .collect(),
        )
    }

    /// Removes the findings the baseline hides on `today`; returns how many.
    pub fn apply(&self, findings: &mut Vec<Finding>, today: Day) -> usize {
        let live = self.in_force(today);
        let before = findings.len();
        findings.retain(|f| !live.hides(f));
        before - findings.len()
    }
}

/// Baseline entries that have not expired.
#[derive(Debug, Default)]
pub struct InForce<'a>(BTreeSet<(&'a str, &'a str)>);

impl InForce<'_> {
    /// True when an entry hides `f`.
    pub fn hides(&self, f: &Finding) -> bool {
        self.0.contains(&(f.code.as_str(), f.fingerprint.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(
            Day::parse("2024-02-29").map(|d| d.to_string()).as_deref(),
            Some("2024-02-29")
        );
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "24-01-01",
            "2024-01-00",
            "２０２４-01-01",
            "2024-01-01x",
            "",
        ] {
            assert_eq!(Day::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn unix_days_become_dates() {
        assert_eq!(Day::from_unix_days(0).to_string(), "1970-01-01");
        assert_eq!(Day::from_unix_days(19_782).to_string(), "2024-02-29");
        assert_eq!(Day::from_unix_days(20_819).to_string(), "2027-01-01");
        assert_eq!(Day::from_unix_days(-1).to_string(), "1969-12-31");
    }

    #[test]
    fn broken_files_say_why() {
        assert!(Baseline::parse("{").is_err());
        assert!(Baseline::parse(r#"{"version": 2, "findings": []}"#)
            .unwrap_err()
            .contains("version 2"));
        let bad_date = r#"{"version":1,"findings":[{"code":"PF001","path":"m","fingerprint":"f","expires":"31/12/2026"}]}"#;
        assert!(Baseline::parse(bad_date)
            .unwrap_err()
            .contains("31/12/2026"));
        assert!(Baseline::parse(r#"{"version":1,"findings":[{"code":"PF001"}]}"#).is_err());
    }
}
