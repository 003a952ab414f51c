//! The Markdown report, from a MiniJinja template.

use crate::assess::Assessment;

const TEMPLATE: &str = include_str!("report.md.j2");

/// The gap report as Markdown, or why it cannot be written.
pub fn markdown(a: &Assessment) -> Result<String, String> {
    let mut env = minijinja::Environment::new();
    env.add_filter("n", |x: f64| crate::num::show(x));
    env.add_filter("signed", |x: f64| {
        let text = crate::num::show(x);
        if x > 0.0 { format!("+{text}") } else { text }
    });
    env.add_filter("cell", |s: String| s.replace('|', "\\|").replace('\n', " "));
    let gaps = super::gaps(a);
    let ctx = minijinja::context! {
        a => minijinja::Value::from(minijinja::value::Serde(a)),
        gaps => minijinja::Value::from(minijinja::value::Serde(&gaps)),
    };
    env.render_str(TEMPLATE, ctx).map_err(|e| e.to_string())
}
