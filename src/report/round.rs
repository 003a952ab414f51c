//! The summary of an assessment round (考核汇总): Markdown, CSV (the ranking) and JSON. The
//! figures come computed in [`crate::round::Summary`]; this module only writes them.

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
