//! The three importable tables, their columns, and per-value validation.
//!
//! Validation mirrors what PostgreSQL would reject (or what would only fail at
//! commit with no line number), so that bad input is reported with its place
//! in the file instead.

use std::borrow::Cow;

use chrono::NaiveDate;

use super::ImportError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Table {
    Ports,
    Regions,
    Prices,
}

/// What a column accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Non-null, non-empty text.
    Text,
    /// Nullable text; when present it must not be empty (a parent slug).
    OptionalText,
    /// An ISO date, `YYYY-MM-DD`.
    Date,
    /// A non-negative PostgreSQL `integer`.
    Price,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Column {
    pub name: &'static str,
    pub kind: Kind,
}

const fn col(name: &'static str, kind: Kind) -> Column {
    Column { name, kind }
}

const PORTS: &[Column] = &[
    col("code", Kind::Text),
    col("name", Kind::Text),
    col("parent_slug", Kind::Text),
];
const REGIONS: &[Column] = &[
    col("slug", Kind::Text),
    col("name", Kind::Text),
    col("parent_slug", Kind::OptionalText),
];
const PRICES: &[Column] = &[
    col("orig_code", Kind::Text),
    col("dest_code", Kind::Text),
    col("day", Kind::Date),
    col("price", Kind::Price),
];

impl Table {
    pub const ALL: [Table; 3] = [Table::Ports, Table::Regions, Table::Prices];

    pub fn name(self) -> &'static str {
        match self {
            Table::Ports => "ports",
            Table::Regions => "regions",
            Table::Prices => "prices",
        }
    }

    pub fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Columns in the table's declared order.
    /// The column called `name`, if the table has one.
    pub fn column(self, name: &str) -> Option<&'static Column> {
        self.columns().iter().find(|c| c.name == name)
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Table::Ports => PORTS,
            Table::Regions => REGIONS,
            Table::Prices => PRICES,
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// Static SQL, so it needs no `AssertSqlSafe`.
    pub fn delete_sql(self) -> &'static str {
        match self {
            Table::Ports => "DELETE FROM ports",
            Table::Regions => "DELETE FROM regions",
            Table::Prices => "DELETE FROM prices",
        }
    }

    fn column_list(self) -> String {
        let names: Vec<_> = self.columns().iter().map(|c| c.name).collect();
        names.join(",")
    }
}

/// A table plus the order in which an input supplies its columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    pub table: Table,
    pub columns: Vec<&'static Column>,
}

impl Layout {
    /// All columns in declared order.
    pub fn full(table: Table) -> Layout {
        Layout {
            table,
            columns: table.columns().iter().collect(),
        }
    }

    /// The columns named, which must be exactly the table's columns in any order.
    pub fn from_names<S: AsRef<str>>(table: Table, names: &[S]) -> Result<Layout, String> {
        let mut columns = Vec::with_capacity(names.len());
        for name in names {
            let name = name.as_ref();
            let column = table
                .column(name)
                .ok_or_else(|| format!("table {} has no column \"{name}\"", table.name()))?;
            if columns.contains(&column) {
                return Err(format!("column \"{name}\" is listed twice"));
            }
            columns.push(column);
        }
        if columns.len() != table.columns().len() {
            return Err(format!(
                "all columns of {} must be given ({}), got {}",
                table.name(),
                table.column_list(),
                names
                    .iter()
                    .map(AsRef::as_ref)
                    .collect::<Vec<_>>()
                    .join(",")
            ));
        }
        Ok(Layout { table, columns })
    }

    /// The table whose column set a CSV header names.
    pub fn from_header<S: AsRef<str>>(names: &[S]) -> Result<Layout, String> {
        let normalized: Vec<String> = names
            .iter()
            .map(|n| n.as_ref().trim().to_ascii_lowercase())
            .collect();
        Table::ALL
            .into_iter()
            .find_map(|table| Layout::from_names(table, &normalized).ok())
            .ok_or_else(|| {
                format!(
                    "header \"{}\" names no known table; expected the columns of ports ({}), \
                     regions ({}) or prices ({}) in any order",
                    normalized.join(","),
                    Table::Ports.column_list(),
                    Table::Regions.column_list(),
                    Table::Prices.column_list(),
                )
            })
    }

    /// `COPY` statement for this layout; built only from static names.
    pub fn copy_sql(&self) -> String {
        let names: Vec<_> = self.columns.iter().map(|c| c.name).collect();
        format!(
            "COPY {} ({}) FROM STDIN",
            self.table.name(),
            names.join(", ")
        )
    }
}

