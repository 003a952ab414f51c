//! The JSON Schema of a submission to a pack, derived from its data dictionary
//! (`kaohe schema PACK`). It accepts what `kaohe assess` accepts, as far as a schema can say:
//! what it cannot (a date that does not exist is left to `format: date`; duplicate register
//! keys, a ratio's numerator above its denominator, an assessment date far from the year, the
//! content of CSV files) only kaohe checks.

use serde_json::{Map, Value, json};

use crate::pack::{Field, FieldType, Pack, PercentForm};

/// A percentage written with `%`, as `text::percent` reads it, from 0% to 100%.
pub const PERCENT_PATTERN: &str = r"^\s*0*(100(\.0+)?|[0-9]{1,2}(\.[0-9]+)?)\s*%\s*$";

/// A date written `YYYY-MM-DD`.
const DATE_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// Text with something in it: kaohe reads blank text as no value.
const NOT_BLANK: &str = r"\S";

/// A JSON Schema 2020-12 document for submissions to `pack`.
pub fn submission_schema(pack: &Pack) -> Value {
    // Only the bureau and the year are needed. A fact or register the dictionary marks
    // `required` may be absent (or `null`) like any other: it is missing data, which the
    // assessment lists (缺报清单), so the schema does not make anyone invent a value.
    let mut facts = Map::new();
    for (name, field) in &pack.data.facts {
        facts.insert(name.clone(), field_schema(field, true));
    }
    let mut registers = Map::new();
    for (name, register) in &pack.data.registers {
        let mut columns = Map::new();
        for (col, field) in &register.columns {
            columns.insert(col.clone(), field_schema(field, *col != register.key));
        }
        let row = json!({
            "type": "object",
            "properties": columns,
            "required": [register.key],
            "additionalProperties": false,
        });
        let forms = vec![
            json!({"type": "array", "items": row}),
            json!({"type": "string", "description": "Path of a CSV file whose header names every column: UTF-8, or GBK/GB18030 (detected)."}),
            json!({
                "type": "object",
                "description": "A CSV file in a declared encoding.",
                "properties": {
                    "file": {"type": "string", "description": "Path of the CSV file."},
                    "encoding": {"enum": ["utf-8", "utf8", "gbk", "gb18030", "gb2312", "cp936", "UTF-8", "GBK", "GB18030", "GB2312", "CP936"]}
                },
                "required": ["file"],
                "additionalProperties": false
            }),
            json!({"type": "null"}),
        ];
        registers.insert(
            name.clone(),
            json!({
                "title": register.label,
                "description": format!(
                    "Rows of {} (key: `{}`), or the path of a CSV file relative to the submission.{}",
                    register.label,
                    register.key,
                    if register.required { format!(" {REQUIRED_NOTE}") } else { String::new() }
                ),
                "oneOf": forms
            }),
        );
    }
    let mut evidence = Map::new();
    for (name, kind) in &pack.data.evidence {
        evidence.insert(
            name.clone(),
            json!({
                "title": kind.label,
                "description": "A document reference, or a list of them.",
                "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}, {"type": "null"}]
            }),
        );
    }
    let item_ids: Vec<&str> = pack.items.iter().map(|i| i.id.as_str()).collect();
    let required = ["bureau", "year"];
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": format!("{} 报送数据", pack.meta.title),
        "description": format!("A submission to rule pack `{}` {}: one bureau, one year.", pack.meta.id, pack.meta.version),
        "type": "object",
        "required": required,
        "additionalProperties": false,
        "properties": {
            "bureau": {
                "title": "单位",
                "type": "object",
                "required": ["name"],
                "additionalProperties": false,
                "properties": {
                    "name": {"title": "单位名称", "type": ["string", "integer"], "pattern": NOT_BLANK},
                    "region_code": {"title": "行政区划代码", "type": ["string", "integer"]},
                    "level": {"title": "层级", "type": ["string", "integer"]}
                }
            },
            "year": {"title": "考核年度", "type": "integer", "minimum": 1900, "maximum": 2200},
            "assessed_on": {
                "title": "考核日期",
                "description": "In the assessment year or the two years after it. Absent: rectification deadlines counted in days have no date.",
                "type": ["string", "null"], "format": "date", "pattern": DATE_PATTERN
            },
            "facts": {"title": "事实", "type": ["object", "null"], "properties": facts, "additionalProperties": false},
            "registers": {"title": "台账", "type": ["object", "null"], "properties": registers, "additionalProperties": false},
            "evidence": {"title": "佐证材料", "type": ["object", "null"], "properties": evidence, "additionalProperties": false},
            "departments": {
                "title": "科室负责人",
                "description": "Each department the pack names (责任单位): the person in charge (责任人), or a mapping with the bureau's own name for the department (`unit`) and/or the person (`person`).",
                "type": ["object", "null"],
                "additionalProperties": {
                    "oneOf": [
                        {"type": "string"},
                        {
                            "type": "object",
                            "additionalProperties": false,
                            "minProperties": 1,
                            "properties": {
                                "unit": {"title": "责任单位", "type": "string", "pattern": "\\S"},
                                "person": {"title": "责任人", "type": "string", "pattern": "\\S"}
                            }
                        }
                    ]
                }
            },
            "self_scores": {
                "title": "自评分",
                "type": ["object", "null"],
                "propertyNames": {"enum": item_ids},
                "additionalProperties": {"type": "number", "minimum": 0}
            }
        }
    })
}

