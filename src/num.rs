//! Number formatting shared by reports: points and rates as people write them.

/// A number with at most 2 decimals and no trailing zeros: `4.5`, `5`, `0.33`.
pub fn show(x: f64) -> String {
    let rounded = (x * 100.0).round() / 100.0;
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    format!("{rounded}")
}

/// A fraction as a percentage with at most 2 decimals: `0.7204` -> `72.04%`.
pub fn percent(fraction: f64) -> String {
    format!("{}%", show(fraction * 100.0))
}

/// Rounds points to 2 decimals, the precision assessments are published with.
pub fn round2(x: f64) -> f64 {
    let r = (x * 100.0).round() / 100.0;
    if r == 0.0 { 0.0 } else { r }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats() {
        assert_eq!(super::show(4.5), "4.5");
        assert_eq!(super::show(5.0), "5");
        assert_eq!(super::show(1.0 / 3.0), "0.33");
        assert_eq!(super::percent(0.7204), "72.04%");
        assert_eq!(super::percent(1.0), "100%");
    }
}
