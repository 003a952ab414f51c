//! The JSON Schema of a submission to a pack, derived from its data dictionary
//! (`kaohe schema PACK`).

use serde_json::{Map, Value, json};

use crate::pack::{Field, FieldType, Pack, PercentForm};

/// A JSON Schema 2020-12 document for submissions to `pack`.
pub fn submission_schema(pack: &Pack) -> Value {
    let mut facts = Map::new();
    let mut required_facts = Vec::new();
    for (name, field) in &pack.data.facts {
        facts.insert(name.clone(), field_schema(field));
        if field.required {
            required_facts.push(Value::String(name.clone()));
        }
    }
    let mut registers = Map::new();
    let mut required_registers = Vec::new();
    for (name, register) in &pack.data.registers {
        let mut columns = Map::new();
        for (col, field) in &register.columns {
            columns.insert(col.clone(), field_schema(field));
        }
        let row = json!({
            "type": "object",
            "properties": columns,
            "required": [register.key],
            "additionalProperties": false,
        });
        registers.insert(
            name.clone(),
            json!({
                "title": register.label,
                "description": format!("Rows of {} (key: `{}`), or the path of a CSV file relative to the submission.", register.label, register.key),
                "oneOf": [
                    {"type": "array", "items": row},
                    {"type": "string", "description": "Path of a UTF-8 CSV file whose header names every column."}
                ]
            }),
        );
        if register.required {
            required_registers.push(Value::String(name.clone()));
        }
    }
    let mut evidence = Map::new();
    for (name, kind) in &pack.data.evidence {
        evidence.insert(
            name.clone(),
            json!({
                "title": kind.label,
                "description": "A document reference, or a list of them.",
                "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
            }),
        );
    }
    let item_ids: Vec<&str> = pack.items.iter().map(|i| i.id.as_str()).collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": format!("{} 报送数据", pack.meta.title),
        "description": format!("A submission to rule pack `{}` {}: one bureau, one year.", pack.meta.id, pack.meta.version),
        "type": "object",
        "required": ["bureau", "year", "assessed_on"],
        "additionalProperties": false,
        "properties": {
            "bureau": {
                "title": "单位",
                "type": "object",
                "required": ["name"],
                "additionalProperties": false,
                "properties": {
                    "name": {"title": "单位名称", "type": "string", "minLength": 1},
                    "region_code": {"title": "行政区划代码", "type": ["string", "integer"]},
                    "level": {"title": "层级", "type": "string"}
                }
            },
            "year": {"title": "考核年度", "type": "integer", "minimum": 1900, "maximum": 2200},
            "assessed_on": {"title": "考核日期", "type": "string", "format": "date"},
            "facts": {"title": "事实", "type": "object", "properties": facts, "required": required_facts, "additionalProperties": false},
            "registers": {"title": "台账", "type": "object", "properties": registers, "required": required_registers, "additionalProperties": false},
            "evidence": {"title": "佐证材料", "type": "object", "properties": evidence, "additionalProperties": false},
            "departments": {"title": "科室负责人", "type": "object", "additionalProperties": {"type": "string"}},
            "self_scores": {
                "title": "自评分",
                "type": "object",
                "propertyNames": {"enum": item_ids},
                "additionalProperties": {"type": "number", "minimum": 0}
            }
        }
    })
}

fn field_schema(field: &Field) -> Value {
    let mut schema = match field.ty {
        FieldType::Boolean => json!({"type": ["boolean", "null"]}),
        FieldType::Integer if field.signed => json!({"type": ["integer", "null"]}),
        FieldType::Integer => json!({"type": ["integer", "null"], "minimum": 0}),
        FieldType::Number if field.signed => json!({"type": ["number", "null"]}),
        FieldType::Number => json!({"type": ["number", "null"], "minimum": 0}),
        FieldType::Percent => {
            let accepts = |f| field.accept.is_empty() || field.accept.contains(&f);
            let mut forms = Vec::new();
            if accepts(PercentForm::Percent) {
                forms.push(json!({"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?%$"}));
            }
            match (accepts(PercentForm::Fraction), accepts(PercentForm::Whole)) {
                (true, true) => forms.push(json!({"type": "number", "minimum": 0, "maximum": 100})),
                (true, false) => forms.push(json!({"type": "number", "minimum": 0, "maximum": 1})),
                (false, true) => {
                    forms.push(json!({"type": "number", "minimum": 0, "maximum": 100}))
                }
                (false, false) => {}
            }
            forms.push(json!({"type": "null"}));
            json!({"anyOf": forms})
        }
        FieldType::Date => json!({"type": ["string", "null"], "format": "date"}),
        FieldType::String => json!({"type": ["string", "integer", "null"]}),
        FieldType::Enum => {
            let mut values: Vec<Value> = field
                .values
                .iter()
                .map(|v| Value::String(v.clone()))
                .collect();
            values.push(Value::Null);
            json!({"enum": values})
        }
        FieldType::List => json!({"type": ["array", "null"], "items": {"enum": field.values}}),
    };
    if let Some(obj) = schema.as_object_mut() {
        obj.insert("title".into(), Value::String(field.label.clone()));
        if let Some(d) = &field.description {
            obj.insert("description".into(), Value::String(d.clone()));
        }
    }
    schema
}
