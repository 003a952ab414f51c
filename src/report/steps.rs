//! How a verdict and its points were reached, in words: the lines of `kaohe assess --explain`,
//! of the JSON `explain` array and of `kaohe test`'s reasons.

use super::{comparison, quantity, requirement};
use crate::checks::{CheckVerdict, Requirement, Step, Subject};
use crate::num;
use crate::score::{BandStep, ClauseStep, Exclusion, RecheckStep, ReviewStep, ScoreStep};

/// Every step as lines, nested parts indented.
pub fn lines(steps: &[Step]) -> Vec<String> {
    let mut out = Vec::new();
    for step in steps {
        step_lines(step, &mut out);
    }
    out
}

fn met(met: bool) -> &'static str {
    if met { "达标" } else { "未达标" }
}

fn nested(steps: &[Step], out: &mut Vec<String>) {
    out.extend(lines(steps).into_iter().map(|l| format!("    {l}")));
}

fn step_lines(step: &Step, out: &mut Vec<String>) {
    match step {
        Step::Scope {
            register,
            unit,
            total,
            filter,
            included,
            unfilled,
        } => {
            let filter = if filter.is_empty() {
                String::new()
            } else {
                format!("（范围：{}）", super::conditions(filter))
            };
            let unit = super::row_unit(unit.as_ref());
            // Rows left out because a column of the range is empty, not because it differs.
            let unfilled = if unfilled.is_empty() {
                String::new()
            } else {
                let parts: Vec<String> = unfilled
                    .iter()
                    .map(|(label, n)| format!("{n}{unit}{label}未填写"))
                    .collect();
                format!("（{}）", parts.join("，"))
            };
            out.push(format!(
                "{register}：共{total}{unit}{filter}，纳入{included}{unit}{unfilled}"
            ));
        }
        Step::Waived { keys } => out.push(format!("豁免：{}", keys.join("、"))),
        Step::Requires { conditions } => {
            out.push(format!("要求：{}", super::conditions(conditions)))
        }
        Step::RequiresOf {
            label,
            requirement: r,
        } => out.push(format!("要求：{label}{}", requirement(r))),
        Step::Row { key, misses } if misses.is_empty() => out.push(format!("  ✓ {key}")),
        Step::Row { key, misses } => out.push(format!("  ✗ {key}：{}", super::misses(misses))),
        Step::Unmet { condition } => out.push(format!("✗ {}", super::miss(condition))),
        Step::AllMet => out.push("✓ 全部满足".into()),
        Step::Missing { what } => out.push(format!("缺数据：{}", super::miss(what))),
        Step::NoRows => out.push("纳入范围的记录为0：无此类事项，不适用".into()),
        Step::Stated { figures } => {
            let figures: Vec<String> = figures
                .iter()
                .map(|(label, q)| format!("{label}{}", quantity(q)))
                .collect();
            out.push(format!("据填报数：{}", figures.join("，")))
        }
        Step::Window {
            label,
            from,
            to,
            kept,
            outside,
            undated,
            unit,
        } => {
            let unit = super::row_unit(unit.as_ref());
            let mut line = format!("按{label}计{from}至{to}：纳入{kept}{unit}");
            if *outside > 0 {
                line.push_str(&format!("，{outside}{unit}不在此期间"));
            }
            if *undated > 0 {
                line.push_str(&format!("，{undated}{unit}{label}未填写"));
            }
            out.push(line);
        }
        Step::Periods {
            period,
            counts,
            requirement: r,
            unit,
        } => {
            let required = r.as_ref().map(requirement).unwrap_or_default();
            out.push(format!("每{}要求 {required}：", super::period(*period)));
            for c in counts {
                let ok = c.short == 0 && c.over == 0;
                out.push(format!(
                    "  {} {}",
                    if ok { "✓" } else { "✗" },
                    super::period_count(c, unit.as_ref())
                ));
            }
        }
        Step::ZeroDenominator { label } => out.push(format!("{label} = 0：分母为零，不适用")),
        Step::Judged {
            subject,
            value,
            requirement: r,
            met: ok,
        } => out.push(judged(subject, &quantity(value), r.as_ref(), *ok)),
        Step::Document { label, given } => {
            out.push(format!("{} {label}", if *given { "✓" } else { "✗" }))
        }
        Step::Part {
            label,
            points,
            verdict,
            steps,
        } => {
            let mark = match verdict {
                CheckVerdict::Pass => "✓",
                CheckVerdict::Fail => "✗",
                CheckVerdict::NotApplicable => "—",
                CheckVerdict::MissingData => "?",
            };
            let points = points
                .map(|p| format!("（{}分）", num::show(p)))
                .unwrap_or_default();
            out.push(format!("{mark} {}{points}", super::part(label)));
            nested(steps, out);
        }
        Step::Negated { label, steps } => {
            out.push(format!("不应满足：{}", super::part(label)));
            nested(steps, out);
        }
        Step::DoesNotApply { conditions } => {
            out.push(format!("适用条件不满足：{}", super::misses(conditions)))
        }
        Step::ApplicabilityUnknown { missing } => {
            out.push(format!("无法判断是否适用：{}", super::misses(missing)))
        }
        Step::Waiver {
            reason,
            approved_by,
            expires_on,
        } => out.push(format!(
            "豁免：{reason}（{approved_by}批准，有效期至{expires_on}）"
        )),
        Step::Scored(ScoreStep::Schedule {
            clauses,
            sum,
            points,
            deducted,
        }) => {
            out.push(format!(
                "分项扣分（本项{}分，扣完为止）：",
                num::show(*points)
            ));
            for c in clauses {
                out.push(format!("  {}", clause(c)));
            }
            out.push(format!(
                "合计扣{}分{} → 扣{}分，得{}分",
                num::show(*sum),
                if sum > points {
                    "，超过本项分值"
                } else {
                    ""
                },
                num::show(*deducted),
                num::show(points - deducted)
            ));
        }
        Step::Scored(ScoreStep::Review(r)) => {
            out.push(review(r));
            for reason in review_reasons(r) {
                out.push(format!("  {reason}"));
            }
        }
        Step::Scored(ScoreStep::Recheck(r)) => {
            out.push(recheck(r));
            for reason in reasons(&r.scores) {
                out.push(format!("  {reason}"));
            }
        }
        Step::Scored(s) => out.push(scored(s)),
    }
}

