//! Rectification templates: which variables a template uses (each check kind declares the
//! ones it provides). Templates are MiniJinja (`{{failed}}所学校未配备法治副校长`).

use std::collections::BTreeSet;

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
