//! The fill-in template of a pack's data dictionary (`kaohe template`): a workbook a bureau
//! fills in a spreadsheet program, or a commented YAML skeleton. Both are submissions once
//! filled in. The workbook's layout is the one `submission::workbook` reads back.

use rust_xlsxwriter::{
    DataValidation, DataValidationRule, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook,
    Worksheet, XlsxError,
};

use super::escape;
use crate::pack::{Field, FieldType, Pack};
use crate::submission::workbook::{
    DEPARTMENT_COLUMNS, DEPARTMENTS, EVIDENCE, EVIDENCE_COLUMNS, FACT_COLUMNS, FACTS, HEADER,
    HEADER_COLUMNS, HEADER_ROWS, INSTRUCTIONS, NONE, SELF_SCORE_COLUMNS, SELF_SCORES,
    register_sheets,
};
use crate::submission::{Submission, Value};

/// How many rows of a register sheet carry the column's drop-down and validation.
pub const REGISTER_ROWS: u32 = 1000;
/// How many rows the 科室 sheet offers beyond the pack's departments.
const EXTRA_DEPARTMENTS: u32 = 10;

/// What a field takes, in words, for the 单位/类型 column and the input messages.
pub fn kind(field: &Field) -> &'static str {
    match field.ty {
        FieldType::Boolean => "是/否",
        FieldType::Integer if field.signed => "整数",
        FieldType::Integer => "整数（不小于0）",
        FieldType::Number if field.signed => "数值",
        FieldType::Number => "数值（不小于0）",
        FieldType::Percent => "百分比（如 95%）",
        FieldType::Date => "日期（YYYY-MM-DD）",
        FieldType::String => "文本",
        FieldType::Enum => "单选（从下拉列表选择）",
        FieldType::List => "多选（多个值用“、”分隔）",
    }
}

/// The explanation of a fact: its description, and for a stated figure the register it
/// summarises.
fn explanation(pack: &Pack, field: &Field) -> String {
    let mut parts = Vec::new();
    if let Some(d) = &field.description {
        parts.push(d.trim().to_string());
    }
    if let Some(register) = &field.states {
        let label = pack
            .data
            .registers
            .get(register)
            .map_or(register.as_str(), |r| r.label.as_str());
        parts.push(format!(
            "填报数：「{label}」台账的汇总。未报台账时据此计分；台账和填报数都报时，两者相互核对。"
        ));
    }
    if field.required {
        parts.push("必报。".into());
    }
    parts.join(" ")
}

/// The instructions sheet's lines.
fn instructions(pack: &Pack, sheets: &[String]) -> Vec<String> {
    let mut lines = vec![
        format!("{}（{}）报送模板", pack.meta.title, pack.meta.version),
        String::new(),
        "填写方法".into(),
        "1. 在“基本信息”表填写单位名称和考核年度（必填），以及行政区划代码、层级和考核日期。".into(),
        "2. 在“事实”表的“填报值”列逐项填写；不掌握或不适用的留空。".into(),
        "3. 每本台账一张表，表头为列名，每行一条记录；带“＊”的列是台账的关键列（如学校名称），每行必填且不得重复。整张表留空＝该台账未填报（缺数据）；本年度确无记录的，在第2行第1格只填“无”。".into(),
        "4. 在“佐证材料”表列出各项材料的文件名或链接，一个单元格内每行一个（Alt+Enter 换行）。".into(),
        "5. 可选：“科室”表填写各科室的本单位名称和负责人（整改清单的责任人）；“自评分”表填写各项自评分。".into(),
        String::new(),
        "填写规则".into(),
        "· 留空＝未填报（缺数据）：该项按缺数据计分并列入缺报清单，不会报错；不要为凑数编造数值。".into(),
        "· 是/否：从下拉列表选择“是”或“否”（也可填 true / false）。".into(),
        "· 日期：YYYY-MM-DD，如 2024-03-20（日期格式的单元格亦可）。".into(),
        "· 百分比：填 95%（单元格显示为百分比，存为 0.95）；也可填写文本“95%”。".into(),
        "· 单选：从下拉列表选择，须与可选值一字不差（如“小学”，不是“小學”）。".into(),
        "· 多选：多个值之间用顿号“、”分隔，如“计划、教材、课时”。".into(),
        "· 整数、数值：只填数字，不带单位；人数、次数等不能为负数。".into(),
        "· 不要改动表名、表头和“字段名”列（已隐藏）；行的顺序可以调整，不用的空行留空即可。".into(),
        String::new(),
        "各表".into(),
        format!("· {HEADER}：报送单位、考核年度和考核日期。"),
        format!("· {FACTS}：教育局整体情况，每项一个值；“说明”列写明填报数汇总的是哪本台账。"),
    ];
    for ((_, register), sheet) in pack.data.registers.iter().zip(sheets) {
        let mut line = format!("· {sheet}：{}台账", register.label);
        if let Some(unit) = &register.unit {
            line.push_str(&format!("（每{unit}一行）"));
        }
        if register.required {
            line.push_str("，必报");
        }
        if let Some(d) = &register.description {
            line.push_str(&format!("。{}", d.trim()));
        }
        lines.push(line);
    }
    lines.push(format!("· {EVIDENCE}：佐证材料清单。"));
    lines.push(format!("· {DEPARTMENTS}：科室及负责人（可选）。"));
    lines.push(format!("· {SELF_SCORES}：各考核项目的自评分（可选）。"));
    lines.push(String::new());
    lines.push(
        "填好后报送本工作簿（.xlsx），考核单位用 kaohe assess 直接读取；出错时提示表名、行、列和列名。"
            .into(),
    );
    lines
}

