//! The terminal report.

use comfy_table::{
    Cell, CellAlignment, ColumnConstraint, ContentArrangement, Table, Width,
    presets::UTF8_FULL_CONDENSED,
};
use unicode_width::UnicodeWidthChar;

use crate::assess::{Assessment, ItemOutcome};
use crate::num::show;
use crate::pack::ItemKind;
use crate::score::Status;

/// The width a text report is laid out for when the terminal's is not known.
pub const DEFAULT_WIDTH: usize = 80;

/// A table that wraps its cells to fit `width` columns.
pub(super) fn table(header: &[&str], width: usize) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    t.set_width(u16::try_from(width).unwrap_or(u16::MAX));
    t.set_header(header.iter().map(cell));
    // The first column (an item's id, a section's title) is never broken.
    if let Some(c) = t.column_mut(0) {
        c.set_constraint(ColumnConstraint::ContentWidth);
    }
    t
}

/// A table cell: submitted text with its control characters escaped, and without the
/// characters terminals draw one or two columns wide as they please (they would shift the
/// rest of the row).
pub(super) fn cell(text: impl AsRef<str>) -> Cell {
    Cell::new(unambiguous(&super::escape::terminal(text.as_ref())))
}

fn unambiguous(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '“' => out.push('「'),
            '”' => out.push('」'),
            '‘' => out.push('『'),
            '’' => out.push('』'),
            '≥' => out.push_str("不低于"),
            '≤' => out.push_str("不高于"),
            '×' => out.push('x'),
            '—' => out.push('-'),
            '·' => out.push('・'),
            '…' => out.push_str("..."),
            c => out.push(c),
        }
    }
    out
}

/// Lines wider than `width` broken to fit, continuing under their text: after the
/// indentation and a leading `- ` or a short `标签：`.
pub(super) fn fit(text: &str, width: usize) -> String {
    let width = width.max(20);
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        if !out.is_empty() {
            out.push('\n');
        }
        if columns(line) <= width {
            out.push_str(line);
            continue;
        }
        let indent = hanging_indent(line).min(width / 2);
        let mut used = 0;
        let mut first = true;
        for token in tokens(line) {
            let w = columns(token);
            if used + w > width && used > if first { 0 } else { indent } {
                // A closing mark does not start a line: the character before it comes along.
                let carried = if token.starts_with(CLOSING) {
                    out.pop().filter(|c| *c != ' ')
                } else {
                    None
                };
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                used = indent;
                first = false;
                if let Some(c) = carried {
                    out.push(c);
                    used += char_columns(c);
                }
                if token == " " {
                    continue;
                }
            }
            if used + w > width {
                // A token wider than a line: break it anywhere.
                for c in token.chars() {
                    let cw = char_columns(c);
                    if used + cw > width {
                        out.push('\n');
                        out.push_str(&" ".repeat(indent));
                        used = indent;
                        first = false;
                    }
                    out.push(c);
                    used += cw;
                }
                continue;
            }
            out.push_str(token);
            used += w;
        }
    }
    out
}

/// Marks that do not start a line.
const CLOSING: &[char] = &[
    '，', '。', '、', '；', '：', '）', '」', '”', '』', '！', '？',
];

/// Columns a character takes (CJK 2), as tables measure it.
fn char_columns(c: char) -> usize {
    c.width().unwrap_or(0)
}

fn columns(s: &str) -> usize {
    s.chars().map(char_columns).sum()
}

/// Where a broken line continues: under the text after its indentation, a `- ` bullet or a
/// label ending in `：` within the first 12 columns.
fn hanging_indent(line: &str) -> usize {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[spaces..];
    if rest.starts_with("- ") {
        return spaces + 2;
    }
    match rest.find('：') {
        Some(i) if columns(&rest[..i]) <= 10 => spaces + columns(&rest[..i]) + 2,
        _ => spaces,
    }
}

/// Runs of ASCII letters, digits and punctuation stay whole; any other character is a token
/// of its own.
fn tokens(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        let word = c.is_ascii_graphic();
        match (start, word) {
            (None, true) => start = Some(i),
            (Some(_), true) => {}
            (Some(s), false) => {
                out.push(&line[s..i]);
                start = None;
                out.push(&line[i..i + c.len_utf8()]);
            }
            (None, false) => out.push(&line[i..i + c.len_utf8()]),
        }
    }
    if let Some(s) = start {
        out.push(&line[s..]);
    }
    out
}

pub(super) fn right(text: String) -> Cell {
    cell(text).set_alignment(CellAlignment::Right)
}

/// A summary for a terminal of [`DEFAULT_WIDTH`] columns: score, grade, vetoes, sections,
/// gaps by points lost.
pub fn text(a: &Assessment) -> String {
    text_in(a, DEFAULT_WIDTH)
}

