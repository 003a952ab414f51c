//! A comparison of two packs over the same submissions (`kaohe compare`): text, Markdown
//! and JSON.

use comfy_table::{ColumnConstraint, Width};

use super::escape;
use super::text::{cell, fit, right, table};
use crate::assess::PackRef;
use crate::compare::{
    BureauChange, Comparison, Direction, ItemChange, ItemEffect, ItemVerdict, Presence,
};
use crate::num::show;
use crate::pack::ItemKind;
use crate::score::Status;

/// The comparison as pretty JSON (`schemas/compare.schema.json`), with a trailing newline.
pub fn json(c: &Comparison) -> String {
    let mut out = serde_json::to_string_pretty(c).unwrap_or_default();
    out.push('\n');
    out
}

const TITLE: &str = "考核细则修订影响对比";

fn pack_line(p: &PackRef) -> String {
    format!("{}（{} {}）", p.title, p.id, p.version)
}

/// `参评单位8个；等次变化3个（上升0个，下降3个）；得分上升0个、下降5个、不变3个。`
fn summary_line(c: &Comparison) -> String {
    let s = &c.summary;
    let mut line = format!(
        "参评单位{}个；等次变化{}个（上升{}个，下降{}个）；得分上升{}个、下降{}个、不变{}个。",
        s.bureaus,
        s.grade_changes,
        s.grade_up,
        s.grade_down,
        s.score_up,
        s.score_down,
        s.score_same
    );
    if s.grade_changes_unexplained > 0 {
        line.push_str(&format!(
            "其中{}个单位的等次变化不由任何考核项引起（等次线、总分或加分上限调整所致）。",
            s.grade_changes_unexplained
        ));
    }
    line
}

fn signed(x: f64) -> String {
    let text = show(x);
    if text != "0" && !text.starts_with('-') {
        format!("+{text}")
    } else {
        text
    }
}

fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Up => "上升",
        Direction::Down => "下降",
        Direction::Same => "—",
    }
}

/// A grade as the tables show it: `不合格（否决）` when a veto decided it.
fn grade(grade: &str, vetoed: bool) -> String {
    if vetoed {
        format!("{grade}（否决）")
    } else {
        grade.to_string()
    }
}

/// An item's verdict in one pack: `部分达标 1/1.5分`, `不适用`, `未达标（否决）`,
/// `（无此项）`.
fn verdict(kind: ItemKind, v: Option<&ItemVerdict>) -> String {
    let Some(v) = v else {
        return "（无此项）".into();
    };
    let mut text = super::status_label(v.status).to_string();
    let scored =
        kind != ItemKind::Veto && !matches!(v.status, Status::NotApplicable | Status::Waived);
    if scored {
        text.push_str(&format!(" {}/{}分", show(v.awarded), show(v.points)));
    }
    if v.vetoed {
        text.push_str("（否决）");
    }
    text
}

/// `5个（上升0，下降5）`
fn moved(bureaus: usize, up: usize, down: usize) -> String {
    format!("{bureaus}（上升{up}，下降{down}）")
}

/// A bureau by its name, and its file too when another bureau compared has the same name.
fn label(c: &Comparison, b: &BureauChange) -> String {
    let shared = c
        .bureaus
        .iter()
        .filter(|x| x.bureau.name == b.bureau.name)
        .count()
        > 1;
    if shared {
        format!("{}（{}）", b.bureau.name, b.file)
    } else {
        b.bureau.name.clone()
    }
}

/// `2（甲区教育局、乙县教育局）`, `0`: the bureaus by [`label`], each through `esc`.
fn grade_changes(c: &Comparison, e: &ItemEffect, esc: fn(&str) -> String) -> String {
    if e.grade_changes == 0 {
        return "0".into();
    }
    let names: Vec<String> = e
        .grade_changed
        .iter()
        .filter_map(|file| c.bureaus.iter().find(|b| b.file == *file))
        .map(|b| esc(&label(c, b)))
        .collect();
    format!("{}（{}）", e.grade_changes, names.join("、"))
}

