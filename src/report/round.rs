//! The summary of an assessment round (考核汇总): Markdown, CSV (the ranking), XLSX, JSON and
//! a self-contained HTML page. The figures come computed in [`crate::round::Summary`]; this
//! module only writes them.

use super::escape;
use crate::num::{percent, show};
use crate::round::Summary;

/// The summary as pretty JSON (`schemas/round.schema.json`), with a trailing newline.
pub fn json(s: &Summary) -> String {
    let mut out = serde_json::to_string_pretty(s).unwrap_or_default();
    out.push('\n');
    out
}

fn rate(r: Option<f64>) -> String {
    r.map_or_else(|| "—".to_string(), percent)
}

fn vetoes(ids: &[String], unverified: &[String]) -> String {
    let mut parts = Vec::new();
    if !ids.is_empty() {
        parts.push(format!("触发：{}", ids.join("、")));
    }
    if !unverified.is_empty() {
        parts.push(format!("待核实：{}", unverified.join("、")));
    }
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join("；")
    }
}

/// The summary as Markdown: the ranking, then each view across the bureaus.
pub fn markdown(s: &Summary) -> String {
    let md = escape::markdown;
    let mut out = String::new();
    out.push_str(&format!(
        "# {} 考核汇总\n\n规则包：{} {}（{}）\n\n报送{}家，考核{}家，未能考核{}家。\n\n",
        md(&s.pack.title),
        md(&s.pack.id),
        md(&s.pack.version),
        md(&s.pack.digest),
        s.bureaus.given,
        s.bureaus.assessed,
        s.bureaus.not_assessed
    ));
    out.push_str(
        "## 排名\n\n| 名次 | 单位 | 得分 | 等次 | 一票否决 | 报告 |\n|---:|---|---:|---|---|---|\n",
    );
    for r in &s.ranking {
        let x = &r.record;
        let grade = if x.grade == x.grade_by_score {
            md(&x.grade)
        } else {
            format!("{}（按得分为{}）", md(&x.grade), md(&x.grade_by_score))
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | bureaus/{} |\n",
            r.rank,
            md(&x.name),
            show(x.score),
            grade,
            vetoes(&x.vetoes, &x.vetoes_unverified),
            md(&x.outputs)
        ));
    }
    out.push_str("\n## 等次分布\n\n| 等次 | 单位数 |\n|---|---:|\n");
    for g in &s.grades {
        out.push_str(&format!("| {} | {} |\n", md(&g.grade), g.bureaus));
    }
    out.push_str(
        "\n## 各部分平均得分\n\n| 指标 | 分值 | 平均得分 | 得分率 |\n|---|---:|---:|---:|\n",
    );
    for x in &s.sections {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            md(&super::section_label(&x.title, x.level)),
            show(x.points),
            show(x.average_awarded),
            rate(x.rate)
        ));
    }
    out.push_str(
        "\n## 各项达标率\n\n| 编号 | 考核项 | 达标 | 部分达标 | 未达标 | 缺数据 | 不适用 | 豁免 | 待评 | 达标率 |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for x in &s.items {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            md(&x.id),
            md(&x.title),
            x.pass,
            x.partial,
            x.fail,
            x.missing_data,
            x.not_applicable,
            x.waived,
            x.pending,
            rate(x.pass_rate)
        ));
    }
    out.push_str("\n## 共性问题\n\n");
    if s.common_problems.is_empty() {
        out.push_str("没有半数以上单位存在的问题。\n");
    } else {
        out.push_str("半数以上单位存在的问题，按单位数排列。\n\n| 编号 | 考核项 | 单位数 | 占比 | 单位 |\n|---|---|---:|---:|---|\n");
        for c in &s.common_problems {
            let names: Vec<String> = c.names.iter().map(|n| md(n)).collect();
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                md(&c.id),
                md(&c.title),
                c.bureaus,
                percent(c.share),
                names.join("、")
            ));
        }
    }
    out.push_str("\n## 自评差异\n\n");
    if s.self_assessment.is_empty() {
        out.push_str("没有单位报送自评分。\n");
    } else {
        out.push_str("按自评可信度从低到高排列。\n\n| 单位 | 自评分 | 核定分 | 差额 | 一致项 | 自评可信度 | 自评多报 |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for d in &s.self_assessment {
            let f = &d.figures;
            out.push_str(&format!(
                "| {} | {} | {} | {} | {}/{} | {} | {} |\n",
                md(&d.name),
                show(f.self_total),
                show(f.assessed_total),
                show(f.difference),
                f.matched,
                f.compared,
                rate(f.credibility),
                show(f.overstated)
            ));
        }
    }
    out.push_str("\n## 报送不全\n\n");
    if s.incomplete.is_empty() {
        out.push_str("没有单位缺报必报数据。\n");
    } else {
        out.push_str("| 单位 | 缺报（必报） |\n|---|---|\n");
        for x in &s.incomplete {
            let absent: Vec<String> = x.absent.iter().map(|a| md(a)).collect();
            out.push_str(&format!("| {} | {} |\n", md(&x.name), absent.join("、")));
        }
    }
    out.push_str("\n## 未能考核\n\n");
    if s.not_assessed.is_empty() {
        out.push_str("全部报送均已考核。\n");
    } else {
        out.push_str("| 文件 | 原因 |\n|---|---|\n");
        for x in &s.not_assessed {
            out.push_str(&format!("| {} | {} |\n", md(&x.file), md(&x.reason)));
        }
    }
    out
}