/// How reviewers' points combine, in words (取平均).
pub fn combine(c: crate::pack::Combine) -> &'static str {
    use crate::pack::Combine;
    match c {
        Combine::Mean => "取平均",
        Combine::Median => "取中位数",
        Combine::TrimmedMean => "去掉最高分和最低分后取平均",
    }
}

/// A reviewed item's points in words: `复核分 3（专家甲 3、专家乙 3.5、专家丙 2.5，取平均）`,
/// or `待评（满分5分，尚无评分；评审要求：…）`.
pub fn review(r: &ReviewStep) -> String {
    if r.scores.is_empty() {
        return format!(
            "待评（满分{}分，尚无评分；评审要求：{}）",
            num::show(r.points),
            r.asks
        );
    }
    format!("复核分 {}", reviewers(r.combined, &r.scores, r.combine))
}

/// Each reviewer's reason: `专家甲（2024-05-10）3分：台账齐全`.
pub fn review_reasons(r: &ReviewStep) -> Vec<String> {
    reasons(&r.scores)
}

/// The re-check score with its reviewers: `复核分 2（专家甲 2、专家乙 2，取平均）`.
pub fn recheck_score(r: &RecheckStep) -> String {
    format!("复核分 {}", reviewers(r.combined, &r.scores, r.combine))
}

/// A re-check in words: `复核分 2（专家甲 2、专家乙 2，取平均）；核定分0，以复核分为准，得2分`.
pub fn recheck(r: &RecheckStep) -> String {
    format!(
        "{}；核定分{}，{}，得{}分",
        recheck_score(r),
        num::show(r.computed),
        final_rule(r.final_score),
        num::show(r.awarded)
    )
}

/// Each re-checking reviewer's reason: `专家甲（2024-05-10）2分：预案已制定`.
pub fn recheck_reasons(r: &RecheckStep) -> Vec<String> {
    reasons(&r.scores)
}

/// Which score a re-checked item keeps, in words.
pub fn final_rule(f: crate::pack::FinalScore) -> &'static str {
    use crate::pack::FinalScore;
    match f {
        FinalScore::Recheck => "以复核分为准",
        FinalScore::Lower => "核定分与复核分就低",
        FinalScore::Higher => "核定分与复核分就高",
    }
}

