//! Runs a data change with its values bound as parameters; the SQL text is
//! built from static table and column names only, never from the file's.

use sqlx::postgres::PgConnection;
use sqlx::{AssertSqlSafe, Postgres};

use super::{Action, Statement, Value};
use crate::import::ImportError;
use crate::import::table::{Column, Kind, Table};

/// SQL type of a column's values.
fn sql_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Text | Kind::OptionalText => "text",
        Kind::Date => "date",
        Kind::Price => "integer",
    }
}

/// `INSERT INTO t (a, b) SELECT * FROM UNNEST($1::text[], $2::date[])`: one
/// statement for any number of rows, built from static names only.
fn insert_sql(table: Table) -> String {
    let columns = table.columns();
    let names: Vec<_> = columns.iter().map(|c| c.name).collect();
    let arrays: Vec<_> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("${}::{}[]", i + 1, sql_type(c.kind)))
        .collect();
    format!(
        "INSERT INTO {} ({}) SELECT * FROM UNNEST({})",
        table.name(),
        names.join(", "),
        arrays.join(", ")
    )
}

/// `DELETE FROM t WHERE a = $1 AND b = $2`, built from static names only.
fn delete_sql(table: Table, conditions: &[(&'static Column, Value)]) -> String {
    if conditions.is_empty() {
        return table.delete_sql().to_owned();
    }
    let tests: Vec<_> = conditions
        .iter()
        .enumerate()
        .map(|(i, (column, _))| format!("{} = ${}", column.name, i + 1))
        .collect();
    format!("DELETE FROM {} WHERE {}", table.name(), tests.join(" AND "))
}

type Query = sqlx::query::Query<'static, Postgres, sqlx::postgres::PgArguments>;

fn bind(query: Query, value: &Value) -> Query {
    match value {
        Value::Text(text) => query.bind(text.clone()),
        Value::Date(date) => query.bind(*date),
        Value::Int(int) => query.bind(*int),
    }
}

/// Runs `statement` with its values bound; the number of rows it changed.
pub(crate) async fn execute(
    conn: &mut PgConnection,
    statement: &Statement,
) -> Result<u64, ImportError> {
    let query = match &statement.action {
        Action::Insert(rows) => {
            let mut query = sqlx::query(AssertSqlSafe(insert_sql(statement.table)));
            for (i, column) in statement.table.columns().iter().enumerate() {
                let cells = rows.iter().map(|row| &row[i]);
                query = match column.kind {
                    Kind::Text | Kind::OptionalText => query.bind(
                        cells
                            .map(|v| match v {
                                Value::Text(t) => Ok(t.clone()),
                                other => Err(other),
                            })
                            .collect::<Result<Vec<_>, _>>()
                            .map_err(|v| mistyped(column, v))?,
                    ),
                    Kind::Date => query.bind(
                        cells
                            .map(|v| match v {
                                Value::Date(d) => Ok(*d),
                                other => Err(other),
                            })
                            .collect::<Result<Vec<_>, _>>()
                            .map_err(|v| mistyped(column, v))?,
                    ),
                    Kind::Price => query.bind(
                        cells
                            .map(|v| match v {
                                Value::Int(n) => Ok(*n),
                                other => Err(other),
                            })
                            .collect::<Result<Vec<_>, _>>()
                            .map_err(|v| mistyped(column, v))?,
                    ),
                };
            }
            query
        }
        Action::Delete(conditions) => conditions.iter().fold(
            sqlx::query(AssertSqlSafe(delete_sql(statement.table, conditions))),
            |query, (_, value)| bind(query, value),
        ),
    };
    let done = query
        .execute(conn)
        .await
        .map_err(|e| ImportError::database(statement.context(), &e))?;
    Ok(done.rows_affected())
}

fn mistyped(column: &Column, value: &Value) -> ImportError {
    ImportError::Internal(format!("{value:?} bound to column {}", column.name))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{column, date};
    use super::*;

    #[test]
    fn builds_sql_from_static_names_only() {
        assert_eq!(
            insert_sql(Table::Prices),
            "INSERT INTO prices (orig_code, dest_code, day, price) \
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::date[], $4::integer[])"
        );
        let conditions = [
            (column(Table::Prices, "day"), date("2016-01-03")),
            (column(Table::Prices, "price"), Value::Int(1)),
        ];
        assert_eq!(
            delete_sql(Table::Prices, &conditions),
            "DELETE FROM prices WHERE day = $1 AND price = $2"
        );
        assert_eq!(delete_sql(Table::Regions, &[]), "DELETE FROM regions");
    }
}
