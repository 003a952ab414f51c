//! The Markdown report, from a MiniJinja template.

use crate::assess::Assessment;

const TEMPLATE: &str = include_str!("report.md.j2");

/// The gap report as Markdown, or why it cannot be written.
pub fn markdown(a: &Assessment) -> Result<String, String> {
    render(a, false)
}

/// The gap report as Markdown, followed by the scoring sheet (评分表).
pub fn markdown_with_sheet(a: &Assessment) -> Result<String, String> {
    render(a, true)
}

fn render(a: &Assessment, with_sheet: bool) -> Result<String, String> {
    let mut env = minijinja::Environment::new();
    env.add_filter("n", |x: f64| crate::num::show(x));
    env.add_filter("nested", |title: String, level: usize| {
        super::section_label(&title, level)
    });
    env.add_filter("signed", |x: f64| {
        let text = crate::num::show(x);
        if x > 0.0 { format!("+{text}") } else { text }
    });
    // Every value the template writes is escaped: submitted text cannot make markup.
    env.set_formatter(|out, _state, value| {
        if value.is_undefined() || value.is_none() {
            return Ok(());
        }
        let text = super::escape::markdown(&value.to_string());
        out.write_str(&text)
            .map_err(|_| minijinja::Error::from(minijinja::ErrorKind::WriteFailure))
    });
    let gaps = super::gaps(a);
    let table = super::score_table(a);
    let score_header = table.as_ref().map(|t| t.header());
    let score_align = score_header.as_ref().map(|h| {
        h.iter()
            .map(|c| match *c {
                "编号" | "考核内容" | "复核分" => "---",
                _ => "--:",
            })
            .collect::<Vec<_>>()
    });
    let score_rows = table.as_ref().map(|t| {
        t.rows
            .iter()
            .chain([&t.total])
            .map(|r| t.cells(r).into_iter().map(String::from).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    });
    let ctx = minijinja::context! {
        a => minijinja::Value::from(minijinja::value::Serde(a)),
        gaps => minijinja::Value::from(minijinja::value::Serde(&gaps)),
        excluded => minijinja::Value::from(minijinja::value::Serde(super::excluded(a))),
        bonus => minijinja::Value::from(minijinja::value::Serde(super::bonus(a))),
        bonus_cap_note => super::bonus_cap_note(a),
        pending => super::pending_summary(&a.score),
        reviewed => minijinja::Value::from(minijinja::value::Serde(super::reviewed(a))),
        assessed_on => super::assessed_on(a),
        incomplete_count => super::incomplete_count(a),
        incomplete => a.incomplete.iter().map(super::absent).collect::<Vec<_>>(),
        sheet => with_sheet.then(|| minijinja::Value::from(minijinja::value::Serde(super::sheet(a)))),
        sheet_total => super::sheet_total(a),
        eligibility => a.eligibility.as_ref().map(super::eligibility),
        reconciled => super::reconciled_items(a)
            .into_iter()
            .map(|(o, lines)| minijinja::context! { id => o.id.clone(), title => o.title.clone(), lines => lines })
            .collect::<Vec<_>>(),
        rechecked => minijinja::Value::from(minijinja::value::Serde(super::rechecked(a))),
        score_header => score_header,
        score_align => score_align,
        score_rows => score_rows,
        credibility => a.self_assessment.as_ref().and_then(super::credibility),
        self_deduction => a.self_assessment.as_ref().and_then(super::self_deduction),
        followup_summary => a.followup.as_ref().map(super::followup::penalty_summary),
        followup_lines => a.followup.as_ref().map(super::followup::penalty_lines).unwrap_or_default(),
    };
    env.render_str(TEMPLATE, ctx).map_err(|e| e.to_string())
}