/// A combined score and who gave what: `3（专家甲 3、专家乙 3.5、专家丙 2.5，取平均）`.
pub fn reviewers(
    combined: f64,
    scores: &[crate::review::Review],
    combine: crate::pack::Combine,
) -> String {
    let each: Vec<String> = scores
        .iter()
        .map(|s| format!("{} {}", s.reviewer, num::show(s.points)))
        .collect();
    let how = if scores.len() == 1 {
        String::new()
    } else {
        format!("，{}", self::combine(combine))
    };
    format!("{}（{}{how}）", num::show(combined), each.join("、"))
}

/// Each reviewer's reason: `专家甲（2024-05-10）3分：台账齐全`.
fn reasons(scores: &[crate::review::Review]) -> Vec<String> {
    scores
        .iter()
        .map(|s| {
            format!(
                "{}（{}）{}分：{}",
                s.reviewer,
                s.date,
                num::show(s.points),
                s.reason
            )
        })
        .collect()
}

/// Graded bands in words: `分档计分：实测70%，达到≥60%档 → 得1分（本项3分）`.
pub fn band(b: &BandStep) -> String {
    let show = num::show;
    match (&b.reached, &b.lowest) {
        (Some(r), _) => format!(
            "分档计分：实测{}，达到{}档 → 得{}分（本项{}分）",
            quantity(&b.measured),
            band_min(r),
            show(b.awarded),
            show(b.points)
        ),
        (None, Some(l)) => format!(
            "分档计分：实测{}，低于最低档{} → 得0分（扣{}分）",
            quantity(&b.measured),
            band_min(l),
            show(b.points)
        ),
        (None, None) => format!("分档计分：实测{}，得0分", quantity(&b.measured)),
    }
}

/// A band's lower bound: `≥90%`, `≥4`.
fn band_min(b: &crate::pack::Band) -> String {
    match b.min {
        crate::pack::Threshold::Percent(p) => format!("≥{}", num::percent(p.0)),
        crate::pack::Threshold::Count(n) => format!("≥{n}"),
    }
}

/// One clause of a deduction schedule in words, as an indicator table says it:
/// `集体学法每少一次：2次，少2次，扣1分（2次 × 0.5分 = 1分）`.
pub fn clause(c: &ClauseStep) -> String {
    use crate::checks::{Quantity, Shortfall};
    let show = num::show;
    let mut said = Vec::new();
    if let Some(m) = &c.measured {
        // A count takes the unit its shortfall names (次, 人).
        let unit = match &c.shortfall {
            Some(Shortfall::Fewer { unit, .. } | Shortfall::More { unit, .. }) => {
                unit.as_deref().unwrap_or("")
            }
            _ => "",
        };
        said.push(match m {
            Quantity::Count { value } => format!("{value}{unit}"),
            _ => quantity(m),
        });
    }
    if c.occurrences > 0.0
        && let Some(s) = &c.shortfall
    {
        said.push(super::shortfall(s));
    }
    let head = if said.is_empty() {
        format!("{}：", c.label)
    } else {
        format!("{}：{}，", c.label, said.join("，"))
    };
    if c.missing {
        return format!("{head}缺数据，按扣满{}分计", show(c.deducted));
    }
    if c.occurrences <= 0.0 {
        return format!("{head}未扣分");
    }
    let cap = match c.cap {
        Some(cap) if c.capped => format!("，累计不超过{}分", show(cap)),
        None if c.capped => "，扣完为止".into(),
        _ => String::new(),
    };
    format!(
        "{head}扣{}分（{}次 × {}分 = {}分{cap}）",
        show(c.deducted),
        show(c.occurrences),
        show(c.per),
        show(num::round2(c.occurrences * c.per)),
    )
}