/// Checks one decoded value (`None` is SQL NULL) against its column.
pub(crate) fn check_value(column: &Column, value: Option<&str>) -> Result<(), String> {
    let Some(value) = value else {
        return match column.kind {
            Kind::OptionalText => Ok(()),
            _ => Err("must not be null".to_owned()),
        };
    };
    match column.kind {
        Kind::Text | Kind::OptionalText if value.is_empty() => Err("must not be empty".to_owned()),
        Kind::Text | Kind::OptionalText => Ok(()),
        Kind::Date => parse_date(value).map(|_| ()),
        Kind::Price => parse_price(value).map(|_| ()),
    }
}

/// Strict `YYYY-MM-DD`: PostgreSQL accepts many spellings, but a data file
/// with anything else is more likely broken than creative.
pub(crate) fn parse_date(value: &str) -> Result<NaiveDate, String> {
    let malformed = || format!("\"{value}\" is not a date (expected YYYY-MM-DD)");
    let bytes = value.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return Err(malformed());
    }
    let number =
        |range: std::ops::Range<usize>| value[range].parse::<u32>().map_err(|_| malformed());
    let year = i32::try_from(number(0..4)?).map_err(|_| malformed())?;
    let (month, day) = (number(5..7)?, number(8..10)?);
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| format!("\"{value}\" is not a valid date"))
}

pub(crate) fn parse_price(value: &str) -> Result<i32, String> {
    let digits = value.strip_prefix('+').unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("\"{value}\" is not a non-negative integer"));
    }
    digits
        .parse::<i32>()
        .map_err(|_| format!("{value} is out of range (0 to {})", i32::MAX))
}

/// Decodes one field of `COPY` text format; `None` is `\N` (NULL).
pub(crate) fn decode_copy_field(field: &str) -> Result<Option<Cow<'_, str>>, String> {
    if field == r"\N" {
        return Ok(None);
    }
    if !field.contains('\\') {
        return Ok(Some(Cow::Borrowed(field)));
    }
    let bytes = unescape(field.as_bytes());
    String::from_utf8(bytes)
        .map(|s| Some(Cow::Owned(s)))
        .map_err(|_| "escape sequences decode to invalid UTF-8".to_owned())
}

/// Backslash sequences of `COPY` text format (see the PostgreSQL `COPY` docs).
fn unescape(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let byte = input[i];
        i += 1;
        if byte != b'\\' || i == input.len() {
            out.push(byte);
            continue;
        }
        let escaped = input[i];
        i += 1;
        let simple = match escaped {
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'v' => Some(0x0b),
            _ => None,
        };
        if let Some(decoded) = simple {
            out.push(decoded);
        } else if (b'0'..=b'7').contains(&escaped) {
            let (value, used) = digits_value(&input[i - 1..], 8, 3);
            out.push(value);
            i += used - 1;
        } else if escaped == b'x' && input.get(i).is_some_and(u8::is_ascii_hexdigit) {
            let (value, used) = digits_value(&input[i..], 16, 2);
            out.push(value);
            i += used;
        } else {
            // Any other escaped character stands for itself.
            out.push(escaped);
        }
    }
    out
}

/// Value of up to `max` leading digits in `radix` (truncated to a byte, as
/// PostgreSQL does), and how many digits were used.
fn digits_value(input: &[u8], radix: u32, max: usize) -> (u8, usize) {
    let mut value: u32 = 0;
    let mut used = 0;
    for &b in input.iter().take(max) {
        match char::from(b).to_digit(radix) {
            Some(d) => value = value * radix + d,
            None => break,
        }
        used += 1;
    }
    ((value & 0xff) as u8, used)
}

/// Appends `value` to `out` escaped for `COPY` text format.
pub(crate) fn encode_copy_field(value: Option<&str>, out: &mut Vec<u8>) {
    let Some(value) = value else {
        out.extend_from_slice(br"\N");
        return;
    };
    for &b in value.as_bytes() {
        match b {
            b'\\' => out.extend_from_slice(br"\\"),
            b'\t' => out.extend_from_slice(br"\t"),
            b'\n' => out.extend_from_slice(br"\n"),
            b'\r' => out.extend_from_slice(br"\r"),
            _ => out.push(b),
        }
    }
}

