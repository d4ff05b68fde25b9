//! Timeouts as the DSF server reads them: a string in Java's `Duration.parse` grammar
//! (`[+-]P[nD][T[nH][nM][n[.,f]S]]`, case-insensitive, signs on each part, up to 9 fraction
//! digits, at least one part) or a plain YAML number of seconds. Also the suggestions we make
//! for the usual slips (`5s`, `10m`, `500ms`).

/// A parsed duration in nanoseconds (i128: Java's own range is checked separately).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Nanos(pub i128);

const NANOS_PER_SEC: i128 = 1_000_000_000;
/// `Integer.MAX_VALUE` milliseconds = `P24DT20H31M23.647S`, the server's maximum.
pub const MAX_MILLIS: i128 = i32::MAX as i128;

impl Nanos {
    pub fn millis(self) -> i128 {
        // Java's toMillis floors
        self.0.div_euclid(1_000_000)
    }
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
    /// Seconds as a float; beyond any range saturates (still far beyond what Java accepts).
    pub fn from_seconds_f64(s: f64) -> Option<Nanos> {
        if !s.is_finite() {
            return None;
        }
        let n = s * 1e9;
        if n.abs() > 1e36 {
            return Some(Nanos(if n < 0.0 {
                -(1i128 << 120)
            } else {
                1i128 << 120
            }));
        }
        Some(Nanos(n.round() as i128))
    }
    /// ISO-8601 as Java's `Duration.toString` writes it (`PT0.5S`, `PT10M`, `PT48H`).
    pub fn iso(self) -> String {
        let neg = self.0 < 0;
        let total = self.0.unsigned_abs();
        let secs = total / NANOS_PER_SEC as u128;
        let frac = total % NANOS_PER_SEC as u128;
        let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
        if total == 0 {
            return "PT0S".into();
        }
        let sign = if neg { "-" } else { "" };
        let mut out = String::from("PT");
        if h > 0 {
            out.push_str(&format!("{sign}{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{sign}{m}M"));
        }
        if s > 0 || frac > 0 {
            out.push_str(sign);
            out.push_str(&s.to_string());
            if frac > 0 {
                let f = format!("{frac:09}");
                out.push('.');
                out.push_str(f.trim_end_matches('0'));
            }
            out.push('S');
        }
        out
    }
}

/// A short human reading: `3d`, `1h 23m 20s`, `500ms` (a sub-millisecond rest is shown in ms
/// with decimals).
pub fn short(n: Nanos) -> String {
    if n.0 == 0 {
        return "0s".into();
    }
    let sign = if n.0 < 0 { "-" } else { "" };
    let total = n.0.unsigned_abs();
    let ns_per_s = NANOS_PER_SEC.unsigned_abs();
    let secs = total / ns_per_s;
    let rest = total % ns_per_s;
    let mut parts = Vec::new();
    let (d, h, m, sec) = (
        secs / 86_400,
        secs % 86_400 / 3_600,
        secs % 3_600 / 60,
        secs % 60,
    );
    for (v, unit) in [(d, "d"), (h, "h"), (m, "m"), (sec, "s")] {
        if v > 0 {
            parts.push(format!("{v}{unit}"));
        }
    }
    if rest > 0 {
        let ms = rest / 1_000_000;
        let sub = rest % 1_000_000;
        if sub == 0 {
            parts.push(format!("{ms}ms"));
        } else {
            let frac = format!("{sub:06}");
            parts.push(format!("{ms}.{}ms", frac.trim_end_matches('0')));
        }
    }
    format!("{sign}{}", parts.join(" "))
}

/// A timeout written as a plain YAML number: seconds, as the server reads it.
pub fn from_json_seconds(v: &serde_json::Value) -> Option<Nanos> {
    let n = v.as_number()?;
    match n.as_i64() {
        Some(i) => Some(Nanos(i128::from(i) * NANOS_PER_SEC)),
        None => n.as_f64().and_then(Nanos::from_seconds_f64),
    }
}

