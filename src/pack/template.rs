//! Rectification templates: the language they may use, the variables they read (each check
//! kind declares the ones it provides), and rendering them within a budget. Templates are
//! MiniJinja (`{{failed}}所学校未配备法治副校长`) restricted to what a sentence needs:
//! variables, a few filters and `{% if %}`, so that no template can loop, recurse or multiply
//! text, whatever the data.

use std::collections::BTreeSet;

/// A template that does not parse, uses what is not allowed, or fails to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub message: String,
}

/// The filters a template may use: none of them grows text by more than its arguments.
const FILTERS: &[&str] = &[
    "default",
    "d",
    "upper",
    "lower",
    "title",
    "capitalize",
    "trim",
    "round",
    "int",
    "float",
    "abs",
    "length",
    "count",
    "first",
    "last",
    "join",
    "replace",
    "string",
    "truncate",
];

/// The statements a template may use.
const STATEMENTS: &[&str] = &["if", "elif", "else", "endif"];

use crate::limits::{self, Limit};

fn error(message: impl Into<String>) -> TemplateError {
    TemplateError {
        message: message.into(),
    }
}

/// The top-level variables a template uses, or why it cannot be used: it does not parse, or
/// it uses a statement, a filter, a function or an operator that rectification templates do
/// not allow.
pub fn used_variables(source: &str) -> Result<BTreeSet<String>, TemplateError> {
    let env = minijinja::Environment::new();
    let template = env.template_from_str(source).map_err(|e| {
        error(format!(
            "the template does not parse: {}",
            e.detail().unwrap_or("invalid template")
        ))
    })?;
    allowed(source)?;
    Ok(template.undeclared_variables(false).into_iter().collect())
}

/// Checks the tags of a template that parses: statements, filters, calls and operators.
fn allowed(source: &str) -> Result<(), TemplateError> {
    let mut rest = source;
    loop {
        let (start, statement) = match (rest.find("{{"), rest.find("{%")) {
            (None, None) => break,
            (Some(e), None) => (e, false),
            (None, Some(s)) => (s, true),
            (Some(e), Some(s)) => (e.min(s), s < e),
        };
        let close = if statement { "%}" } else { "}}" };
        let body_start = start + 2;
        let Some(len) = rest[body_start..].find(close) else {
            break;
        };
        let body = rest[body_start..body_start + len].trim_matches(|c: char| c == '-' || c == '+');
        let body = body.trim();
        if statement {
            let keyword = body.split_whitespace().next().unwrap_or("");
            if !STATEMENTS.contains(&keyword) {
                return Err(error(format!(
                    "the template uses `{{% {keyword} %}}`, which rectification templates do not allow; use variables, filters and `{{% if %}}`"
                )));
            }
        }
        expression(body)?;
        rest = &rest[body_start + len + 2..];
    }
    Ok(())
}

/// Checks an expression outside its string literals: no `*` (text or number multiplied), no
/// function call, and only the allowed filters.
fn expression(body: &str) -> Result<(), TemplateError> {
    let mut code = String::with_capacity(body.len());
    let mut quote: Option<char> = None;
    for c in body.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                code.push(' ');
            }
            None => code.push(c),
        }
    }
    if code.contains('*') {
        return Err(error(
            "the template uses `*`, which rectification templates do not allow (it can multiply text)",
        ));
    }
    let mut after_pipe = false;
    let mut chars = code.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '|' {
            after_pipe = true;
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric() || d == '_' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let word = &code[i..end];
            let called = code[end..].trim_start().starts_with('(');
            if after_pipe {
                if !FILTERS.contains(&word) {
                    return Err(error(format!(
                        "the template uses the filter `{word}`, which rectification templates do not allow; allowed: {}",
                        FILTERS.join(", ")
                    )));
                }
            } else if called {
                return Err(error(format!(
                    "the template calls `{word}`, which rectification templates do not allow"
                )));
            }
            after_pipe = false;
        } else if !c.is_whitespace() {
            after_pipe = false;
        }
    }
    Ok(())
}

/// How a template writes a value the data does not give.
pub const UNKNOWN: &str = "未填报";

