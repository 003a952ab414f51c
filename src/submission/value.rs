//! Submitted values: what a scalar in a submission becomes, given its dictionary field.

use std::fmt;

use jiff::civil::Date;

use crate::diag::did_you_mean;
use crate::pack::{Field, FieldType, PercentForm};
use crate::text::BarePercent;

/// A validated value. Percentages are fractions (95% is 0.95); enums are their text.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Number(f64),
    Date(Date),
    Text(String),
    List(Vec<String>),
}

impl Value {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Number(x) => Some(*x),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(true) => f.write_str("是"),
            Value::Bool(false) => f.write_str("否"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Number(x) => write!(f, "{}", crate::num::show(*x)),
            Value::Date(d) => write!(f, "{d}"),
            Value::Text(s) => f.write_str(s),
            Value::List(items) => f.write_str(&items.join("、")),
        }
    }
}

/// A scalar as the input wrote it, before the dictionary gives it a type.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// A list; elements that were not strings are `None`.
    List(Vec<Option<String>>),
    Map,
}

impl Raw {
    /// The value's kind and text, for messages: "string `三次`".
    pub fn describe(&self) -> String {
        match self {
            Raw::Null => "nothing".into(),
            Raw::Bool(b) => format!("boolean `{b}`"),
            Raw::Int(i) => format!("integer `{i}`"),
            Raw::Float(x) if x.fract() == 0.0 && x.abs() >= 9.2e18 => {
                format!("integer `{x}`, which is too large")
            }
            Raw::Float(x) => format!("number `{x}`"),
            Raw::Str(s) => format!("string `{s}`"),
            Raw::List(_) => "a list".into(),
            Raw::Map => "a mapping".into(),
        }
    }
}

/// Why a value does not fit its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub message: String,
    pub help: Option<String>,
    /// For a list, the index of the element at fault.
    pub element: Option<usize>,
}

impl Invalid {
    fn new(message: impl Into<String>) -> Self {
        Invalid {
            message: message.into(),
            help: None,
            element: None,
        }
    }
    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

fn expected(field: &Field, raw: &Raw) -> Invalid {
    Invalid::new(format!(
        "expected {} ({}), found {}",
        article(field.ty),
        field.label,
        raw.describe()
    ))
}

fn article(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Boolean => "a boolean",
        FieldType::Integer => "an integer",
        FieldType::Number => "a number",
        FieldType::Percent => "a percentage",
        FieldType::Date => "a date",
        FieldType::String => "a string",
        FieldType::Enum => "one of the listed values",
        FieldType::List => "a list",
    }
}

/// Converts a raw input value for `field`. `Ok(None)` is a value left empty.
pub fn convert(field: &Field, raw: Raw) -> Result<Option<Value>, Invalid> {
    let value = match (field.ty, raw) {
        (_, Raw::Null) => return Ok(None),
        // Blank text is no value, as an empty CSV cell is: a reason of "" is not a reason.
        (_, Raw::Str(s)) if s.trim().is_empty() => return Ok(None),
        (FieldType::Boolean, Raw::Bool(b)) => Value::Bool(b),
        (FieldType::Integer, Raw::Int(i)) => Value::Int(i),
        (FieldType::Integer, Raw::Float(x)) if x.fract() == 0.0 && x.abs() < 9e15 => {
            Value::Int(x as i64)
        }
        (FieldType::Number, Raw::Int(i)) => Value::Number(i as f64),
        (FieldType::Number, Raw::Float(x)) => Value::Number(x),
        (FieldType::Percent, raw @ (Raw::Int(_) | Raw::Float(_) | Raw::Str(_))) => {
            Value::Number(percent(field, &raw)?)
        }
        (FieldType::Date, Raw::Str(s)) => Value::Date(date(&s)?),
        (FieldType::String, Raw::Str(s)) => Value::Text(s),
        (FieldType::String, Raw::Int(i)) => Value::Text(i.to_string()),
        (FieldType::Enum, Raw::Str(s)) => Value::Text(enum_value(field, s)?),
        (FieldType::List, Raw::List(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let at = |mut e: Invalid| {
                    e.element = Some(i);
                    e
                };
                match item {
                    Some(s) => out.push(enum_value(field, s).map_err(at)?),
                    None => return Err(at(Invalid::new("list elements must be strings"))),
                }
            }
            Value::List(out)
        }
        (_, raw) => return Err(expected(field, &raw)),
    };
    if !field.signed && value.as_f64().is_some_and(|x| x < 0.0) {
        return Err(Invalid::new(format!(
            "`{value}` is negative; {} cannot be less than 0",
            field.label
        )));
    }
    Ok(Some(value))
}