/// A row error before the file and line are known.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RowError {
    Encoding,
    ColumnCount {
        expected: usize,
        found: usize,
    },
    Value {
        column: &'static str,
        reason: String,
    },
}

impl RowError {
    pub fn at(self, file: &std::path::Path, line: u64) -> ImportError {
        let file = file.to_owned();
        match self {
            RowError::Encoding => ImportError::Format {
                file,
                line,
                reason: "line is not valid UTF-8".into(),
            },
            RowError::ColumnCount { expected, found } => ImportError::ColumnCount {
                file,
                line,
                expected,
                found,
            },
            RowError::Value { column, reason } => ImportError::Value {
                file,
                line,
                column,
                reason,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(table: Table, name: &str) -> &'static Column {
        table.column(name).expect("test column exists")
    }

    #[test]
    fn dates_must_exist_and_be_iso() {
        assert_eq!(
            parse_date("2021-01-31"),
            Ok(NaiveDate::from_ymd_opt(2021, 1, 31).expect("valid"))
        );
        assert!(parse_date("2024-02-29").is_ok());
        let nonexistent = parse_date("2021-02-30").expect_err("no such day");
        assert!(nonexistent.contains("not a valid date"), "{nonexistent}");
        for bad in [
            "2021-1-31",
            "31/01/2021",
            "2021-01-31x",
            "",
            "2021-00-10",
            "+021-01-01",
        ] {
            assert!(parse_date(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn prices_are_non_negative_i32() {
        assert_eq!(parse_price("1722"), Ok(1722));
        assert_eq!(parse_price("0"), Ok(0));
        assert_eq!(parse_price("2147483647"), Ok(i32::MAX));
        let too_big = parse_price("2147483648").expect_err("overflow");
        assert!(too_big.contains("out of range"), "{too_big}");
        for bad in ["-5", "12.5", "", "1e3", " 7", "abc", "+"] {
            assert!(parse_price(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn check_value_enforces_nulls_and_empties() {
        let code = column(Table::Ports, "code");
        let parent = column(Table::Regions, "parent_slug");
        assert!(check_value(code, Some("CNSHA")).is_ok());
        assert_eq!(check_value(code, None), Err("must not be null".into()));
        assert_eq!(check_value(code, Some("")), Err("must not be empty".into()));
        assert!(check_value(parent, None).is_ok());
        assert!(check_value(parent, Some("")).is_err());
        assert!(check_value(column(Table::Prices, "day"), Some("2021-02-30")).is_err());
    }

    #[test]
    fn copy_fields_round_trip() {
        for original in [
            "plain",
            "tab\there",
            "new\nline\r",
            r"back\slash",
            "Måløy",
            r"\N",
        ] {
            let mut encoded = Vec::new();
            encode_copy_field(Some(original), &mut encoded);
            let encoded = String::from_utf8(encoded).expect("utf-8");
            assert!(!encoded.contains(['\t', '\n', '\r']));
            let decoded = decode_copy_field(&encoded).expect("decodes");
            assert_eq!(decoded.as_deref(), Some(original));
        }
        let mut null = Vec::new();
        encode_copy_field(None, &mut null);
        assert_eq!(
            decode_copy_field(std::str::from_utf8(&null).expect("ascii")),
            Ok(None)
        );
    }

    #[test]
    fn decodes_octal_hex_and_unknown_escapes() {
        let decoded = decode_copy_field(r"a\101\x42\q\\").expect("valid");
        assert_eq!(decoded.as_deref(), Some(r"aABq\"));
        assert!(
            decode_copy_field(r"\377").is_err(),
            "lone 0xff byte is not UTF-8"
        );
    }

    #[test]
    fn layouts_accept_any_order_but_all_columns() {
        let layout = Layout::from_header(&["Price", "day", "orig_code", "dest_code"])
            .expect("prices header");
        assert_eq!(layout.table, Table::Prices);
        assert_eq!(
            layout.copy_sql(),
            "COPY prices (price, day, orig_code, dest_code) FROM STDIN"
        );
        assert_eq!(
            Layout::from_header(&["slug", "name", "parent_slug"]).map(|l| l.table),
            Ok(Table::Regions)
        );
        assert!(Layout::from_header(&["code", "name"]).is_err());
        assert!(Layout::from_header(&["code", "name", "parent_slug", "extra"]).is_err());
        assert!(Layout::from_names(Table::Ports, &["code", "code", "name"]).is_err());
    }
}