fn judged(subject: &Subject, value: &str, r: Option<&Requirement>, ok: bool) -> String {
    let required = r.map(requirement).unwrap_or_default();
    let verdict = met(ok);
    match subject {
        Subject::Coverage { passed, total } => {
            format!("覆盖率 = {passed}/{total} = {value}，要求 {required} → {verdict}")
        }
        Subject::RowsMet { unit } => {
            format!("{value}{}满足 → {verdict}", super::row_unit(unit.as_ref()))
        }
        Subject::RowsOnTime { unit } => {
            format!("{value}{}按时 → {verdict}", super::row_unit(unit.as_ref()))
        }
        Subject::Count => format!("计数 = {value}，要求 {required} → {verdict}"),
        Subject::StatedRate => format!("填报比例 = {value}，要求 {required} → {verdict}"),
        Subject::Ratio {
            numerator,
            denominator,
            num: n,
            den,
        } => format!(
            "{numerator} / {denominator} = {} / {} = {value}，要求 {required} → {verdict}",
            num::show(*n),
            num::show(*den)
        ),
        Subject::DateOf { label } => format!("{label}：{value}，要求{required} → {verdict}"),
        Subject::Compared {
            label,
            other_label,
            other,
            factor,
        } => {
            let (op, target) = match r {
                Some(Requirement::Bound { op, value }) => (comparison(*op), quantity(value)),
                _ => ("", String::new()),
            };
            let other = match other_label {
                Some(l) => format!("{l} {}", quantity(other)),
                None => quantity(other),
            };
            let factor = factor
                .map(|f| format!(" × {} = {target}", num::show(f)))
                .unwrap_or_default();
            format!("{label} = {value}，要求 {op} {other}{factor} → {verdict}")
        }
    }
}

fn scored(s: &ScoreStep) -> String {
    let show = num::show;
    match s {
        ScoreStep::Excluded {
            why,
            points,
            award,
            standard,
        } => {
            let why = match why {
                Exclusion::NotApplicable => "不适用",
                Exclusion::MissingData => "缺数据（按规则包视同不适用）",
            };
            if *award {
                format!("{why}：按规则包计满分{}分", show(*points))
            } else if *standard {
                format!("{why}：{}分不计入总分基数", show(*points))
            } else {
                format!("{why}：不计分")
            }
        }
        ScoreStep::VetoNotFired => "未触发一票否决".into(),
        ScoreStep::VetoUnknown => "缺数据：无法判定是否触发一票否决".into(),
        ScoreStep::VetoFired => "触发一票否决".into(),
        ScoreStep::BonusPerUnit {
            counted,
            per_unit,
            raw,
            points,
            awarded,
        } => format!(
            "加分：{} × {} = {}，本项最多{}分 → 加{}分",
            show(*counted),
            show(*per_unit),
            show(*raw),
            show(*points),
            show(*awarded)
        ),
        ScoreStep::BonusAll { points } => format!("加分：达标加{}分", show(*points)),
        ScoreStep::BonusNone => "加分：未达标，不加分".into(),
        ScoreStep::Passed { points } => format!("达标：得{}分", show(*points)),
        ScoreStep::MissingData { points } => {
            format!("缺数据：按未完成计，得0分（扣{}分）", show(*points))
        }
        ScoreStep::AllOrNothing { points } => {
            format!("全有或全无：未达标，得0分（扣{}分）", show(*points))
        }
        ScoreStep::Proportional {
            points,
            share,
            awarded,
        } => format!(
            "按比例：{} × {} = {}分",
            show(*points),
            num::percent(*share),
            show(*awarded)
        ),
        ScoreStep::Additive { parts, earned } => {
            let terms: Vec<String> = parts
                .iter()
                .map(|p| {
                    let note = if p.missing { "（缺数据）" } else { "" };
                    format!("{}{note} {}分", super::part(&p.label), show(p.earned))
                })
                .collect();
            format!("分项计分：{} = {}分", terms.join(" + "), show(*earned))
        }
        ScoreStep::Bands(b) => band(b),
        ScoreStep::Review(r) => review(r),
        ScoreStep::Recheck(r) => recheck(r),
        ScoreStep::Schedule {
            points, deducted, ..
        } => format!(
            "分项扣分：扣{}分，得{}分",
            show(*deducted),
            show(points - deducted)
        ),
        ScoreStep::PerUnit {
            per_unit,
            units,
            raw,
            cap,
            points,
            deducted,
        } => {
            let cap_text = match cap {
                Some(c) if c < points => format!("，累计扣分上限{}分", show(*c)),
                _ => "，扣完为止".into(),
            };
            format!(
                "每项扣{}分：{} × {} = {}{cap_text} → 扣{}分，得{}分",
                show(*per_unit),
                show(*units),
                show(*per_unit),
                show(*raw),
                show(*deducted),
                show(points - deducted)
            )
        }
    }
}

/// Serde helper for the assessment JSON: the steps as lines of words.
pub fn serialize<S: serde::Serializer>(steps: &[Step], s: S) -> Result<S::Ok, S::Error> {
    use serde::Serialize;
    lines(steps).serialize(s)
}