/// The ranking's columns in the CSV.
const RANKING_COLUMNS: [&str; 10] = [
    "名次",
    "单位",
    "区划代码",
    "得分",
    "等次",
    "按得分等次",
    "一票否决",
    "自评可信度",
    "缺报必报数据",
    "报送文件",
];

/// The ranking as CSV, UTF-8 with a byte-order mark for Excel; every cell that a
/// spreadsheet would read as a formula is neutralised.
pub fn csv(s: &Summary) -> Result<Vec<u8>, String> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(RANKING_COLUMNS).map_err(|e| e.to_string())?;
        for r in &s.ranking {
            let x = &r.record;
            let row = [
                r.rank.to_string(),
                x.name.clone(),
                x.region_code.clone().unwrap_or_default(),
                show(x.score),
                x.grade.clone(),
                x.grade_by_score.clone(),
                vetoes(&x.vetoes, &x.vetoes_unverified).replace('—', ""),
                x.self_assessment
                    .as_ref()
                    .and_then(|f| f.credibility)
                    .map(percent)
                    .unwrap_or_default(),
                x.incomplete.join("、"),
                x.file.clone(),
            ];
            let row: Vec<String> = row.iter().map(|c| escape::spreadsheet(c)).collect();
            w.write_record(&row).map_err(|e| e.to_string())?;
        }
        w.flush().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// A cell of the summary workbook.
enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

fn ratio(r: Option<f64>) -> Cell {
    r.map_or(Cell::Empty, Cell::Number)
}

/// One sheet of the summary workbook: its name, header and rows.
type View = (&'static str, Vec<&'static str>, Vec<Vec<Cell>>);

