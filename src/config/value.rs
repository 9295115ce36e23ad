//! Parsing and showing setting values. Every source (flag, environment, file)
//! hands the same text to the same parser; errors say what is accepted.

use std::{
    fmt::Display,
    net::{IpAddr, SocketAddr},
    ops::RangeInclusive,
    path::PathBuf,
    str::FromStr,
};

use clap::ValueEnum;
use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::PgConnectOptions;

pub type Parsed<T> = Result<T, String>;

/// An integer within `range`.
pub fn int<T>(raw: &str, range: RangeInclusive<T>) -> Parsed<T>
where
    T: FromStr + PartialOrd + Display + Copy,
{
    let expected = || format!("an integer from {} to {}", range.start(), range.end());
    let n: T = raw.trim().parse().map_err(|_| expected())?;
    if range.contains(&n) {
        Ok(n)
    } else {
        Err(expected())
    }
}

pub fn boolean(raw: &str) -> Parsed<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err("true or false".into()),
    }
}

/// `IP:PORT`, e.g. `0.0.0.0:3000`, `127.0.0.1:8080` or `[::]:3000`.
pub fn socket_addr(raw: &str) -> Parsed<SocketAddr> {
    SocketAddr::from_str(raw.trim())
        .map_err(|_| "IP:PORT, e.g. 0.0.0.0:3000, 127.0.0.1:8080 or [::]:3000".into())
}

/// A non-empty single line of bounded length.
pub fn text(raw: &str) -> Parsed<String> {
    let t = raw.trim();
    if t.is_empty() || t.len() > 512 || t.contains(['\n', '\r']) {
        return Err("a non-empty single line of at most 512 characters".into());
    }
    Ok(t.to_owned())
}

pub fn path(raw: &str) -> Parsed<PathBuf> {
    text(raw).map(PathBuf::from)
}

/// A file that exists and can be read now: a secret that failed to mount
/// fails start-up, not the first connection.
pub fn readable_file(raw: &str) -> Parsed<PathBuf> {
    let path = path(raw)?;
    std::fs::File::open(&path)
        .map(|_| path)
        .map_err(|e| format!("a readable file ({e})"))
}

pub fn existing_dir(raw: &str) -> Parsed<PathBuf> {
    let path = path(raw)?;
    if path.is_dir() {
        Ok(path)
    } else {
        Err("an existing directory".into())
    }
}

pub fn https_url(raw: &str) -> Parsed<String> {
    let t = text(raw)?;
    match url::Url::parse(&t) {
        Ok(u) if u.scheme() == "https" && u.host_str().is_some() => Ok(t),
        _ => Err("an https:// URL, e.g. https://NAME.vault.azure.net".into()),
    }
}

pub fn http_url(raw: &str) -> Parsed<String> {
    let t = text(raw)?;
    match url::Url::parse(&t) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(t),
        _ => Err("an http:// or https:// URL".into()),
    }
}

/// One of a `ValueEnum`'s names.
pub fn choice<T: ValueEnum>(raw: &str) -> Parsed<T> {
    T::from_str(raw.trim(), false).map_err(|_| format!("one of {}", names::<T>().join(", ")))
}

pub fn names<T: ValueEnum>() -> Vec<String> {
    T::value_variants()
        .iter()
        .filter_map(|v| v.to_possible_value())
        .map(|p| p.get_name().to_owned())
        .collect()
}

/// A `tracing` filter such as `info,sqlx=warn`.
pub fn log_filter(raw: &str) -> Parsed<String> {
    let t = text(raw)?;
    tracing_subscriber::EnvFilter::try_new(&t)
        .map(|_| t)
        .map_err(|e| format!("a tracing filter such as info,sqlx=warn ({e})"))
}

/// Lower-case letters, digits and `_`, starting with a letter or `_`: it is
/// interpolated into role names in SQL.
pub fn role_prefix(raw: &str) -> Parsed<String> {
    let t = raw.trim();
    let valid = !t.is_empty()
        && t.len() <= 40
        && t.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && t.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(t.to_owned())
    } else {
        Err("lower-case letters, digits and _ (at most 40), not starting with a digit".into())
    }
}

/// A number from 0 to 1.
pub fn ratio(raw: &str) -> Parsed<f64> {
    match raw.trim().parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err("a number from 0 to 1, e.g. 0.25".into()),
    }
}

/// OTLP's transport: only HTTP with protobuf bodies is built in.
pub fn otlp_protocol(raw: &str) -> Parsed<String> {
    match raw.trim() {
        "http/protobuf" => Ok("http/protobuf".into()),
        _ => Err("http/protobuf (grpc and http/json are not built in; collectors take OTLP/HTTP on port 4318)".into()),
    }
}

pub fn secret(raw: &str) -> Parsed<SecretString> {
    if raw.is_empty() {
        return Err("a non-empty value".into());
    }
    Ok(SecretString::from(raw))
}