struct Formats {
    header: Format,
    key_header: Format,
    body: Format,
    input: Format,
    date: Format,
    percent: Format,
    note: Format,
}

fn formats() -> Formats {
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDEBF7")
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let body = Format::new()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top);
    let input = body.clone().set_background_color("#FFF2CC");
    Formats {
        key_header: header.clone().set_background_color("#F8CBAD"),
        header,
        date: input.clone().set_num_format("yyyy-mm-dd"),
        percent: input.clone().set_num_format("0.0%"),
        input,
        body,
        note: Format::new().set_text_wrap().set_align(FormatAlign::Top),
    }
}

/// The first `n` characters of `s` (data validation titles and messages are bounded).
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// The data validation of a field's cells: a drop-down for enums and booleans, numbers,
/// dates and percentages checked; `None` for free text and multi-choice lists (whose
/// allowed values the input message gives).
fn validation(field: &Field) -> Option<DataValidation> {
    let v = match field.ty {
        FieldType::Boolean => DataValidation::new()
            .allow_list_strings(&["是", "否"])
            .ok()?,
        FieldType::Enum => DataValidation::new()
            .allow_list_strings(&field.values)
            .ok()?,
        FieldType::Integer if field.signed => DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(i32::MIN, i32::MAX)),
        FieldType::Integer => {
            DataValidation::new().allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
        }
        FieldType::Number if field.signed => {
            DataValidation::new().allow_decimal_number(DataValidationRule::Between(-1e15, 1e15))
        }
        FieldType::Number => DataValidation::new()
            .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0)),
        FieldType::Percent => {
            DataValidation::new().allow_decimal_number(DataValidationRule::Between(0.0, 1.0))
        }
        FieldType::Date => {
            let from = ExcelDateTime::from_ymd(1900, 1, 1).ok()?;
            let to = ExcelDateTime::from_ymd(2200, 12, 31).ok()?;
            DataValidation::new().allow_date(DataValidationRule::Between(from, to))
        }
        FieldType::String => return None,
        FieldType::List => DataValidation::new().allow_any_value(),
    };
    let mut message = kind(field).to_string();
    if field.ty == FieldType::List && !field.values.is_empty() {
        message.push_str(&format!("：{}", field.values.join("、")));
    }
    let v = v
        .set_input_title(clip(&field.label, 32))
        .ok()?
        .set_input_message(clip(&message, 250))
        .ok()?;
    if field.ty == FieldType::List {
        return Some(v);
    }
    v.set_error_title("填写有误")
        .ok()?
        .set_error_message(clip(&format!("{}：{}", field.label, kind(field)), 250))
        .ok()
}

