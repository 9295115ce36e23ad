//! Saying exactly why PostgreSQL cannot be reached: host, port, database,
//! user, and refused / timed out / authentication failed, in one line. The
//! pool only says "timed out", so the check opens a connection of its own.

use std::time::Duration;

use sqlx::{
    ConnectOptions, Connection, PgPool,
    postgres::{PgConnectOptions, PgConnection},
};

/// Why a connection to `target` failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot connect to PostgreSQL at {target}: {why}")]
pub struct ConnectError {
    pub target: String,
    pub why: String,
    /// The server refused the login (credentials), rather than being away.
    pub refused_login: bool,
}

/// `host:port (database D, user U)`: never the password.
pub fn target(options: &PgConnectOptions) -> String {
    let mut target = format!("{}:{}", options.get_host(), options.get_port());
    let mut parts = Vec::new();
    if let Some(db) = options.get_database() {
        parts.push(format!("database {db}"));
    }
    if !options.get_username().is_empty() {
        parts.push(format!("user {}", options.get_username()));
    }
    if !parts.is_empty() {
        target.push_str(&format!(" ({})", parts.join(", ")));
    }
    target
}

/// Opens (and closes) one connection with the pool's current options.
pub async fn check(pool: &PgPool, timeout: Duration) -> Result<(), ConnectError> {
    let options = pool.connect_options();
    let fail = |why: String, refused_login: bool| ConnectError {
        target: target(&options),
        why,
        refused_login,
    };
    match tokio::time::timeout(timeout, options.connect()).await {
        Err(_) => Err(fail(
            format!("timed out after {} s", timeout.as_secs()),
            false,
        )),
        Ok(Err(e)) => {
            let refused = crate::secrets::report_if_auth_failure(&e);
            Err(fail(why(&e), refused))
        }
        Ok(Ok(conn)) => {
            let conn: PgConnection = conn;
            let _ = conn.close().await;
            Ok(())
        }
    }
}

/// True when `e` says the database cannot be used right now (unreachable,
/// shutting down, refusing connections, overloaded), as opposed to a fault
/// in the query: retrying later may help.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(d) => d.code().is_some_and(|code| {
            // Connection exceptions, operator intervention (shutdown, cannot
            // connect now), insufficient resources, refused logins, a missing
            // or closed database.
            ["08", "57P", "53", "28"]
                .iter()
                .any(|class| code.starts_with(class))
                || matches!(code.as_ref(), "3D000" | "55000")
        }),
        _ => false,
    }
}

/// The cause, in words an operator acts on. Server messages name the user
/// at most, never the password.
pub fn why(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
            std::io::ErrorKind::TimedOut => "timed out".into(),
            std::io::ErrorKind::NotFound => "host not found".into(),
            _ => io.to_string(),
        },
        sqlx::Error::Database(d) => match d.code().as_deref() {
            Some("28P01" | "28000") => format!("authentication failed: {}", d.message()),
            Some("3D000") => format!("no such database: {}", d.message()),
            Some("57P03") => "the server is starting up".into(),
            _ => d.message().to_owned(),
        },
        sqlx::Error::Tls(e) => format!("TLS: {e}"),
        sqlx::Error::PoolTimedOut => "timed out waiting for a connection".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_names_host_port_database_and_user_only() {
        let options = PgConnectOptions::new_without_pgpass()
            .host("db.internal")
            .port(6432)
            .database("rates")
            .username("rates_api_a")
            .password("hunter2");
        let t = target(&options);
        assert_eq!(t, "db.internal:6432 (database rates, user rates_api_a)");
    }

    #[test]
    fn refused_connections_say_so() {
        let e = sqlx::Error::Io(std::io::ErrorKind::ConnectionRefused.into());
        assert_eq!(why(&e), "connection refused");
    }
}