fn views(s: &Summary) -> Vec<View> {
    use Cell::{Number, Text};
    let n = |x: usize| Number(x as f64);
    let ranking = s
        .ranking
        .iter()
        .map(|r| {
            let x = &r.record;
            vec![
                n(r.rank),
                Text(x.name.clone()),
                Text(x.region_code.clone().unwrap_or_default()),
                Number(x.score),
                Text(x.grade.clone()),
                Text(x.grade_by_score.clone()),
                Text(vetoes(&x.vetoes, &x.vetoes_unverified).replace('—', "")),
                ratio(x.self_assessment.as_ref().and_then(|f| f.credibility)),
                Text(x.incomplete.join("、")),
                Text(x.file.clone()),
            ]
        })
        .collect();
    let grades = s
        .grades
        .iter()
        .map(|g| vec![Text(g.grade.clone()), n(g.bureaus)])
        .collect();
    let sections = s
        .sections
        .iter()
        .map(|x| {
            vec![
                Text(x.id.clone()),
                Text(super::section_label(&x.title, x.level)),
                Number(x.points),
                Number(x.average_awarded),
                Number(x.average_available),
                ratio(x.rate),
            ]
        })
        .collect();
    let items = s
        .items
        .iter()
        .map(|x| {
            vec![
                Text(x.id.clone()),
                Text(x.title.clone()),
                n(x.pass),
                n(x.partial),
                n(x.fail),
                n(x.missing_data),
                n(x.not_applicable),
                n(x.waived),
                n(x.pending),
                ratio(x.pass_rate),
            ]
        })
        .collect();
    let common = s
        .common_problems
        .iter()
        .map(|c| {
            vec![
                Text(c.id.clone()),
                Text(c.title.clone()),
                n(c.bureaus),
                Number(c.share),
                Text(c.names.join("、")),
            ]
        })
        .collect();
    let discrepancies = s
        .self_assessment
        .iter()
        .map(|d| {
            let f = &d.figures;
            vec![
                Text(d.name.clone()),
                Number(f.self_total),
                Number(f.assessed_total),
                Number(f.difference),
                n(f.matched),
                n(f.compared),
                ratio(f.credibility),
                Number(f.overstated),
            ]
        })
        .collect();
    let incomplete = s
        .incomplete
        .iter()
        .map(|x| {
            vec![
                Text(x.name.clone()),
                Text(x.absent.join("、")),
                Text(x.file.clone()),
            ]
        })
        .collect();
    let skipped = s
        .not_assessed
        .iter()
        .map(|x| vec![Text(x.file.clone()), Text(x.reason.clone())])
        .collect();
    vec![
        ("排名", RANKING_COLUMNS.to_vec(), ranking),
        ("等次分布", vec!["等次", "单位数"], grades),
        (
            "各部分平均得分",
            vec!["编号", "指标", "分值", "平均得分", "平均计分基数", "得分率"],
            sections,
        ),
        (
            "各项达标率",
            vec![
                "编号",
                "考核项",
                "达标",
                "部分达标",
                "未达标",
                "缺数据",
                "不适用",
                "豁免",
                "待评",
                "达标率",
            ],
            items,
        ),
        (
            "共性问题",
            vec!["编号", "考核项", "单位数", "占比", "单位"],
            common,
        ),
        (
            "自评差异",
            vec![
                "单位",
                "自评分",
                "核定分",
                "差额",
                "一致项",
                "比较项",
                "自评可信度",
                "自评多报",
            ],
            discrepancies,
        ),
        (
            "报送不全",
            vec!["单位", "缺报（必报）", "报送文件"],
            incomplete,
        ),
        ("未能考核", vec!["文件", "原因"], skipped),
    ]
}

/// The summary as an XLSX workbook, one sheet per view: 排名, 等次分布, 各部分平均得分,
/// 各项达标率, 共性问题, 自评差异, 报送不全, 未能考核. Numbers are numbers (rates as
/// percentages); text is neutralised against formulas. Dated by the latest assessment date,
/// so the same round gives the same bytes.
pub fn xlsx(s: &Summary) -> Result<Vec<u8>, String> {
    workbook(s).map_err(|e| e.to_string())
}

fn workbook(s: &Summary) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, FormatBorder, Workbook};
    let mut book = Workbook::new();
    let latest = s.ranking.iter().filter_map(|r| r.record.assessed_on).max();
    let title = format!("{} 考核汇总", s.pack.title);
    book.set_properties(&super::rectify::properties(&title, latest, 1999));
    let header = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDEBF7");
    let percent = Format::new().set_num_format("0.00%");
    for (name, columns, rows) in views(s) {
        let sheet = book.add_worksheet();
        sheet.set_name(name)?;
        for (c, column) in columns.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *column, &header)?;
            let wide = matches!(*column, "单位" | "考核项" | "指标" | "原因" | "报送文件");
            sheet.set_column_width(c as u16, if wide { 36.0 } else { 12.0 })?;
        }
        sheet.set_freeze_panes(1, 0)?;
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c16 = c as u16;
                let is_rate = matches!(columns[c], "得分率" | "达标率" | "占比" | "自评可信度");
                match cell {
                    Cell::Text(t) => {
                        sheet.write_string(r, c16, escape::spreadsheet(t))?;
                    }
                    Cell::Number(x) if is_rate => {
                        sheet.write_number_with_format(r, c16, *x, &percent)?;
                    }
                    Cell::Number(x) => {
                        sheet.write_number(r, c16, *x)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
    }
    book.save_to_buffer()
}

const HTML_TEMPLATE: &str = include_str!("summary.html");
const BUREAU_TEMPLATE: &str = include_str!("summary-bureau.html");

/// One bar of an SVG chart: its label, its value in words, its top and its length.
#[derive(serde::Serialize)]
struct Bar {
    label: String,
    value: String,
    y: usize,
    w: f64,
}

