//! A minimal reader for the bundled tab-separated code lists: a header line naming the columns, one
//! record a line, no quoting. Errors name the file and the line so a bad data file is quick to fix.

use sea_orm_migration::prelude::DbErr;
use std::collections::HashMap;

pub(crate) struct Tsv<'a> {
    file: &'static str,
    columns: HashMap<&'a str, usize>,
    records: Vec<Record<'a>>,
}

pub(crate) struct Record<'a> {
    /// 1-based line number in the file, for error messages.
    pub(crate) line: usize,
    fields: Vec<&'a str>,
}

impl<'a> Tsv<'a> {
    /// Parses `text`, requiring that the header names every column in `required`. Blank lines are
    /// skipped; a record with a different number of fields than the header is an error.
    pub(crate) fn parse(
        file: &'static str,
        text: &'a str,
        required: &[&str],
    ) -> Result<Self, DbErr> {
        let mut lines = text.lines().enumerate();
        let header = lines
            .next()
            .map(|(_, header)| header.trim_end_matches('\r'))
            .ok_or_else(|| DbErr::Custom(format!("{file}: empty file, expected a header line")))?;
        let columns: HashMap<&str, usize> = header
            .split('\t')
            .enumerate()
            .map(|(i, name)| (name.trim(), i))
            .collect();
        if let Some(missing) = required.iter().find(|name| !columns.contains_key(*name)) {
            return Err(DbErr::Custom(format!(
                "{file} line 1: header lacks the column `{missing}`"
            )));
        }
        let width = header.split('\t').count();
        let mut records = Vec::new();
        for (index, line) in lines {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            if fields.len() != width {
                return Err(DbErr::Custom(format!(
                    "{file} line {}: {} fields, the header has {width}",
                    index + 1,
                    fields.len()
                )));
            }
            records.push(Record {
                line: index + 1,
                fields,
            });
        }
        Ok(Self {
            file,
            columns,
            records,
        })
    }

    pub(crate) fn records(&self) -> &[Record<'a>] {
        &self.records
    }

    /// The trimmed field `column` of `record`; empty when the field is empty.
    pub(crate) fn get(&self, record: &Record<'a>, column: &str) -> &'a str {
        self.columns
            .get(column)
            .and_then(|&i| record.fields.get(i))
            .map_or("", |field| field.trim())
    }

    /// Like [`Tsv::get`], but an empty field is an error.
    pub(crate) fn require(&self, record: &Record<'a>, column: &str) -> Result<&'a str, DbErr> {
        match self.get(record, column) {
            "" => Err(self.error(record, &format!("empty `{column}`"))),
            value => Ok(value),
        }
    }

    /// `None` for an empty field.
    pub(crate) fn optional(&self, record: &Record<'a>, column: &str) -> Option<&'a str> {
        Some(self.get(record, column)).filter(|value| !value.is_empty())
    }

    /// Parses a required field, e.g. a number.
    pub(crate) fn parse_field<T: std::str::FromStr>(
        &self,
        record: &Record<'a>,
        column: &str,
    ) -> Result<T, DbErr> {
        let value = self.require(record, column)?;
        value.parse().map_err(|_| {
            self.error(
                record,
                &format!("`{column}` is not a valid value: {value:?}"),
            )
        })
    }

    pub(crate) fn error(&self, record: &Record<'a>, message: &str) -> DbErr {
        DbErr::Custom(format!("{} line {}: {message}", self.file, record.line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_found_by_header_name_and_empty_ones_are_none() -> Result<(), DbErr> {
        let tsv = Tsv::parse("t.tsv", "b\ta\n2\t\n\n3\tx\r\n", &["a", "b"])?;
        let [first, second] = tsv.records() else {
            panic!("two records expected, blank line skipped");
        };
        assert_eq!((tsv.get(first, "b"), tsv.optional(first, "a")), ("2", None));
        assert_eq!(tsv.parse_field::<i16>(second, "b")?, 3);
        assert_eq!(tsv.optional(second, "a"), Some("x"));
        assert_eq!(second.line, 4);
        Ok(())
    }

    #[test]
    fn errors_name_the_file_and_the_line() {
        let missing = Tsv::parse("t.tsv", "a\n1\n", &["a", "b"]).err();
        assert!(
            matches!(missing, Some(DbErr::Custom(m)) if m == "t.tsv line 1: header lacks the column `b`")
        );
        let ragged = Tsv::parse("t.tsv", "a\tb\n1\n", &["a"]).err();
        assert!(matches!(ragged, Some(DbErr::Custom(m)) if m.starts_with("t.tsv line 2")));
        let bad = Tsv::parse("t.tsv", "a\nx\n", &["a"]).and_then(|tsv| {
            let record = tsv
                .records()
                .first()
                .ok_or(DbErr::Custom("no record".into()))?;
            tsv.parse_field::<i16>(record, "a")
        });
        assert!(matches!(bad, Err(DbErr::Custom(m)) if m.starts_with("t.tsv line 2")));
    }
}
