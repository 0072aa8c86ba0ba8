//! Squid's `time` acl: which minutes of the week it matches.
//!
//! Squid compares the proxy's local clock, at minute resolution, with each
//! `[days] h1:m1-h2:m2` entry of the acl, both ends included. An attacker
//! cannot change the clock, but it can wait: a `time` acl is something it
//! chooses by picking the moment it sends its request. The evaluator keeps
//! those choices consistent (one moment for the whole request) through
//! [`WeekMinutes`], and the witness names that moment so that anyone can
//! replay it.

/// Minutes in a week; minute 0 is Sunday 00:00 (Squid's `tm_wday` order).
pub const WEEK: usize = 7 * 24 * 60;
const WORDS: usize = WEEK.div_ceil(64);

/// A set of minutes of the week.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeekMinutes {
    bits: Vec<u64>,
}

impl WeekMinutes {
    /// No minute at all.
    pub fn none() -> Self {
        Self {
            bits: vec![0; WORDS],
        }
    }

    /// Every minute of the week.
    pub fn all() -> Self {
        let mut w = Self::none();
        w.insert_range(0, WEEK);
        w
    }

    fn insert_range(&mut self, from: usize, to: usize) {
        for m in from..to.min(WEEK) {
            if let Some(word) = self.bits.get_mut(m / 64) {
                *word |= 1 << (m % 64);
            }
        }
    }

    /// Minutes in both sets.
    pub fn intersect(&self, other: &Self) -> Self {
        Self {
            bits: self
                .bits
                .iter()
                .zip(&other.bits)
                .map(|(a, b)| a & b)
                .collect(),
        }
    }

    /// Minutes in either set.
    pub fn union(&self, other: &Self) -> Self {
        Self {
            bits: self
                .bits
                .iter()
                .zip(&other.bits)
                .map(|(a, b)| a | b)
                .collect(),
        }
    }

    /// Minutes not in the set.
    pub fn complement(&self) -> Self {
        let mut out = Self::all();
        for (o, s) in out.bits.iter_mut().zip(&self.bits) {
            *o &= !s;
        }
        out
    }

    /// The earliest minute of the week in the set.
    pub fn first(&self) -> Option<usize> {
        self.bits
            .iter()
            .enumerate()
            .find(|(_, w)| **w != 0)
            .map(|(i, w)| i * 64 + w.trailing_zeros() as usize)
    }

    /// Whether the set holds no minute.
    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|w| *w == 0)
    }

    /// Whether `minute` (of the week) is in the set.
    pub fn contains(&self, minute: usize) -> bool {
        self.bits
            .get(minute / 64)
            .is_some_and(|w| w & (1 << (minute % 64)) != 0)
    }
}

/// Names a minute of the week the way a person would read it.
pub fn describe(minute: usize) -> String {
    const DAYS: [&str; 7] = [
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    ];
    let day = DAYS.get(minute / 1440).copied().unwrap_or("Sunday");
    let m = minute % 1440;
    format!("{day} at {:02}:{:02}", m / 60, m % 60)
}

/// Parses the values of one `acl NAME time ...` line as Squid 5.7 does:
/// day letters accumulate until a time range takes them (no letters means
/// every day); letters left at the end stand for whole days; unknown letters
/// are only logged by Squid. A malformed or reversed range stops Squid: the
/// error names the value's index.
pub fn parse_time_values(values: &[&str]) -> Result<WeekMinutes, (usize, String)> {
    let mut minutes = WeekMinutes::none();
    let mut days: u8 = 0;
    for (i, v) in values.iter().enumerate() {
        if !v.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            for c in v.chars() {
                match c {
                    'S' => days |= 1,
                    'M' => days |= 1 << 1,
                    'T' => days |= 1 << 2,
                    'W' => days |= 1 << 3,
                    'H' => days |= 1 << 4,
                    'F' => days |= 1 << 5,
                    'A' => days |= 1 << 6,
                    'D' => days |= 0b011_1110,
                    _ => {}
                }
            }
            continue;
        }
        let Some((start, stop)) = scan_range(v) else {
            return Err((i, format!("bad time range `{v}`: Squid stops on it")));
        };
        if start > stop {
            return Err((i, format!("reversed time range `{v}`: Squid stops on it")));
        }
        let on = if days == 0 { 0b111_1111 } else { days };
        add_days(&mut minutes, on, start, stop);
        days = 0;
    }
    if days != 0 {
        add_days(&mut minutes, days, 0, 24 * 60);
    }
    Ok(minutes)
}