/// OpenTelemetry's `OTEL_TRACES_SAMPLER` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum TracesSampler {
    AlwaysOn,
    AlwaysOff,
    Traceidratio,
    ParentbasedAlwaysOn,
    ParentbasedAlwaysOff,
    ParentbasedTraceidratio,
}

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// A `postgres://` URL, which may carry a password: never shown whole.
#[derive(Clone)]
pub struct DatabaseUrl {
    url: SecretString,
    options: PgConnectOptions,
}

impl DatabaseUrl {
    /// Errors never echo the URL.
    pub fn parse(raw: &str) -> Parsed<Self> {
        let raw = raw.trim();
        let expected = "a postgres://[user[:password]@]host[:port]/database[?sslmode=...] URL";
        let parsed = url::Url::parse(raw).map_err(|_| expected.to_owned())?;
        if !matches!(parsed.scheme(), "postgres" | "postgresql") {
            return Err(expected.into());
        }
        let options = PgConnectOptions::from_str(raw).map_err(|_| expected.to_owned())?;
        Ok(Self {
            url: raw.into(),
            options,
        })
    }

    pub fn connect_options(&self) -> PgConnectOptions {
        self.options.clone()
    }

    fn parts(&self) -> Option<url::Url> {
        url::Url::parse(self.url.expose_secret()).ok()
    }

    pub fn has_host(&self) -> bool {
        self.parts()
            .is_some_and(|u| u.host_str().is_some_and(|h| !h.is_empty()))
    }

    pub fn has_user(&self) -> bool {
        self.parts().is_some_and(|u| !u.username().is_empty())
    }

    pub fn has_database(&self) -> bool {
        self.parts()
            .is_some_and(|u| !u.path().trim_start_matches('/').is_empty())
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        match self.parts() {
            Some(mut u) if u.password().is_some() => {
                let _ = u.set_password(Some("***"));
                u.to_string()
            }
            Some(u) => u.to_string(),
            None => "<unparsable>".into(),
        }
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// How `rates config` and `--help` show a value; `None` when unset.
pub trait Show {
    fn show(&self) -> Option<String>;
}

impl<T: Show> Show for Option<T> {
    fn show(&self) -> Option<String> {
        self.as_ref().and_then(Show::show)
    }
}

macro_rules! show_display {
    ($($t:ty),*) => {$(
        impl Show for $t {
            fn show(&self) -> Option<String> { Some(self.to_string()) }
        }
    )*};
}
show_display!(u16, u32, u64, f64, bool, String, SocketAddr, IpAddr);

impl Show for PathBuf {
    fn show(&self) -> Option<String> {
        Some(self.display().to_string())
    }
}

impl Show for SecretString {
    fn show(&self) -> Option<String> {
        Some("<redacted>".into())
    }
}

impl Show for DatabaseUrl {
    fn show(&self) -> Option<String> {
        Some(self.redacted())
    }
}

macro_rules! show_choice {
    ($($t:ty),*) => {$(
        impl Show for $t {
            fn show(&self) -> Option<String> {
                self.to_possible_value().map(|p| p.get_name().to_owned())
            }
        }
    )*};
}
show_choice!(
    TracesSampler,
    SslMode,
    super::DatabaseMode,
    super::LogFormat,
    super::CredentialSourceKind,
    super::AzureCredentialKind,
    super::RotateStore,
    super::RdsIamGrant
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_bounded() {
        assert_eq!(int("31", 1..=3660u32), Ok(31));
        assert!(
            int("0", 1..=3660u32)
                .unwrap_err()
                .contains("from 1 to 3660")
        );
        assert!(int("3661", 1..=3660u32).is_err());
        assert!(int("-1", 1..=10u32).is_err());
        assert!(int("ten", 1..=10u32).is_err());
    }

    #[test]
    fn listen_addresses_need_an_ip_and_a_port() {
        assert!(socket_addr("0.0.0.0:3000").is_ok());
        assert!(socket_addr("[::]:3000").is_ok());
        for bad in ["3691", ":3000", "localhost", "0.0.0.0:99999"] {
            assert!(socket_addr(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn choices_list_what_is_accepted() {
        assert_eq!(choice::<SslMode>("verify-full"), Ok(SslMode::VerifyFull));
        let err = choice::<SslMode>("strict").unwrap_err();
        assert!(
            err.contains("disable") && err.contains("verify-full"),
            "{err}"
        );
    }

    #[test]
    fn database_urls_are_redacted_and_errors_do_not_echo_them() {
        let url = DatabaseUrl::parse("postgres://u:hunter2@h:5433/db").unwrap();
        assert_eq!(url.redacted(), "postgres://u:***@h:5433/db");
        assert!(url.has_host() && url.has_user() && url.has_database());
        let err = DatabaseUrl::parse("postgres://u:hunter2@h:notaport/db").unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
        assert!(DatabaseUrl::parse("mysql://h/db").is_err());
    }
}