/// `xx区教育局（fixtures/x.yaml）：92.47 优秀 → 91.97 良好，等次下降，因SCH-03、LVP-01`,
/// what was submitted through `esc`.
fn bureau_heading(b: &BureauChange, esc: fn(&str) -> String) -> String {
    let mut line = format!(
        "{}（{}）：{} {} → {} {}",
        esc(&b.bureau.name),
        esc(&b.file),
        show(b.old.score),
        grade(&b.old.grade, b.old.vetoed),
        show(b.new.score),
        grade(&b.new.grade, b.new.vetoed),
    );
    match b.grade_change {
        Direction::Same => line.push_str("，等次不变"),
        d => {
            line.push_str(&format!("，等次{}", direction(d)));
            if b.explained_by.is_empty() {
                line.push_str("（无考核项引起：等次线、总分或加分上限调整所致）");
            } else {
                let ids: Vec<String> = b.explained_by.iter().map(|i| esc(i)).collect();
                line.push_str(&format!("，因{}", ids.join("、")));
            }
        }
    }
    if b.items.is_empty() {
        line.push_str("；无考核项变化");
    }
    line
}

fn item_row(i: &ItemChange) -> [String; 6] {
    let title = match i.change {
        Presence::Both => i.title.clone(),
        Presence::Added => format!("{}（新增）", i.title),
        Presence::Removed => format!("{}（删除）", i.title),
    };
    [
        i.id.clone(),
        title,
        verdict(i.kind, i.old.as_ref()),
        verdict(i.kind, i.new.as_ref()),
        signed(i.awarded_change),
        if i.explains_grade_change {
            "是".into()
        } else {
            String::new()
        },
    ]
}

const ITEM_HEADER: [&str; 6] = [
    "编号",
    "考核内容",
    "原结果",
    "新结果",
    "得分变化",
    "引起等次变化",
];
const EFFECT_HEADER: [&str; 4] = ["编号", "考核内容", "变化单位数", "引起等次变化"];
const BUREAU_HEADER: [&str; 7] = [
    "单位",
    "原得分",
    "原等次",
    "新得分",
    "新等次",
    "得分变化",
    "等次变化",
];