/// Writes `value` into a cell in the form the reader takes back.
fn write_value(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    field: &Field,
    value: &Value,
    f: &Formats,
) -> Result<(), XlsxError> {
    match value {
        Value::Int(i) => {
            sheet.write_number_with_format(row, col, *i as f64, &f.input)?;
        }
        Value::Number(x) if field.ty == FieldType::Percent => {
            sheet.write_number_with_format(row, col, *x, &f.percent)?;
        }
        Value::Number(x) => {
            sheet.write_number_with_format(row, col, *x, &f.input)?;
        }
        Value::Date(d) => {
            let when = ExcelDateTime::from_ymd(
                u16::try_from(d.year()).unwrap_or(1900),
                d.month() as u8,
                d.day() as u8,
            )?;
            sheet.write_datetime_with_format(row, col, &when, &f.date)?;
        }
        other => {
            sheet.write_string_with_format(
                row,
                col,
                escape::spreadsheet(&other.to_string()),
                &f.input,
            )?;
        }
    }
    Ok(())
}

/// The format of an empty input cell of `field`.
fn input_format<'a>(field: &Field, f: &'a Formats) -> &'a Format {
    match field.ty {
        FieldType::Date => &f.date,
        FieldType::Percent => &f.percent,
        _ => &f.input,
    }
}

/// The template workbook; with `fill`, the submission's values written into it (a filled-in
/// workbook, e.g. last year's YAML submission for a bureau to update).
pub fn xlsx(pack: &Pack, fill: Option<&Submission>) -> Result<Vec<u8>, String> {
    workbook(pack, fill).map_err(|e| e.to_string())
}

fn workbook(pack: &Pack, fill: Option<&Submission>) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let title = format!("{}（{}）报送模板", pack.meta.title, pack.meta.version);
    let mut book = Workbook::new();
    let (on, year) = match fill {
        Some(s) => (s.assessed_on, i64::from(s.year)),
        // A blank template's creation time is fixed (2000-01-01), so its bytes are the
        // same for the same pack.
        None => (None, 1999),
    };
    book.set_properties(&super::rectify::properties(&title, on, year));
    let sheets = register_sheets(&pack.data);

    let sheet = book.add_worksheet();
    sheet.set_name(INSTRUCTIONS)?;
    sheet.set_column_width(0, 110)?;
    let bold = Format::new().set_bold();
    for (r, line) in instructions(pack, &sheets).iter().enumerate() {
        let heading = r == 0 || matches!(line.as_str(), "填写方法" | "填写规则" | "各表");
        let format = if heading { &bold } else { &f.note };
        sheet.write_string_with_format(r as u32, 0, escape::spreadsheet(line), format)?;
    }

    header_sheet(book.add_worksheet(), fill, &f)?;
    facts_sheet(book.add_worksheet(), pack, fill, &f)?;
    for (i, ((_, register), name)) in pack.data.registers.iter().zip(&sheets).enumerate() {
        let sheet = book.add_worksheet();
        sheet.set_name(name)?;
        let table = fill
            .and_then(|s| s.registers.get(i))
            .and_then(Option::as_ref);
        for (c, (col_name, field)) in register.columns.iter().enumerate() {
            let c = c as u16;
            let is_key = *col_name == register.key;
            let header = if is_key {
                format!("{}＊", field.label)
            } else {
                field.label.clone()
            };
            let format = if is_key { &f.key_header } else { &f.header };
            sheet.write_string_with_format(0, c, escape::spreadsheet(&header), format)?;
            let width = unicode_width::UnicodeWidthStr::width(field.label.as_str()) as f64;
            sheet.set_column_width(c, (width + 4.0).clamp(10.0, 40.0))?;
            sheet.set_column_format(c, input_format(field, &f))?;
            if let Some(v) = validation(field) {
                sheet.add_data_validation(1, c, REGISTER_ROWS, c, &v)?;
            }
            if let Some(table) = table {
                if table.rows.is_empty() && c == 0 {
                    sheet.write_string_with_format(1, 0, NONE, &f.input)?;
                }
                for (r, row) in table.rows.iter().enumerate() {
                    if let Some(Some(value)) = row.get(c as usize) {
                        write_value(sheet, 1 + r as u32, c, field, value, &f)?;
                    }
                }
            }
        }
        sheet.set_row_height(0, 32)?;
        sheet.set_freeze_panes(1, 0)?;
    }
    evidence_sheet(book.add_worksheet(), pack, fill, &f)?;
    departments_sheet(book.add_worksheet(), pack, fill, &f)?;
    self_scores_sheet(book.add_worksheet(), pack, fill, &f)?;
    book.save_to_buffer()
}