/// Converts one CSV cell: empty is no value; the text is read as the field's type says.
pub fn convert_csv_cell(field: &Field, cell: &str) -> Result<Option<Value>, Invalid> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok(None);
    }
    let raw = match field.ty {
        FieldType::Boolean => match cell {
            "true" | "TRUE" | "True" | "是" => Raw::Bool(true),
            "false" | "FALSE" | "False" | "否" => Raw::Bool(false),
            other => {
                return Err(Invalid::new(format!(
                    "expected a boolean ({}), found `{other}`",
                    field.label
                ))
                .help("write `是` or `否` (or `true` / `false`)"));
            }
        },
        FieldType::Integer => match cell.parse::<i64>() {
            Ok(i) => Raw::Int(i),
            Err(_) => {
                return Err(Invalid::new(format!(
                    "expected an integer ({}), found `{cell}`",
                    field.label
                )));
            }
        },
        FieldType::Number => match cell.parse::<f64>() {
            Ok(x) if x.is_finite() => Raw::Float(x),
            _ => {
                return Err(Invalid::new(format!(
                    "expected a number ({}), found `{cell}`",
                    field.label
                )));
            }
        },
        FieldType::Percent => match cell.parse::<f64>() {
            Ok(x) if x.is_finite() => Raw::Float(x),
            _ => Raw::Str(cell.to_string()),
        },
        FieldType::List => Raw::List(
            cell.split(['、', ';', '；'])
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(|s| Some(s.to_string()))
                .collect(),
        ),
        FieldType::Date | FieldType::String | FieldType::Enum => Raw::Str(cell.to_string()),
    };
    convert(field, raw)
}

fn date(text: &str) -> Result<Date, Invalid> {
    crate::text::parse_date(text).ok_or_else(|| {
        let shape = text.len() == 10
            && text.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if shape {
            Invalid::new(format!("`{text}` is not a date that exists"))
        } else {
            Invalid::new(format!("`{text}` is not a date")).help("write dates as `YYYY-MM-DD`")
        }
    })
}

fn enum_value(field: &Field, text: String) -> Result<String, Invalid> {
    if field.values.contains(&text) {
        return Ok(text);
    }
    let invalid = Invalid::new(format!("`{text}` is not a value of {}", field.label));
    Err(
        match did_you_mean(&text, field.values.iter().map(String::as_str)) {
            Some(s) => invalid.help(format!("did you mean `{s}`?")),
            None => invalid.help(format!("allowed: {}", field.values.join(", "))),
        },
    )
}