/// Renders a template within its budget: at most `--template-fuel` instructions and
/// `--max-template-output` bytes of text.
pub fn render(source: &str, vars: &impl serde::Serialize) -> Result<String, TemplateError> {
    // Each thread keeps the templates it has rendered, compiled: a round renders the same
    // few templates for every bureau. A template that fails is rendered again the plain way,
    // for the message.
    let cached = COMPILED.with(|cell| {
        let mut env = cell.try_borrow_mut().ok()?;
        if env.get_template(source).is_err() {
            if env.templates().count() >= CACHED {
                *env = environment();
            }
            env.add_template_owned(source.to_string(), source.to_string())
                .ok()?;
        }
        env.get_template(source)
            .ok()?
            .render(minijinja::Value::from(minijinja::value::Serde(vars)))
            .ok()
    });
    let text = match cached {
        Some(text) => text,
        None => environment()
            .render_str(
                source,
                minijinja::Value::from(minijinja::value::Serde(vars)),
            )
            .map_err(|e| match e.kind() {
                minijinja::ErrorKind::OutOfFuel => error(format!(
                    "it runs more instructions than a template may {}",
                    Limit::TemplateFuel.hint()
                )),
                _ => error(e.to_string()),
            })?,
    };
    if text.len() > limits::get().template_output {
        return Err(error(format!(
            "the rendered text is longer than a template may write {}",
            Limit::TemplateOutput.hint()
        )));
    }
    Ok(text)
}

/// How many compiled templates a thread keeps before it starts again.
const CACHED: usize = 256;

thread_local! {
    static COMPILED: std::cell::RefCell<minijinja::Environment<'static>> =
        std::cell::RefCell::new(environment());
}

/// The environment templates render in: a fuel budget, and a value the data does not give
/// (a count that only a stated rate stands for) written as what it is, never as `none`.
fn environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_fuel(Some(limits::get().template_fuel));
    env.set_formatter(|out, state, value| {
        if value.is_none() {
            out.write_str(UNKNOWN)?;
            Ok(())
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_the_data_does_not_give_is_written_as_such() {
        let vars = serde_json::json!({"total": null, "rate": "95%"});
        let text = render(
            "{{total}}所；{% if total %}有{% else %}无{% endif %}；{{rate}}",
            &vars,
        );
        assert_eq!(text.ok().as_deref(), Some("未填报所；无；95%"));
    }

    #[test]
    fn finds_variables() {
        let vars = used_variables("{{failed}}所学校未配备（{{ rate }}）").unwrap();
        assert_eq!(vars.into_iter().collect::<Vec<_>>(), ["failed", "rate"]);
    }

    #[test]
    fn reports_syntax_errors() {
        assert!(used_variables("{{failed").is_err());
    }

    #[test]
    fn allows_what_a_sentence_needs() {
        for ok in [
            "{{ failed }}所：{{ failed_keys | default(\"无\") }}",
            "{% if failed > 0 %}{{ failed }}所{% else %}无{% endif %}",
            "{{ rate | round(2) }}，{{ title | replace(\"*\", \"\") }}",
            "{%- if total -%}共{{ total }}{%- endif %}",
        ] {
            assert!(used_variables(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_loops_multiplication_and_calls() {
        for bad in [
            "{% for i in range(10) %}{% for j in range(10) %}x{% endfor %}{% endfor %}",
            "{% set s = \"xx\" %}{{ s }}",
            "{{ \"x\" * 1000000000 }}",
            "{{ 2 ** 64 }}",
            "{{ range(100000) | join }}",
            "{{ failed | indent(1000000000) }}",
            "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
            "{{ lipsum(1000) }}",
        ] {
            assert!(used_variables(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rendering_has_a_budget() {
        let max = limits::get().template_output;
        let vars = serde_json::json!({"s": "x".repeat(max / 2 + 1)});
        let refused = render("{{ s }}{{ s }}", &vars).unwrap_err();
        assert!(
            refused
                .message
                .contains("`--max-template-output` raises it"),
            "{}",
            refused.message
        );
        assert_eq!(
            render("{{ s | length }}", &vars).unwrap(),
            (max / 2 + 1).to_string()
        );
        let spent = render(
            "{{ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s }}",
            &serde_json::json!({"s": "x"}),
        );
        assert!(spent.is_ok(), "{spent:?}");
    }
}