fn add_days(set: &mut WeekMinutes, days: u8, start: usize, stop: usize) {
    for d in 0..7 {
        if days & (1 << d) != 0 {
            // Both ends are included; `24:00` covers the day's last minute.
            set.insert_range(d * 1440 + start, d * 1440 + stop.min(1439) + 1);
        }
    }
}

/// Reads `h1:m1-h2:m2` the way `sscanf("%d:%d-%d:%d")` does (a sign is
/// allowed before each number, anything after the fourth is ignored) and
/// applies Squid's bounds: hours 0–23 (24:00 as an end), minutes 0–59.
fn scan_range(text: &str) -> Option<(usize, usize)> {
    let (h1, rest) = scan_int(text)?;
    let (m1, rest) = scan_int(rest.strip_prefix(':')?)?;
    let (h2, rest) = scan_int(rest.strip_prefix('-')?)?;
    let (m2, _) = scan_int(rest.strip_prefix(':')?)?;
    let hour = 0..24;
    let minute = 0..60;
    let end_ok = hour.contains(&h2) || (h2 == 24 && m2 == 0);
    if !(hour.contains(&h1) && end_ok && minute.contains(&m1) && minute.contains(&m2)) {
        return None;
    }
    let at = |h: i64, m: i64| usize::try_from(h * 60 + m).ok();
    Some((at(h1, m1)?, at(h2, m2)?))
}

fn scan_int(text: &str) -> Option<(i64, &str)> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let len = digits.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 {
        return None;
    }
    let value = digits[..len].bytes().fold(0i64, |acc, b| {
        acc.saturating_mul(10).saturating_add(i64::from(b - b'0'))
    });
    Some((if negative { -value } else { value }, &digits[len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: &str) -> Result<WeekMinutes, usize> {
        let words: Vec<&str> = v.split_whitespace().collect();
        parse_time_values(&words).map_err(|e| e.0)
    }

    fn at(day: usize, h: usize, m: usize) -> usize {
        day * 1440 + h * 60 + m
    }

    #[test]
    fn office_hours_include_both_ends() {
        let w = parse("MTWHF 08:00-18:00").unwrap();
        assert!(w.contains(at(1, 8, 0)));
        assert!(w.contains(at(5, 18, 0)));
        assert!(!w.contains(at(5, 18, 1)));
        assert!(!w.contains(at(1, 7, 59)));
        assert!(!w.contains(at(0, 12, 0)));
        assert!(!w.contains(at(6, 12, 0)));
        assert_eq!(w.complement().first(), Some(0));
    }

    #[test]
    fn ranges_without_days_cover_the_week_and_days_alone_whole_days() {
        assert_eq!(parse("00:00-23:59").unwrap(), WeekMinutes::all());
        assert_eq!(parse("00:00-24:00").unwrap(), WeekMinutes::all());
        let weekend = parse("SA").unwrap();
        assert!(weekend.contains(at(0, 0, 0)) && weekend.contains(at(6, 23, 59)));
        assert!(!weekend.contains(at(1, 0, 0)));
        // Letters before a range go with it; letters after stand alone.
        let w = parse("M 08:00-09:00 T").unwrap();
        assert!(w.contains(at(1, 8, 30)) && !w.contains(at(1, 10, 0)));
        assert!(w.contains(at(2, 23, 0)));
        assert_eq!(parse("D").unwrap(), parse("MTWHF").unwrap());
    }

    #[test]
    fn squid_stops_on_bad_and_reversed_ranges() {
        assert_eq!(parse("18:00-08:00"), Err(0));
        assert_eq!(parse("M 24:00-24:00"), Err(1));
        assert_eq!(parse("08:00"), Err(0));
        assert_eq!(parse("0800-0900"), Err(0));
        assert_eq!(parse("8:-5-9:00"), Err(0));
        // sscanf ignores what follows the fourth number.
        assert!(parse("08:00-09:00x").is_ok());
        assert!(parse("8:0-9:5").unwrap().contains(at(3, 9, 5)));
    }

    #[test]
    fn unknown_day_letters_are_logged_not_fatal() {
        assert!(parse("Z").unwrap().is_empty());
        assert_eq!(parse("MZ").unwrap(), parse("M").unwrap());
    }

    #[test]
    fn moments_read_like_a_calendar() {
        assert_eq!(describe(0), "Sunday at 00:00");
        assert_eq!(describe(at(5, 18, 1)), "Friday at 18:01");
    }
}