/// A percentage in one of the forms the field accepts (all three when it names none):
/// `95%` (percent), `0.95` (fraction), `95` (whole). With both number forms allowed, a
/// number up to 1 is a fraction and a larger one a whole percentage.
fn percent(field: &Field, raw: &Raw) -> Result<f64, Invalid> {
    let accepts = |form| field.accept.is_empty() || field.accept.contains(&form);
    let forms_help = || {
        let forms: Vec<&str> = [
            (PercentForm::Percent, "`95%`"),
            (PercentForm::Fraction, "`0.95`"),
            (PercentForm::Whole, "`95`"),
        ]
        .iter()
        .filter(|(f, _)| accepts(*f))
        .map(|(_, s)| *s)
        .collect();
        format!("{} accepts {}", field.label, forms.join(" or "))
    };
    let fraction = match raw {
        Raw::Str(s) => {
            if !s.trim().ends_with('%') {
                return Err(Invalid::new(format!("`{s}` is not a percentage")).help(forms_help()));
            }
            if !accepts(PercentForm::Percent) {
                return Err(Invalid::new(format!(
                    "`{s}` is written with `%`, which {} does not accept",
                    field.label
                ))
                .help(forms_help()));
            }
            match crate::text::percent(s) {
                Some(x) => x,
                None => {
                    return Err(
                        Invalid::new(format!("`{s}` is not a percentage")).help(forms_help())
                    );
                }
            }
        }
        Raw::Int(_) | Raw::Float(_) => {
            let x = match raw {
                Raw::Int(i) => *i as f64,
                Raw::Float(x) => *x,
                _ => 0.0,
            };
            let fraction = accepts(PercentForm::Fraction);
            match crate::text::bare_percent(x, fraction, accepts(PercentForm::Whole)) {
                Ok(x) => x,
                Err(BarePercent::AboveOne) => {
                    return Err(Invalid::new(format!(
                        "`{x}` is more than 1; {} takes a bare number as a fraction (0–1)",
                        field.label
                    ))
                    .help(forms_help()));
                }
                Err(BarePercent::NotAccepted) => {
                    return Err(Invalid::new(format!(
                        "`{x}` is a bare number, but {} is written with `%`",
                        field.label
                    ))
                    .help(forms_help()));
                }
            }
        }
        other => return Err(expected(field, other)),
    };
    if !(0.0..=1.0 + 1e-9).contains(&fraction) {
        return Err(Invalid::new(format!(
            "{} is {}, outside 0%–100%",
            field.label,
            crate::num::percent(fraction)
        )));
    }
    Ok(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(ty: FieldType, accept: &[PercentForm]) -> Field {
        Field {
            ty,
            label: "比率".into(),
            required: false,
            values: vec!["小学".into(), "初中".into()],
            accept: accept.to_vec(),
            signed: false,
            states: None,
            description: None,
        }
    }

    #[test]
    fn percent_forms() {
        let all = field(FieldType::Percent, &[]);
        assert_eq!(
            convert(&all, Raw::Str("95%".into())),
            Ok(Some(Value::Number(0.95)))
        );
        assert_eq!(
            convert(&all, Raw::Float(0.95)),
            Ok(Some(Value::Number(0.95)))
        );
        assert_eq!(convert(&all, Raw::Int(95)), Ok(Some(Value::Number(0.95))));
        let only_pct = field(FieldType::Percent, &[PercentForm::Percent]);
        assert!(convert(&only_pct, Raw::Float(0.95)).is_err());
        let only_fraction = field(FieldType::Percent, &[PercentForm::Fraction]);
        assert!(convert(&only_fraction, Raw::Int(95)).is_err());
        assert!(convert(&all, Raw::Str("120%".into())).is_err());
    }

    #[test]
    fn counts_and_amounts_are_not_negative_unless_signed() {
        let mut count = field(FieldType::Integer, &[]);
        let err = convert(&count, Raw::Int(-3)).unwrap_err();
        assert_eq!(err.message, "`-3` is negative; 比率 cannot be less than 0");
        assert!(convert_csv_cell(&count, "-1").is_err());
        count.signed = true;
        assert_eq!(convert(&count, Raw::Int(-3)), Ok(Some(Value::Int(-3))));
        let amount = field(FieldType::Number, &[]);
        assert!(convert(&amount, Raw::Float(-0.5)).is_err());
        assert!(convert(&amount, Raw::Int(0)).is_ok());
    }

    #[test]
    fn enum_suggests_simplified() {
        let e = field(FieldType::Enum, &[]);
        let err = convert(&e, Raw::Str("小學".into())).unwrap_err();
        assert_eq!(err.help.as_deref(), Some("did you mean `小学`?"));
    }

    #[test]
    fn dates_must_exist() {
        let d = field(FieldType::Date, &[]);
        assert!(
            convert(&d, Raw::Str("2023-02-29".into()))
                .unwrap_err()
                .message
                .contains("not a date that exists")
        );
        assert!(convert(&d, Raw::Str("2024-02-29".into())).is_ok());
    }
}