/// The summary for a terminal `width` columns wide: tables wrap their cells and long lines
/// are broken to fit.
pub fn text_in(a: &Assessment, width: usize) -> String {
    let mut out = String::new();
    let b = &a.submission.bureau;
    out.push_str(&format!(
        "{}（{} {}）\n",
        a.pack.title, a.pack.id, a.pack.version
    ));
    let mut who = b.name.clone();
    let extra: Vec<&str> = [b.region_code.as_deref(), b.level.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !extra.is_empty() {
        who.push_str(&format!("（{}）", extra.join("，")));
    }
    out.push_str(&format!(
        "单位：{who}  年度：{}  考核日期：{}\n\n",
        a.submission.year,
        super::assessed_on(a)
    ));
    match super::incomplete_count(a) {
        None => out.push_str("缺报清单：无\n"),
        Some(count) => out.push_str(&format!("缺报清单（{count}）\n")),
    }
    for x in &a.incomplete {
        out.push_str(&format!("  - {}\n", super::absent(x)));
    }
    out.push('\n');
    let s = &a.score;
    out.push_str(&format!(
        "核定分：{} / {}   等次：{}\n",
        show(s.score),
        show(s.total),
        s.grade
    ));
    if (s.available - s.total).abs() > 1e-9 {
        out.push_str(&format!(
            "基础分：{}（得分{} / 计分基数{} × {}）\n",
            show(s.base),
            show(s.awarded),
            show(s.available),
            show(s.total)
        ));
    }
    if a.items.iter().any(|o| o.kind == ItemKind::Bonus) {
        let capped = if s.bonus_uncapped > s.bonus {
            format!("（加分合计{}，超过上限）", show(s.bonus_uncapped))
        } else {
            String::new()
        };
        out.push_str(&format!("加分：{}{capped}\n", show(s.bonus)));
    }
    if let Some(d) = a.self_assessment.as_ref().and_then(super::self_deduction) {
        out.push_str(&format!("自评多报扣分：{d}\n"));
    }
    if let Some(p) = &a.followup {
        out.push_str(&format!(
            "整改跟踪扣分：{}\n",
            super::followup::penalty_summary(p)
        ));
        for line in super::followup::penalty_lines(p) {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out.push_str(&format!("一票否决：{}\n", super::veto_summary(s)));
    if let Some(e) = &a.eligibility {
        out.push_str(&format!(
            "申报条件：{}
",
            super::eligibility(e)
        ));
    }
    if let Some(p) = super::pending_summary(s) {
        out.push_str(&format!(
            "{p}
"
        ));
    }
    for w in &a.warnings {
        out.push_str(&format!("提示：{}\n", super::warning(w)));
    }

    let mut sections = table(
        &["板块", "分值", "计分基数", "得分", "扣分", "问题项"],
        width,
    );
    for sec in &a.sections {
        sections.add_row(vec![
            cell(super::section_label(&sec.title, sec.level)),
            right(show(sec.points)),
            right(show(sec.available)),
            right(show(sec.awarded)),
            right(show(sec.deducted)),
            right(sec.gaps.to_string()),
        ]);
    }
    out.push_str(&format!("\n板块得分\n{sections}\n"));
    out.push_str(&excluded_and_bonus(a, width));
    let reviewed = super::reviewed(a);
    if !reviewed.is_empty() {
        out.push_str("\n评审项\n");
        for r in &reviewed {
            out.push_str(&format!("{} {}：{}\n", r.id, r.title, r.summary));
            for reason in &r.reasons {
                out.push_str(&format!("  - {reason}\n"));
            }
        }
    }
    let rechecked = super::rechecked(a);
    if !rechecked.is_empty() {
        out.push_str("\n复核项\n");
        for r in &rechecked {
            out.push_str(&format!("{} {}：{}\n", r.id, r.title, r.summary));
            for reason in &r.reasons {
                out.push_str(&format!("  - {reason}\n"));
            }
        }
    }

    let gaps = super::gaps(a);
    if gaps.is_empty() {
        out.push_str("\n问题清单：无\n");
    } else {
        let mut t = table(&["编号", "考核内容", "状态", "实际", "要求", "扣分"], width);
        // Room for `不晚于2024-03-01` on one line.
        if let Some(c) = t.column_mut(4) {
            c.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(18)));
        }
        for o in &gaps {
            t.add_row(vec![
                cell(&o.id),
                cell(&o.title),
                cell(super::status_label(o.status)),
                cell(
                    o.measured
                        .as_ref()
                        .map_or(String::from("—"), |q| super::sourced(q, o.source)),
                ),
                cell(
                    o.required
                        .as_ref()
                        .map_or(String::from("—"), super::requirement),
                ),
                right(deduction(o)),
            ]);
        }
        out.push_str(&format!("\n问题清单（按失分排序）\n{t}\n"));
        for o in &gaps {
            out.push_str(&gap_detail(o));
        }
    }
    let reconciled = super::reconciled_items(a);
    if !reconciled.is_empty() {
        out.push_str("\n数据核对（填报数与台账不符）\n");
        for (o, lines) in &reconciled {
            for line in lines {
                out.push_str(&format!("  {} {}：{line}\n", o.id, o.title));
            }
        }
    }
    if !a.waivers.is_empty() {
        out.push_str(&format!("\n豁免（{}项）\n", a.waivers.len()));
        for w in &a.waivers {
            let rows = if w.rows.is_empty() {
                String::new()
            } else {
                format!("（{}）", w.rows.join("、"))
            };
            out.push_str(&format!(
                "  {}{rows}：{}；批准：{}；有效期至{}\n",
                w.item, w.reason, w.approved_by, w.expires_on
            ));
        }
    }
    if let Some(t) = super::score_table(a) {
        out.push_str(&side_by_side(&t, width));
    }
    if let Some(sa) = &a.self_assessment {
        out.push_str(&format!(
            "\n自评分核对：自评分合计{}，各项得分合计{}（不含不适用、豁免项，未折算）\n",
            show(sa.self_total),
            show(sa.assessed_total)
        ));
        if sa.differences.is_empty() {
            out.push_str("各项自评分与核定分一致\n");
        } else {
            let mut t = table(&["编号", "考核内容", "自评分", "得分", "差值"], width);
            for d in &sa.differences {
                t.add_row(vec![
                    cell(&d.item),
                    cell(&d.title),
                    right(show(d.self_score)),
                    right(show(d.assessed)),
                    right(if d.difference > 0.0 {
                        format!("+{}", show(d.difference))
                    } else {
                        show(d.difference)
                    }),
                ]);
            }
            out.push_str(&format!("{t}\n"));
        }
        if !sa.impossible.is_empty() {
            let mut t = table(&["编号", "考核内容", "自评分", "说明"], width);
            for i in &sa.impossible {
                t.add_row(vec![
                    cell(&i.item),
                    cell(&i.title),
                    right(show(i.self_score)),
                    cell(super::possible(&i.possible)),
                ]);
            }
            out.push_str(&format!("自评分不可能（该项计分方式得不到此分）\n{t}\n"));
        }
        if !sa.self_scored_not_counted.is_empty() {
            out.push_str(&format!(
                "不适用或豁免但填报了自评分：{}\n",
                sa.self_scored_not_counted.join("、")
            ));
        }
        if !sa.not_self_scored.is_empty() {
            out.push_str(&format!("未自评：{}\n", sa.not_self_scored.join("、")));
        }
        if let Some(c) = super::credibility(sa) {
            out.push_str(&format!("{c}\n"));
        }
        if let Some(d) = super::self_deduction(sa) {
            out.push_str(&format!("自评多报扣分：{d}\n"));
        }
    }
    fit(&super::escape::terminal_lines(&out), width)
}

/// 自评分 | 核定分 | 复核分 | 得分 of every item that counts, and their totals.
fn side_by_side(t: &super::ScoreTable, width: usize) -> String {
    let header = t.header();
    let mut table = table(&header, width);
    for r in t.rows.iter().chain([&t.total]) {
        table.add_row(
            t.cells(r)
                .into_iter()
                .zip(&header)
                .map(|(c, h)| match *h {
                    "编号" | "考核内容" | "复核分" => cell(c),
                    _ => right(c.to_string()),
                })
                .collect::<Vec<_>>(),
        );
    }
    format!("\n分数对照（得分为最终得分，计入总分）\n{table}\n")
}

/// The items outside the scoring base, with why, and the bonus items.
fn excluded_and_bonus(a: &Assessment, width: usize) -> String {
    let mut out = String::new();
    let excluded = super::excluded(a);
    if excluded.is_empty() {
        out.push_str("\n不计分项：无\n");
    } else {
        let mut t = table(&["编号", "考核内容", "分值", "原因"], width);
        for e in &excluded {
            t.add_row(vec![
                cell(&e.id),
                cell(&e.title),
                right(e.points.clone()),
                cell(&e.why),
            ]);
        }
        out.push_str(&format!("\n不计分项（不计入计分基数）\n{t}\n"));
    }
    let bonus = super::bonus(a);
    if !bonus.is_empty() {
        let mut t = table(&["编号", "考核内容", "状态", "加分", "本项上限"], width);
        for b in &bonus {
            t.add_row(vec![
                cell(&b.id),
                cell(&b.title),
                cell(b.status),
                right(b.awarded.clone()),
                right(b.points.clone()),
            ]);
        }
        out.push_str(&format!("\n加分项\n{t}\n"));
        if let Some(note) = super::bonus_cap_note(a) {
            out.push_str(&format!("{note}\n"));
        }
    }
    out
}

/// The scoring sheet (评分表) for a terminal `width` columns wide: a table per section,
/// each with its subtotal, and the total.
pub fn sheet_text(a: &Assessment, width: usize) -> String {
    let mut out = String::from("\n评分表\n");
    for s in super::sheet(a) {
        out.push_str(&format!(
            "\n{}（{}分）\n",
            super::section_label(&s.title, s.level),
            s.points
        ));
        // A section that holds only sub-sections has no rows of its own.
        if s.rows.is_empty() {
            out.push_str(&format!("{}小计：{}\n", s.title, s.subtotal));
            continue;
        }
        let mut t = table(&["编号", "考核内容", "分值", "状态", "实际", "得分"], width);
        for r in &s.rows {
            t.add_row(vec![
                cell(&r.id),
                cell(&r.title),
                right(r.points.clone()),
                cell(r.status),
                cell(&r.measured),
                right(r.awarded.clone()),
            ]);
        }
        out.push_str(&format!("{t}\n{}小计：{}\n", s.title, s.subtotal));
    }
    out.push_str(&format!("\n{}\n", super::sheet_total(a)));
    fit(&super::escape::terminal_lines(&out), width)
}

/// What a gap costs: its points, or for a veto item whether it fired (否决) or could not be
/// judged (待核实).
fn deduction(o: &ItemOutcome) -> String {
    match (o.kind, o.status) {
        (ItemKind::Veto, Status::MissingData) => "待核实".into(),
        (ItemKind::Veto, _) => "否决".into(),
        _ => show(o.deducted),
    }
}

fn gap_detail(o: &ItemOutcome) -> String {
    let mut out = format!(
        "\n{} {}（{}）\n",
        o.id,
        o.title,
        super::status_label(o.status)
    );
    if let Some(c) = &o.veto_clause {
        out.push_str(&format!("  {}\n", super::veto_clause(c)));
    }
    if let Some(sf) = &o.shortfall {
        out.push_str(&format!("  差距：{}\n", super::shortfall(sf)));
    }
    if let Some(b) = &o.band {
        out.push_str(&format!("  {}\n", super::steps::band(b)));
    }
    if let Some(r) = &o.review {
        out.push_str(&format!("  {}\n", super::steps::review(r)));
    }
    if let Some(r) = &o.recheck {
        out.push_str(&format!("  {}\n", super::steps::recheck(r)));
    }
    for c in o.schedule.iter().filter(|c| c.deducted > 0.0) {
        out.push_str(&format!("  扣分：{}\n", super::steps::clause(c)));
    }
    for m in &o.missing {
        out.push_str(&format!("  缺数据：{}\n", super::miss(m)));
    }
    for f in &o.failing {
        out.push_str(&format!("  - {}：{}\n", f.key, super::misses(&f.misses)));
    }
    if let Some(r) = &o.rectification {
        out.push_str(&format!(
            "  问题：{}\n  整改措施：{}\n",
            r.problem, r.measure
        ));
        if let Some(t) = &r.target {
            out.push_str(&format!("  整改目标：{t}\n"));
        }
        out.push_str(&format!("  责任单位：{}", r.owner));
        if let Some(p) = &r.responsible {
            out.push_str(&format!("（{p}）"));
        }
        out.push('\n');
        if let Some(d) = super::deadline(r) {
            out.push_str(&format!("  整改时限：{d}\n"));
        }
        if !r.evidence.is_empty() {
            out.push_str(&format!("  佐证材料：{}\n", r.evidence.join("、")));
        }
    }
    out
}

/// How one item's verdict and points were computed, for a terminal `width` columns wide.
/// Starts with the bureau's name.
pub fn explain(a: &Assessment, item: &str, width: usize) -> Option<String> {
    let o = a.items.iter().find(|o| o.id == item)?;
    let mut out = format!("{}\n{} {}\n", a.submission.bureau.name, o.id, o.title);
    out.push_str(&format!(
        "状态：{}  分值：{}  得分：{}  扣分：{}\n",
        super::status_label(o.status),
        show(o.points),
        show(o.awarded),
        show(o.deducted)
    ));
    if !o.basis.is_empty() {
        out.push_str(&format!("依据：{}\n", o.basis.join("；")));
    }
    out.push('\n');
    for line in super::steps::lines(&o.explain) {
        out.push_str(&line);
        out.push('\n');
    }
    // The steps say whether each check met its requirement; the item's status (which a
    // deduction can make 部分达标 although its check was not met) closes the explanation.
    out.push_str(&format!(
        "结论：{}，得{}分\n",
        super::status_label(o.status),
        show(o.awarded)
    ));
    Some(fit(&super::escape::terminal_lines(&out), width))
}
