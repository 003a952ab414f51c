//! Text forms shared by every reader: dates as `YYYY-MM-DD` and JSON pointers.

use jiff::civil::Date;

/// A date written `YYYY-MM-DD` (exactly: four-digit year, two-digit month and day) that
/// exists in the calendar.
pub fn parse_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    let year: i16 = text[0..4].parse().ok()?;
    let month: i8 = text[5..7].parse().ok()?;
    let day: i8 = text[8..10].parse().ok()?;
    Date::new(year, month, day).ok()
}

/// A percentage written with its sign, `95%` or `99.5%` (spaces around allowed), as a
/// fraction (0.95).
pub fn percent(text: &str) -> Option<f64> {
    let number = text.trim().strip_suffix('%')?.trim();
    // Digits, then optionally a point and digits: not `+95`, `1e2`, `.5` or `inf`.
    let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    value.is_finite().then_some(value / 100.0)
}

/// Why a bare number is not read as a percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarePercent {
    /// Only the fraction form (0–1) is accepted, and the number is more than 1.
    AboveOne,
    /// Neither bare form is accepted: the percentage must be written with `%`.
    NotAccepted,
}

/// A bare number as a percentage, as a fraction: `0.95` when `fraction` is accepted, `95` when
/// `whole` is; with both, a number up to 1 is a fraction and a larger one a whole percentage.
pub fn bare_percent(x: f64, fraction: bool, whole: bool) -> Result<f64, BarePercent> {
    match (fraction, whole) {
        (true, true) if x <= 1.0 => Ok(x),
        (true, true) | (false, true) => Ok(x / 100.0),
        (true, false) if x > 1.0 => Err(BarePercent::AboveOne),
        (true, false) => Ok(x),
        (false, false) => Err(BarePercent::NotAccepted),
    }
}

/// One JSON-pointer segment, escaped (`~` as `~0`, `/` as `~1`).
pub fn pointer_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict() {
        assert_eq!(
            parse_date("2024-02-29").map(|d| d.to_string()),
            Some("2024-02-29".into())
        );
        for bad in [
            "2023-02-29",
            "2024-2-1",
            "2024-02-1",
            "24-02-01",
            "2024/02/01",
            "2024-02-01 ",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn percentages() {
        assert_eq!(percent("95%"), Some(0.95));
        assert_eq!(percent(" 99.5 % "), Some(0.995));
        assert_eq!(percent("95"), None);
        assert_eq!(percent("inf%"), None);
        for odd in ["+95%", "1e1%", ".5%", "95.%", "-5%", "9 5%"] {
            assert_eq!(percent(odd), None, "{odd}");
        }
        assert_eq!(percent("95 %"), Some(0.95));
        assert_eq!(bare_percent(0.95, true, true), Ok(0.95));
        assert_eq!(bare_percent(95.0, true, true), Ok(0.95));
        assert_eq!(bare_percent(95.0, false, true), Ok(0.95));
        assert_eq!(bare_percent(95.0, true, false), Err(BarePercent::AboveOne));
        assert_eq!(
            bare_percent(0.5, false, false),
            Err(BarePercent::NotAccepted)
        );
    }

    #[test]
    fn pointer_segments_are_escaped() {
        assert_eq!(pointer_segment("a/b~c"), "a~1b~0c");
    }
}