/// Why a duration text is not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Not in the grammar at all.
    Syntax,
    /// Years, months or weeks: Java's `Duration` has none.
    CalendarUnit(char),
    /// A number that overflows Java's `long` while parsing.
    Overflow,
}

/// Parse like `java.time.Duration.parse` (after Jackson's trim).
pub fn parse_java(text: &str) -> Result<Nanos, ParseError> {
    let s = text.trim();
    let b = s.as_bytes();
    let mut i = 0;
    let mut neg = false;
    if matches!(b.first(), Some(b'+' | b'-')) {
        neg = b[0] == b'-';
        i = 1;
    }
    if !matches!(b.get(i), Some(b'P' | b'p')) {
        return Err(ParseError::Syntax);
    }
    i += 1;
    let mut total: i128 = 0;
    let mut any = false;
    let mut in_time = false;
    let mut time_parts = 0;
    // units must appear in order D, T, H, M, S
    let mut order = 0;
    while i < b.len() {
        if matches!(b[i], b'T' | b't') {
            if in_time || order > 1 {
                return Err(ParseError::Syntax);
            }
            in_time = true;
            order = 2;
            i += 1;
            continue;
        }
        let start = i;
        if matches!(b[i], b'+' | b'-') {
            i += 1;
        }
        let digits_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == digits_start {
            return Err(ParseError::Syntax);
        }
        // more digits than any i128: beyond Java's long as well
        let whole: i128 = s[start..i].parse().map_err(|_| ParseError::Overflow)?;
        let mut frac_nanos: i128 = 0;
        if i < b.len() && matches!(b[i], b'.' | b',') {
            i += 1;
            let fs = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let digits = &s[fs..i];
            if digits.len() > 9 {
                return Err(ParseError::Syntax);
            }
            if !digits.is_empty() {
                let padded = format!("{digits:0<9}");
                frac_nanos = padded.parse().map_err(|_| ParseError::Syntax)?;
                if s[start..].starts_with('-') {
                    frac_nanos = -frac_nanos;
                }
            }
            if !matches!(b.get(i), Some(b'S' | b's')) || !in_time {
                return Err(ParseError::Syntax);
            }
        }
        let unit = b
            .get(i)
            .copied()
            .ok_or(ParseError::Syntax)?
            .to_ascii_uppercase();
        i += 1;
        let (rank, factor) = match (unit, in_time) {
            (b'D', false) => (1, 86_400),
            (b'H', true) => (3, 3_600),
            (b'M', true) => (4, 60),
            (b'S', true) => (5, 1),
            (b'Y' | b'W', false) | (b'M', false) => {
                return Err(ParseError::CalendarUnit(unit as char));
            }
            _ => return Err(ParseError::Syntax),
        };
        if rank <= order {
            return Err(ParseError::Syntax);
        }
        order = rank;
        if in_time {
            time_parts += 1;
        }
        any = true;
        // Java multiplies within `long` seconds
        let secs = whole.checked_mul(factor).ok_or(ParseError::Overflow)?;
        if secs > i64::MAX as i128 || secs < i64::MIN as i128 {
            return Err(ParseError::Overflow);
        }
        total += secs * NANOS_PER_SEC + frac_nanos;
    }
    if !any || (in_time && time_parts == 0) {
        return Err(ParseError::Syntax);
    }
    if total.abs() / NANOS_PER_SEC > i64::MAX as i128 {
        return Err(ParseError::Overflow);
    }
    Ok(Nanos(if neg { -total } else { total }))
}