/// The comparison for a terminal `width` columns wide.
pub fn text(c: &Comparison, width: usize) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&fit(&escape::terminal(&s), width));
        out.push('\n');
    };
    line(TITLE.into());
    line(format!("原规则包：{}", pack_line(&c.old)));
    line(format!("新规则包：{}", pack_line(&c.new)));
    line(summary_line(c));

    let mut grades = table(&["等次", "原单位数", "新单位数", "变化"], width);
    for g in &c.summary.grades {
        grades.add_row(vec![
            cell(&g.grade),
            right(g.old.to_string()),
            right(g.new.to_string()),
            right(signed(g.new as f64 - g.old as f64)),
        ]);
    }
    out.push_str(&format!("\n等次分布\n{grades}\n"));

    if c.items.is_empty() {
        out.push_str("\n变化的考核项：无\n");
    } else {
        let mut t = table(&EFFECT_HEADER, width);
        for e in &c.items {
            t.add_row(vec![
                cell(&e.id),
                cell(effect_title(e)),
                cell(moved(e.bureaus, e.up, e.down)),
                cell(grade_changes(c, e, identity)),
            ]);
        }
        out.push_str(&format!(
            "\n变化的考核项（按引起等次变化的单位数排序）\n{t}\n"
        ));
    }

    let mut t = table(&BUREAU_HEADER, width);
    // The scores are never broken; a long name is, at 16 columns or more.
    if let Some(col) = t.column_mut(0) {
        col.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(16)));
    }
    for i in [1, 3, 5] {
        if let Some(col) = t.column_mut(i) {
            col.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
    for b in &c.bureaus {
        t.add_row(vec![
            cell(label(c, b)),
            right(show(b.old.score)),
            cell(grade(&b.old.grade, b.old.vetoed)),
            right(show(b.new.score)),
            cell(grade(&b.new.grade, b.new.vetoed)),
            right(signed(b.score_change)),
            cell(direction(b.grade_change)),
        ]);
    }
    out.push_str(&format!("\n各单位得分与等次\n{t}\n"));

    out.push_str("\n各单位变化明细\n");
    for b in &c.bureaus {
        out.push('\n');
        out.push_str(&fit(&bureau_heading(b, escape::terminal), width));
        out.push('\n');
        if b.items.is_empty() {
            continue;
        }
        let mut t = table(&ITEM_HEADER, width);
        for i in &b.items {
            let row = item_row(i);
            t.add_row(vec![
                cell(&row[0]),
                cell(&row[1]),
                cell(&row[2]),
                cell(&row[3]),
                right(row[4].clone()),
                cell(&row[5]),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    out
}

fn effect_title(e: &crate::compare::ItemEffect) -> String {
    match e.change {
        Presence::Both => e.title.clone(),
        Presence::Added => format!("{}（新增）", e.title),
        Presence::Removed => format!("{}（删除）", e.title),
    }
}

/// Text as it is (cells are escaped as a whole).
fn identity(s: &str) -> String {
    s.to_string()
}

fn md_row(cells: &[String]) -> String {
    let cells: Vec<String> = cells.iter().map(|c| escape::markdown(c)).collect();
    format!("| {} |\n", cells.join(" | "))
}

/// A table's header; the columns `numbers` names are aligned right.
fn md_header(header: &[&str], numbers: &[usize]) -> String {
    let align: Vec<&str> = (0..header.len())
        .map(|i| if numbers.contains(&i) { "--:" } else { "---" })
        .collect();
    format!("| {} |\n| {} |\n", header.join(" | "), align.join(" | "))
}

/// The comparison as Markdown.
pub fn markdown(c: &Comparison) -> String {
    let md = |s: &str| escape::markdown(s);
    let mut out = format!("# {TITLE}\n\n");
    out.push_str(&format!("- 原规则包：{}\n", md(&pack_line(&c.old))));
    out.push_str(&format!("- 新规则包：{}\n\n", md(&pack_line(&c.new))));
    out.push_str(&format!("{}\n", md(&summary_line(c))));

    out.push_str("\n## 等次分布\n\n");
    out.push_str(&md_header(
        &["等次", "原单位数", "新单位数", "变化"],
        &[1, 2, 3],
    ));
    for g in &c.summary.grades {
        out.push_str(&md_row(&[
            g.grade.clone(),
            g.old.to_string(),
            g.new.to_string(),
            signed(g.new as f64 - g.old as f64),
        ]));
    }

    out.push_str("\n## 变化的考核项\n\n");
    if c.items.is_empty() {
        out.push_str("无。\n");
    } else {
        out.push_str("按引起等次变化的单位数排序。\n\n");
        out.push_str(&md_header(&EFFECT_HEADER, &[]));
        for e in &c.items {
            out.push_str(&md_row(&[
                e.id.clone(),
                effect_title(e),
                moved(e.bureaus, e.up, e.down),
                grade_changes(c, e, identity),
            ]));
        }
    }

    out.push_str("\n## 各单位得分与等次\n\n");
    out.push_str(&md_header(&BUREAU_HEADER, &[1, 3, 5]));
    for b in &c.bureaus {
        out.push_str(&md_row(&[
            label(c, b),
            show(b.old.score),
            grade(&b.old.grade, b.old.vetoed),
            show(b.new.score),
            grade(&b.new.grade, b.new.vetoed),
            signed(b.score_change),
            direction(b.grade_change).into(),
        ]));
    }

    out.push_str("\n## 各单位变化明细\n");
    for b in &c.bureaus {
        out.push_str(&format!("\n### {}\n\n", md(&label(c, b))));
        out.push_str(&format!("{}\n", bureau_heading(b, escape::markdown)));
        if b.items.is_empty() {
            continue;
        }
        out.push('\n');
        out.push_str(&md_header(&ITEM_HEADER, &[4]));
        for i in &b.items {
            out.push_str(&md_row(&item_row(i)));
        }
    }
    out
}
