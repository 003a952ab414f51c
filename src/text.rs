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
    fn pointer_segments_are_escaped() {
        assert_eq!(pointer_segment("a/b~c"), "a~1b~0c");
    }
}