/// A corrected spelling for common slips: `5s` → `PT5S`, `10m` → `PT10M`, `500ms` → `PT0.5S`,
/// `1h30m` → `PT1H30M`, `2d` → `P2D`, `P1W` → `P7D`, `'5'` → `PT5S`.
pub fn suggest(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(n) = t.parse::<f64>() {
        return Nanos::from_seconds_f64(n).map(Nanos::iso);
    }
    let upper = t.to_ascii_uppercase();
    if let Some(rest) = upper.strip_prefix('P') {
        // weeks are the only calendar unit with a fixed length
        if let Some(w) = rest.strip_suffix('W').and_then(|w| w.parse::<i64>().ok()) {
            return Some(format!("P{}D", w.checked_mul(7)?));
        }
        return None;
    }
    // humantime-like: 1h30m, 5s, 500ms, 2d
    let mut nanos: i128 = 0;
    let mut rest = t;
    let mut any = false;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = rest[num_len..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let factor: f64 = match rest[..unit_len].to_ascii_lowercase().as_str() {
            "ms" | "msec" | "millis" => 1e6,
            "s" | "sec" | "secs" | "second" | "seconds" => 1e9,
            "m" | "min" | "mins" | "minute" | "minutes" => 60e9,
            "h" | "hr" | "hour" | "hours" => 3600e9,
            "d" | "day" | "days" => 86_400e9,
            _ => return None,
        };
        rest = rest[unit_len..].trim_start();
        let part = n * factor;
        // a number beyond any duration: nothing sensible to suggest
        if !part.is_finite() || part > 1e30 {
            return None;
        }
        nanos = nanos.checked_add(part.round() as i128)?;
        any = true;
    }
    if !any {
        return None;
    }
    let n = Nanos(nanos);
    if nanos % (86_400 * NANOS_PER_SEC) == 0 && nanos != 0 {
        return Some(format!("P{}D", nanos / (86_400 * NANOS_PER_SEC)));
    }
    Some(n.iso())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> i128 {
        parse_java(s).map(|n| n.0).unwrap_or(i128::MIN)
    }

    #[test]
    fn java_grammar() {
        assert_eq!(ok("PT5S"), 5 * NANOS_PER_SEC);
        assert_eq!(ok("pt0.5s"), NANOS_PER_SEC / 2);
        assert_eq!(ok("PT0,5S"), NANOS_PER_SEC / 2);
        assert_eq!(ok("P1D"), 86_400 * NANOS_PER_SEC);
        assert_eq!(ok("-PT-5S"), 5 * NANOS_PER_SEC);
        assert_eq!(ok("PT1.S"), NANOS_PER_SEC);
        assert_eq!(
            ok("P1DT2H3M4.5S"),
            (86_400 + 7_384) * NANOS_PER_SEC + NANOS_PER_SEC / 2
        );
        for bad in [
            "P",
            "PT",
            "P1DT",
            "5s",
            "PT.5S",
            "PT1.0000000001S",
            "1:30",
            "PT5",
            "PT5M1H",
        ] {
            assert_eq!(parse_java(bad), Err(ParseError::Syntax), "{bad}");
        }
        assert_eq!(parse_java("P1Y"), Err(ParseError::CalendarUnit('Y')));
        assert_eq!(parse_java("P1W"), Err(ParseError::CalendarUnit('W')));
        assert_eq!(parse_java("P1M"), Err(ParseError::CalendarUnit('M')));
        assert_eq!(parse_java("P1000000000000000D"), Err(ParseError::Overflow));
        assert_eq!(
            parse_java("P24DT20H31M23.647S").map(Nanos::millis),
            Ok(MAX_MILLIS)
        );
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("5s").as_deref(), Some("PT5S"));
        assert_eq!(suggest("10m").as_deref(), Some("PT10M"));
        assert_eq!(suggest("500ms").as_deref(), Some("PT0.5S"));
        assert_eq!(suggest("1h30m").as_deref(), Some("PT1H30M"));
        assert_eq!(suggest("2d").as_deref(), Some("P2D"));
        assert_eq!(suggest("P1W").as_deref(), Some("P7D"));
        assert_eq!(suggest("5").as_deref(), Some("PT5S"));
        assert_eq!(suggest("soon"), None);
    }

    #[test]
    fn iso_output() {
        assert_eq!(Nanos(NANOS_PER_SEC / 2).iso(), "PT0.5S");
        assert_eq!(Nanos(600 * NANOS_PER_SEC).iso(), "PT10M");
        assert_eq!(Nanos(0).iso(), "PT0S");
    }
}
