//! Rectification templates: which variables each check kind provides, and which a template
//! uses. Templates are MiniJinja (`{{failed}}所学校未配备法治副校长`).

use std::collections::BTreeSet;

use super::model::CheckKind;

/// Variables every item's template can use.
pub const COMMON: &[&str] = &[
    "item_id", "title", "points", "awarded", "deducted", "status",
];

/// The variables a check of this kind provides, beyond [`COMMON`].
pub fn provided(kind: &CheckKind<'_>) -> &'static [&'static str] {
    match kind {
        CheckKind::Fact(_) => &["failed_conditions"],
        CheckKind::Coverage(_) => &[
            "total",
            "passed",
            "failed",
            "rate",
            "min",
            "shortfall",
            "failed_keys",
        ],
        CheckKind::Each(_) => &["total", "passed", "failed", "failed_keys"],
        CheckKind::Count(_) => &["count", "min", "max", "shortfall"],
        CheckKind::Ratio(_) => &["numerator", "denominator", "rate", "min", "shortfall"],
        CheckKind::Deadline(d) if d.of.is_some() => &["due", "total", "failed", "failed_keys"],
        CheckKind::Deadline(_) => &["date", "due", "days_late"],
        CheckKind::Evidence(_) => &["required", "missing"],
        CheckKind::All(_) | CheckKind::Any(_) | CheckKind::Not(_) => &["parts", "failed_parts"],
    }
}

/// A template that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub message: String,
}

/// The top-level variables a template uses, or why it does not parse.
pub fn used_variables(source: &str) -> Result<BTreeSet<String>, TemplateError> {
    let env = minijinja::Environment::new();
    let template = env.template_from_str(source).map_err(|e| TemplateError {
        message: e.detail().unwrap_or("invalid template").to_string(),
    })?;
    Ok(template.undeclared_variables(false).into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_variables() {
        let vars = used_variables("{{failed}}所学校未配备（{{ rate }}）").unwrap();
        assert_eq!(vars.into_iter().collect::<Vec<_>>(), ["failed", "rate"]);
    }

    #[test]
    fn reports_syntax_errors() {
        assert!(used_variables("{{failed").is_err());
    }
}
