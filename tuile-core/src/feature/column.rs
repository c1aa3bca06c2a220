//! A column of a feature source: its name and its FlatGeobuf type, and
//! the few kinds of value schemas and filters tell apart.

use flatgeobuf::ColumnType;

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
}

/// What a column holds, as schemas and filters see it: FlatGeobuf's many
/// integer and float widths fold into the few types of JSON and XML Schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Boolean,
    Integer,
    Number,
    Text,
}

impl ValueKind {
    /// The XML Schema type of such values (without the `xs:` prefix), as
    /// the GML feature schema and the catalogue records give it.
    pub fn xsd_type(self) -> &'static str {
        match self {
            ValueKind::Boolean => "boolean",
            ValueKind::Integer => "long",
            ValueKind::Number => "double",
            ValueKind::Text => "string",
        }
    }
}

impl Column {
    pub fn kind(&self) -> ValueKind {
        use ColumnType as T;
        match self.ty {
            T::Bool => ValueKind::Boolean,
            T::Byte | T::UByte | T::Short | T::UShort | T::Int | T::UInt | T::Long | T::ULong => ValueKind::Integer,
            T::Float | T::Double => ValueKind::Number,
            _ => ValueKind::Text,
        }
    }
}