#[derive(serde::Serialize)]
struct Chart {
    title: &'static str,
    width: usize,
    height: usize,
    /// Where the bars start: the labels are right-aligned to it.
    left: usize,
    bars: Vec<Bar>,
}

/// Horizontal bars, each `value / max` of the drawing width (a rounded pixel length).
fn chart(title: &'static str, left: usize, bars: Vec<(String, f64, String)>, max: f64) -> Chart {
    const PLOT: f64 = 560.0;
    const ROW: usize = 22;
    let bars: Vec<Bar> = bars
        .into_iter()
        .enumerate()
        .map(|(i, (label, x, value))| Bar {
            label,
            value,
            y: i * ROW,
            w: if max > 0.0 {
                (x.max(0.0) / max * PLOT * 10.0).round() / 10.0
            } else {
                0.0
            },
        })
        .collect();
    Chart {
        title,
        width: left + PLOT as usize + 170,
        height: bars.len() * ROW + 4,
        left,
        bars,
    }
}

/// The summary as one self-contained HTML page: the ranking (sortable), charts of the grade
/// distribution, the sections' averages and the items' pass rates (inline SVG), 共性问题,
/// 未能考核, and a part per bureau with its gap list and rectification tasks. No network:
/// inline style and script only, and a Content-Security-Policy that forbids the rest.
/// Everything is HTML-escaped by the template engine.
///
/// The bureaus' parts were rendered by the round's workers into `parts`; they are copied
/// into the page here, in input order, so the page is written to `out` as it goes.
pub fn html(
    s: &Summary,
    parts: &crate::round::Parts,
    out: &mut dyn std::io::Write,
) -> Result<(), String> {
    use minijinja::value::Serde;
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template("summary.html", HTML_TEMPLATE)
        .map_err(|e| e.to_string())?;
    let width = crate::round::index_width(s.bureaus.given);
    let anchor = |index: usize| format!("{index:0width$}");
    let grade_rank = |g: &str| {
        s.grades
            .iter()
            .position(|x| x.grade == g)
            .unwrap_or(usize::MAX)
    };
    let ranking: Vec<minijinja::Value> = s
        .ranking
        .iter()
        .map(|r| {
            let x = &r.record;
            let grade = if x.grade == x.grade_by_score {
                x.grade.clone()
            } else {
                format!("{}（按得分为{}）", x.grade, x.grade_by_score)
            };
            minijinja::context! {
                index => x.index,
                anchor => anchor(x.index),
                rank => r.rank,
                name => x.name.clone(),
                score => show(x.score),
                score_sort => show(x.score),
                grade => grade,
                grade_sort => grade_rank(&x.grade),
                vetoes => vetoes(&x.vetoes, &x.vetoes_unverified),
            }
        })
        .collect();
    let most = s.grades.iter().map(|g| g.bureaus).max().unwrap_or(0) as f64;
    let grades = chart(
        "等次分布",
        160,
        s.grades
            .iter()
            .map(|g| {
                (
                    g.grade.clone(),
                    g.bureaus as f64,
                    format!("{}家", g.bureaus),
                )
            })
            .collect(),
        most,
    );
    let sections = chart(
        "板块平均得分",
        260,
        s.sections
            .iter()
            .map(|x| {
                (
                    super::section_label(&x.title, x.level),
                    x.rate.unwrap_or(0.0),
                    format!(
                        "{}/{}（{}）",
                        show(x.average_awarded),
                        show(x.points),
                        rate(x.rate)
                    ),
                )
            })
            .collect(),
        1.0,
    );
    let items = chart(
        "考核项达标率",
        260,
        s.items
            .iter()
            .map(|x| {
                (
                    format!("{} {}", x.id, short(&x.title, 14)),
                    x.pass_rate.unwrap_or(0.0),
                    format!("{}（{}/{}）", rate(x.pass_rate), x.pass, x.judged),
                )
            })
            .collect(),
        1.0,
    );
    let common: Vec<minijinja::Value> = s
        .common_problems
        .iter()
        .map(|c| {
            minijinja::context! {
                id => c.id.clone(),
                title => c.title.clone(),
                bureaus => c.bureaus,
                share => percent(c.share),
                names => c.names.join("、"),
            }
        })
        .collect();
    let not_assessed: Vec<minijinja::Value> = s
        .not_assessed
        .iter()
        .map(|x| minijinja::context! { file => x.file.clone(), reason => x.reason.clone() })
        .collect();
    let ctx = minijinja::context! {
        pack => minijinja::Value::from(Serde(&s.pack)),
        counts => minijinja::Value::from(Serde(&s.bureaus)),
        ranking => ranking,
        charts => vec![
            minijinja::Value::from(Serde(&grades)),
            minijinja::Value::from(Serde(&sections)),
            minijinja::Value::from(Serde(&items)),
        ],
        common => common,
        not_assessed => not_assessed,
    };
    let template = env
        .get_template("summary.html")
        .map_err(|e| e.to_string())?;
    let page = template.render(ctx).map_err(|e| e.to_string())?;
    let (head, tail) = page
        .split_once(BUREAUS_MARK)
        .ok_or("the summary's template has no place for the bureaus")?;
    let error = |e: std::io::Error| e.to_string();
    out.write_all(head.as_bytes()).map_err(error)?;
    let mut in_order: Vec<&crate::round::Record> = s.ranking.iter().map(|r| &r.record).collect();
    in_order.sort_by_key(|r| r.index);
    for record in in_order {
        parts.copy(record.part, out).map_err(error)?;
    }
    out.write_all(tail.as_bytes()).map_err(error)?;
    if !tail.ends_with('\n') {
        out.write_all(b"\n").map_err(error)?;
    }
    Ok(())
}

