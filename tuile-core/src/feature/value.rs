//! Property values: borrowed from a feature's buffer while it is read,
//! or owned once copied out of it.

use serde::Serialize;

/// A property value borrowed from a feature buffer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(&'a str),
    Binary(&'a [u8]),
}

impl Value<'_> {
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Int(i) => Some(i as f64),
            Value::UInt(u) => Some(u as f64),
            Value::Float(f) => Some(f),
            Value::Bool(b) => Some(b as u8 as f64),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// The value as text, as it would be written in a filter or a table.
    pub fn to_text(&self) -> Option<String> {
        match *self {
            Value::Null | Value::Binary(_) => None,
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::UInt(u) => Some(u.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Str(s) => Some(s.to_string()),
        }
    }
}

/// A property value copied out of a feature.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum OwnedValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl From<Value<'_>> for OwnedValue {
    fn from(v: Value<'_>) -> Self {
        match v {
            Value::Null | Value::Binary(_) => OwnedValue::Null,
            Value::Bool(b) => OwnedValue::Bool(b),
            Value::Int(i) => OwnedValue::Int(i),
            Value::UInt(u) => i64::try_from(u).map_or(OwnedValue::Float(u as f64), OwnedValue::Int),
            Value::Float(f) => OwnedValue::Float(f),
            Value::Str(s) => OwnedValue::Text(s.to_string()),
        }
    }
}

impl OwnedValue {
    /// The value borrowed again, for the writers that take one.
    pub fn as_value(&self) -> Value<'_> {
        match self {
            OwnedValue::Null => Value::Null,
            OwnedValue::Bool(b) => Value::Bool(*b),
            OwnedValue::Int(i) => Value::Int(*i),
            OwnedValue::Float(f) => Value::Float(*f),
            OwnedValue::Text(s) => Value::Str(s),
        }
    }
}

impl std::fmt::Display for OwnedValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OwnedValue::Null => Ok(()),
            OwnedValue::Bool(b) => write!(f, "{b}"),
            OwnedValue::Int(i) => write!(f, "{i}"),
            OwnedValue::Float(v) => write!(f, "{v}"),
            OwnedValue::Text(s) => f.write_str(s),
        }
    }
}
