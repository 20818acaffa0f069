//! How a row's values become cells. Rows are serde structs written by the `csv` crate; this adds
//! what the crate does not do: text neutralised against formula injection as it is written, numbers
//! as Rust writes them (`23`, not the crate's `23.0`) and left as they are, and id lists.

use std::borrow::Cow;
use std::fmt::Display;

use serde::ser::{Serialize, SerializeStruct, Serializer};

/// The newtype name of a number written as text (a decimal): a cell [`Cells`] leaves alone.
const NUMBER: &str = "ucap::export::csv::Number";

/// Writes an optional number (a decimal) as its digits, as a number column, never neutralised.
pub fn number<T: Display, S: Serializer>(value: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => s.serialize_newtype_struct(NUMBER, &v.to_string()),
        None => s.serialize_none(),
    }
}

/// Writes ids `;`-separated in one cell.
pub fn ids<S: Serializer>(ids: &[i64], s: S) -> Result<S::Ok, S::Error> {
    let cell: Vec<String> = ids.iter().map(i64::to_string).collect();
    s.serialize_str(&cell.join(";"))
}

/// A cell a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, tab or
/// carriage return), prefixed with `'` so that it is read as text, as OWASP's "CSV Injection"
/// page recommends. Numbers we write from numeric fields are exempt; any text, a person's
/// included, is not.
pub(super) fn neutralised(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A row as the `csv` crate is to write it: every text cell [`neutralised`], floats as Rust
/// writes them.
pub(super) struct Neutralised<'r, R>(pub &'r R);

impl<R: Serialize> Serialize for Neutralised<'_, R> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(Cells(s))
    }
}

/// A field's value, serialised through [`Cells`].
struct Cell<'v, T: ?Sized>(&'v T);

impl<T: Serialize + ?Sized> Serialize for Cell<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(Cells(s))
    }
}

/// The `csv` crate's serializer, with text neutralised and floats written as Rust writes them;
/// everything else passes through.
struct Cells<S>(S);

/// A row's fields, each through [`Cells`].
struct Fields<F>(F);

impl<F: SerializeStruct> SerializeStruct for Fields<F> {
    type Ok = F::Ok;
    type Error = F::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), F::Error> {
        self.0.serialize_field(key, &Cell(value))
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), F::Error> {
        self.0.skip_field(key)
    }

    fn end(self) -> Result<F::Ok, F::Error> {
        self.0.end()
    }
}

/// Methods of [`Cells`] that pass their arguments through unchanged.
macro_rules! pass {
    ($($method:ident($($arg:ident: $ty:ty),*) -> $out:ty;)*) => {
        $(fn $method(self, $($arg: $ty),*) -> Result<$out, S::Error> {
            self.0.$method($($arg),*)
        })*
    };
}

impl<S: Serializer> Serializer for Cells<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = S::SerializeSeq;
    type SerializeTuple = S::SerializeTuple;
    type SerializeTupleStruct = S::SerializeTupleStruct;
    type SerializeTupleVariant = S::SerializeTupleVariant;
    type SerializeMap = S::SerializeMap;
    type SerializeStruct = Fields<S::SerializeStruct>;
    type SerializeStructVariant = S::SerializeStructVariant;

    fn serialize_str(self, v: &str) -> Result<S::Ok, S::Error> {
        self.0.serialize_str(&neutralised(v))
    }

    fn serialize_char(self, v: char) -> Result<S::Ok, S::Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_f32(self, v: f32) -> Result<S::Ok, S::Error> {
        self.0.serialize_str(&v.to_string())
    }

    fn serialize_f64(self, v: f64) -> Result<S::Ok, S::Error> {
        self.0.serialize_str(&v.to_string())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(&Cell(value))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        if name == NUMBER {
            self.0.serialize_newtype_struct(name, value)
        } else {
            self.0.serialize_newtype_struct(name, &Cell(value))
        }
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.0.serialize_struct(name, len).map(Fields)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        (self.0).serialize_newtype_variant(name, index, variant, &Cell(value))
    }

    pass! {
        serialize_bool(v: bool) -> S::Ok;
        serialize_i8(v: i8) -> S::Ok;
        serialize_i16(v: i16) -> S::Ok;
        serialize_i32(v: i32) -> S::Ok;
        serialize_i64(v: i64) -> S::Ok;
        serialize_i128(v: i128) -> S::Ok;
        serialize_u8(v: u8) -> S::Ok;
        serialize_u16(v: u16) -> S::Ok;
        serialize_u32(v: u32) -> S::Ok;
        serialize_u64(v: u64) -> S::Ok;
        serialize_u128(v: u128) -> S::Ok;
        serialize_bytes(v: &[u8]) -> S::Ok;
        serialize_none() -> S::Ok;
        serialize_unit() -> S::Ok;
        serialize_unit_struct(name: &'static str) -> S::Ok;
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str) -> S::Ok;
        serialize_seq(len: Option<usize>) -> S::SerializeSeq;
        serialize_tuple(len: usize) -> S::SerializeTuple;
        serialize_tuple_struct(name: &'static str, len: usize) -> S::SerializeTupleStruct;
        serialize_tuple_variant(
            name: &'static str, index: u32, variant: &'static str, len: usize
        ) -> S::SerializeTupleVariant;
        serialize_map(len: Option<usize>) -> S::SerializeMap;
        serialize_struct_variant(
            name: &'static str, index: u32, variant: &'static str, len: usize
        ) -> S::SerializeStructVariant;
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}