/// The schema of a value of `field`; `null` (no value) only when `nullable`.
fn field_schema(field: &Field, nullable: bool) -> Value {
    let types = |names: &[&str]| {
        let mut names: Vec<&str> = names.to_vec();
        if nullable {
            names.push("null");
        }
        json!(names)
    };
    let mut schema = match field.ty {
        FieldType::Boolean => json!({"type": types(&["boolean"])}),
        FieldType::Integer => {
            let min = if field.signed { i64::MIN } else { 0 };
            json!({"type": types(&["integer"]), "minimum": min, "maximum": i64::MAX})
        }
        FieldType::Number if field.signed => json!({"type": types(&["number"])}),
        FieldType::Number => json!({"type": types(&["number"]), "minimum": 0}),
        FieldType::Percent => {
            let accepts = |f| field.accept.is_empty() || field.accept.contains(&f);
            let mut forms = Vec::new();
            if accepts(PercentForm::Percent) {
                forms.push(json!({"type": "string", "pattern": PERCENT_PATTERN}));
            }
            match (accepts(PercentForm::Fraction), accepts(PercentForm::Whole)) {
                (true, false) => forms.push(json!({"type": "number", "minimum": 0, "maximum": 1})),
                (_, true) => forms.push(json!({"type": "number", "minimum": 0, "maximum": 100})),
                (false, false) => {}
            }
            if nullable {
                forms.push(json!({"type": "null"}));
            }
            json!({"anyOf": forms})
        }
        FieldType::Date => {
            json!({"type": types(&["string"]), "format": "date", "pattern": DATE_PATTERN})
        }
        FieldType::String if nullable => json!({"type": types(&["string", "integer"])}),
        FieldType::String => json!({"type": ["string", "integer"], "pattern": NOT_BLANK}),
        FieldType::Enum => {
            let mut values: Vec<Value> = field
                .values
                .iter()
                .map(|v| Value::String(v.clone()))
                .collect();
            if nullable {
                values.push(Value::Null);
            }
            json!({"enum": values})
        }
        FieldType::List => json!({"type": types(&["array"]), "items": {"enum": field.values}}),
    };
    // Blank text is no value, as an empty CSV cell is.
    if nullable && field.ty != FieldType::String {
        schema = json!({"anyOf": [schema, {"type": "string", "pattern": r"^\s*$"}]});
    }
    if let Some(obj) = schema.as_object_mut() {
        obj.insert("title".into(), Value::String(field.label.clone()));
        let description = match (&field.description, field.required) {
            (Some(d), true) => Some(format!("{d} {REQUIRED_NOTE}")),
            (Some(d), false) => Some(d.clone()),
            (None, true) => Some(REQUIRED_NOTE.to_string()),
            (None, false) => None,
        };
        if let Some(d) = description {
            obj.insert("description".into(), Value::String(d));
        }
    }
    schema
}

/// What an editor shows of a fact or register the pack marks required: it may be left out,
/// but the assessment is then incomplete.
const REQUIRED_NOTE: &str = "必报：未报送时按缺数据考核，列入缺报清单，考核不完整。";