fn headers(
    sheet: &mut Worksheet,
    names: &[&str],
    widths: &[f64],
    f: &Formats,
) -> Result<(), XlsxError> {
    for (c, (name, width)) in names.iter().zip(widths).enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &f.header)?;
        sheet.set_column_width(c as u16, *width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn header_sheet(
    sheet: &mut Worksheet,
    fill: Option<&Submission>,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(HEADER)?;
    headers(sheet, &HEADER_COLUMNS, &[16.0, 30.0, 50.0, 14.0], f)?;
    sheet.set_column_hidden(3)?;
    let notes = [
        "必填，如：清河县教育局",
        "6位行政区划代码，如 130526",
        "如：区县、地市、省",
        "必填，如 2024",
        "YYYY-MM-DD；可留空（整改时限将无法计算）",
    ];
    for (i, ((key, label), note)) in HEADER_ROWS.iter().zip(notes).enumerate() {
        let r = 1 + i as u32;
        sheet.write_string_with_format(r, 0, *label, &f.body)?;
        sheet.write_string_with_format(r, 2, note, &f.body)?;
        sheet.write_string_with_format(r, 3, *key, &f.body)?;
        let format = if *key == "assessed_on" {
            &f.date
        } else {
            &f.input
        };
        sheet.write_blank(r, 1, format)?;
        if let Some(s) = fill {
            let text = match *key {
                "name" => Some(s.bureau.name.clone()),
                "region_code" => s.bureau.region_code.clone(),
                "level" => s.bureau.level.clone(),
                _ => None,
            };
            if let Some(t) = text {
                sheet.write_string_with_format(r, 1, escape::spreadsheet(&t), &f.input)?;
            }
            if *key == "year" {
                sheet.write_number_with_format(r, 1, f64::from(s.year), &f.input)?;
            }
            if let ("assessed_on", Some(d)) = (*key, s.assessed_on) {
                let when = ExcelDateTime::from_ymd(
                    u16::try_from(d.year()).unwrap_or(1900),
                    d.month() as u8,
                    d.day() as u8,
                )?;
                sheet.write_datetime_with_format(r, 1, &when, &f.date)?;
            }
        }
        let v = match *key {
            "year" => Some(
                DataValidation::new()
                    .allow_whole_number(DataValidationRule::Between(1900, 2200))
                    .set_input_title(*label)?
                    .set_input_message("四位数年份，如 2024")?,
            ),
            "assessed_on" => {
                let from = ExcelDateTime::from_ymd(1900, 1, 1)?;
                let to = ExcelDateTime::from_ymd(2200, 12, 31)?;
                Some(
                    DataValidation::new()
                        .allow_date(DataValidationRule::Between(from, to))
                        .set_input_title(*label)?
                        .set_input_message("日期，YYYY-MM-DD")?,
                )
            }
            _ => None,
        };
        if let Some(v) = v {
            sheet.add_data_validation(r, 1, r, 1, &v)?;
        }
    }
    Ok(())
}

fn facts_sheet(
    sheet: &mut Worksheet,
    pack: &Pack,
    fill: Option<&Submission>,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(FACTS)?;
    headers(
        sheet,
        &FACT_COLUMNS,
        &[46.0, 18.0, 16.0, 30.0, 50.0, 14.0],
        f,
    )?;
    sheet.set_column_hidden(5)?;
    for (i, (name, field)) in pack.data.facts.iter().enumerate() {
        let r = 1 + i as u32;
        let label = if field.required {
            format!("{}（必报）", field.label)
        } else {
            field.label.clone()
        };
        let explained = explanation(pack, field);
        let values = field.values.join("、");
        let cells = [
            label.as_str(),
            "",
            kind(field),
            values.as_str(),
            explained.as_str(),
        ];
        sheet.set_row_height(
            r,
            super::rectify::row_height(&cells, &[46.0, 18.0, 16.0, 30.0, 50.0]),
        )?;
        sheet.write_string_with_format(r, 0, escape::spreadsheet(&label), &f.body)?;
        sheet.write_blank(r, 1, input_format(field, f))?;
        sheet.write_string_with_format(r, 2, kind(field), &f.body)?;
        sheet.write_string_with_format(r, 3, escape::spreadsheet(&values), &f.body)?;
        sheet.write_string_with_format(r, 4, escape::spreadsheet(&explained), &f.body)?;
        sheet.write_string_with_format(r, 5, escape::spreadsheet(name), &f.body)?;
        if let Some(v) = validation(field) {
            sheet.add_data_validation(r, 1, r, 1, &v)?;
        }
        if let Some(Some(value)) = fill.and_then(|s| s.facts.get(i)) {
            write_value(sheet, r, 1, field, value, f)?;
        }
    }
    Ok(())
}

fn evidence_sheet(
    sheet: &mut Worksheet,
    pack: &Pack,
    fill: Option<&Submission>,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(EVIDENCE)?;
    headers(sheet, &EVIDENCE_COLUMNS, &[40.0, 60.0, 30.0, 14.0], f)?;
    sheet.set_column_hidden(3)?;
    for (i, (name, kind)) in pack.data.evidence.iter().enumerate() {
        let r = 1 + i as u32;
        sheet.write_string_with_format(r, 0, escape::spreadsheet(&kind.label), &f.body)?;
        let docs = fill
            .and_then(|s| s.evidence.get(name))
            .map(|d| d.join("\n"))
            .unwrap_or_default();
        if docs.is_empty() {
            sheet.write_blank(r, 1, &f.input)?;
        } else {
            sheet.write_string_with_format(r, 1, escape::spreadsheet(&docs), &f.input)?;
        }
        let note = kind.description.clone().unwrap_or_default();
        sheet.write_string_with_format(r, 2, escape::spreadsheet(&note), &f.body)?;
        sheet.write_string_with_format(r, 3, escape::spreadsheet(name), &f.body)?;
        let texts = [kind.label.as_str(), docs.as_str(), note.as_str()];
        sheet.set_row_height(r, super::rectify::row_height(&texts, &[40.0, 60.0, 30.0]))?;
    }
    Ok(())
}

fn departments_sheet(
    sheet: &mut Worksheet,
    pack: &Pack,
    fill: Option<&Submission>,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(DEPARTMENTS)?;
    headers(sheet, &DEPARTMENT_COLUMNS, &[20.0, 20.0, 16.0], f)?;
    // The pack's departments first (the 责任单位 of its items), then the submission's others.
    let mut names: Vec<String> = Vec::new();
    for item in &pack.items {
        if let Some(r) = &item.rectify
            && !r.owner.is_empty()
            && !names.contains(&r.owner)
        {
            names.push(r.owner.clone());
        }
    }
    if let Some(s) = fill {
        for name in s.departments.keys() {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    let total = names.len() as u32 + EXTRA_DEPARTMENTS;
    for r in 0..total {
        let row = 1 + r;
        let name = names.get(r as usize);
        match name {
            Some(n) => sheet.write_string_with_format(row, 0, escape::spreadsheet(n), &f.body)?,
            None => sheet.write_blank(row, 0, &f.input)?,
        };
        let dept = name.and_then(|n| fill.and_then(|s| s.departments.get(n)));
        for (c, value) in [
            (1u16, dept.and_then(|d| d.unit.clone())),
            (2, dept.and_then(|d| d.person.clone())),
        ] {
            match value {
                Some(v) => {
                    sheet.write_string_with_format(row, c, escape::spreadsheet(&v), &f.input)?
                }
                None => sheet.write_blank(row, c, &f.input)?,
            };
        }
    }
    Ok(())
}

fn self_scores_sheet(
    sheet: &mut Worksheet,
    pack: &Pack,
    fill: Option<&Submission>,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(SELF_SCORES)?;
    headers(sheet, &SELF_SCORE_COLUMNS, &[12.0, 50.0, 8.0, 10.0], f)?;
    for (i, item) in pack.items.iter().enumerate() {
        let r = 1 + i as u32;
        sheet.write_string_with_format(r, 0, escape::spreadsheet(&item.id), &f.body)?;
        sheet.write_string_with_format(r, 1, escape::spreadsheet(&item.title), &f.body)?;
        sheet.write_number_with_format(r, 2, item.points, &f.body)?;
        match fill.and_then(|s| s.self_scores.get(&item.id)) {
            Some(score) => sheet.write_number_with_format(r, 3, *score, &f.input)?,
            None => sheet.write_blank(r, 3, &f.input)?,
        };
        let v = DataValidation::new()
            .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
            .set_input_title("自评分")?
            .set_input_message("本项自评得分；留空为未自评")?;
        sheet.add_data_validation(r, 3, r, 3, &v)?;
    }
    Ok(())
}

/// The template as a commented YAML submission: every fact with its label, every register
/// with an example row (commented out) naming its columns. Entries left empty are no value
/// (missing data); `kaohe assess` reads it once the bureau and year are filled in.
pub fn yaml(pack: &Pack) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# {}（{}）报送模板\n# 留空的项为未填报（缺数据），不会报错；是/否写 true / false，日期写 YYYY-MM-DD，百分比写 95%。\n\n",
        yaml_comment(&pack.meta.title),
        yaml_comment(&pack.meta.version)
    ));
    out.push_str("bureau:\n  name:          # 单位名称（必填）\n  region_code:   # 行政区划代码，如 \"130526\"\n  level:         # 层级，如 区县\n");
    out.push_str("year:            # 考核年度（必填），如 2024\nassessed_on:     # 考核日期 YYYY-MM-DD\n\nfacts:\n");
    for (name, field) in &pack.data.facts {
        let mut comment = format!("{}；{}", field.label, kind(field));
        if !field.values.is_empty() {
            comment.push_str(&format!("：{}", field.values.join("、")));
        }
        if field.required {
            comment.push_str("；必报");
        }
        if let Some(register) = &field.states {
            comment.push_str(&format!("；填报数，汇总台账 {register}"));
        }
        out.push_str(&format!("  {name}:   # {}\n", yaml_comment(&comment)));
    }
    out.push_str("\n# 台账：每行一条记录（去掉示例行前的 # 后填写），或写 CSV 文件名，如 schools: schools.csv\nregisters:\n");
    for (name, register) in &pack.data.registers {
        let mut comment = format!("{}台账", register.label);
        if register.required {
            comment.push_str("，必报");
        }
        comment.push_str(&format!("；关键列 {}", register.key));
        out.push_str(&format!("  {name}:   # {}\n", yaml_comment(&comment)));
        for (i, (col, field)) in register.columns.iter().enumerate() {
            let lead = if i == 0 { "#   - " } else { "#     " };
            let mut comment = format!("{}；{}", field.label, kind(field));
            if !field.values.is_empty() {
                comment.push_str(&format!("：{}", field.values.join("、")));
            }
            out.push_str(&format!("  {lead}{col}:   # {}\n", yaml_comment(&comment)));
        }
    }
    out.push_str(
        "\n# 佐证材料：文件名或链接，多个写成列表 [a.pdf, b.pdf]；留空为未提供\nevidence:\n",
    );
    for (name, kind) in &pack.data.evidence {
        out.push_str(&format!("  {name}:   # {}\n", yaml_comment(&kind.label)));
    }
    out.push_str("\n# 科室负责人（可选）：科室: 负责人，或 科室: {unit: 本单位名称, person: 负责人}\n# departments:\n#   政策法规科: 张三\n");
    out.push_str("\n# 自评分（可选）：考核项目编号: 分数\n# self_scores:\n");
    if let Some(item) = pack.items.first() {
        out.push_str(&format!(
            "#   {}: {}\n",
            item.id,
            crate::num::show(item.points)
        ));
    }
    out
}

/// Text for a YAML comment: one line.
fn yaml_comment(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}