/// Where the bureaus' parts go in the summary's page (a comment: no submitted text can
/// contain it, the template engine escapes `<`).
const BUREAUS_MARK: &str = "<!-- kaohe:bureaus -->";

/// Renders each bureau's part of the HTML summary, in the worker that assessed it.
pub struct BureauPages {
    env: minijinja::Environment<'static>,
    width: usize,
    files: crate::round::Files,
}

impl BureauPages {
    /// `width`: the digits of a bureau's number (its anchor); `files`: the files the round
    /// writes for each bureau, which the part names.
    pub fn new(width: usize, files: crate::round::Files) -> Result<BureauPages, String> {
        let mut env = minijinja::Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        env.add_template("bureau.html", BUREAU_TEMPLATE)
            .map_err(|e| e.to_string())?;
        Ok(BureauPages { env, width, files })
    }

    /// The bureau's section: score and grade, its files, its gap list and its tasks.
    pub fn render(
        &self,
        x: &crate::round::Record,
        gaps: &[crate::round::Gap],
        tasks: &[crate::round::Task],
    ) -> Result<String, String> {
        let gaps: Vec<minijinja::Value> = gaps
            .iter()
            .map(|g| {
                minijinja::context! {
                    id => g.id.clone(),
                    title => g.title.clone(),
                    status => super::status_label(g.status),
                    measured => g.measured.as_ref().map_or_else(|| "—".to_string(), super::measure::quantity),
                    required => g.required.as_ref().map_or_else(|| "—".to_string(), super::measure::requirement),
                    lost => show(g.lost),
                }
            })
            .collect();
        let tasks: Vec<minijinja::Value> = tasks
            .iter()
            .map(|t| {
                let deadline = super::due(t.deadline.map(|d| d.to_string()), t.within_days)
                    .unwrap_or_else(|| "—".into());
                minijinja::context! {
                    problem => t.problem.clone(),
                    measure => t.measure.clone(),
                    owner => t.owner.clone(),
                    deadline => deadline,
                }
            })
            .collect();
        let report = self.files.md.then(|| format!("{}.md", x.outputs));
        let list = self
            .files
            .xlsx
            .then(|| format!("{}-整改清单.xlsx", x.outputs));
        let b = minijinja::context! {
            anchor => format!("{:0w$}", x.index, w = self.width),
            name => x.name.clone(),
            score => show(x.score),
            grade => x.grade.clone(),
            report => report,
            list => list,
            gaps => gaps,
            tasks => tasks,
        };
        self.env
            .get_template("bureau.html")
            .and_then(|t| t.render(minijinja::context! { b => b }))
            .map_err(|e| e.to_string())
    }
}

/// At most `n` characters, with `…` when cut.
fn short(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        let mut out: String = text.chars().take(n).collect();
        out.push('…');
        out
    }
}
