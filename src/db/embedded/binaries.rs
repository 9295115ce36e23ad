//! Finding the PostgreSQL server binaries and checking their version.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::error::{EmbeddedError, IoContext};

/// The setting operators use when discovery fails, named in our error messages.
pub(super) const BIN_DIR_ENV: &str = "RATES_EMBEDDED_PG_BIN_DIR";
pub(super) const MIN_MAJOR_VERSION: u32 = 14;

/// Find the PostgreSQL server binaries: the configured dir (`embedded.pg_bin_dir`), else the
/// highest /usr/lib/postgresql/<N>/bin, else `pg_config --bindir`, else on PATH.
pub fn find_bin_dir(configured: Option<&Path>) -> Result<PathBuf, EmbeddedError> {
    let dir = match configured.map(Path::to_path_buf) {
        Some(dir) if has_server_binaries(&dir) => dir,
        Some(dir) => return Err(EmbeddedError::InvalidBinDir { dir }),
        None => debian_bin_dir()
            .or_else(pg_config_bin_dir)
            .or_else(path_bin_dir)
            .ok_or_else(|| EmbeddedError::BinariesNotFound {
                searched: "/usr/lib/postgresql/*/bin, `pg_config --bindir` and PATH".into(),
            })?,
    };
    check_version(&dir)?;
    Ok(dir)
}

fn has_server_binaries(dir: &Path) -> bool {
    ["postgres", "initdb"].iter().all(|name| {
        fs::metadata(dir.join(name)).is_ok_and(|m| m.is_file() && m.mode() & 0o111 != 0)
    })
}

/// Debian/Ubuntu install side by side under /usr/lib/postgresql/<major>/bin; prefer the newest.
fn debian_bin_dir() -> Option<PathBuf> {
    fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let major: u32 = entry.file_name().to_str()?.parse().ok()?;
            Some((major, entry.path().join("bin")))
        })
        .filter(|(_, dir)| has_server_binaries(dir))
        .max_by_key(|(major, _)| *major)
        .map(|(_, dir)| dir)
}

fn pg_config_bin_dir() -> Option<PathBuf> {
    let out = Command::new("pg_config").arg("--bindir").output().ok()?;
    let dir = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    (out.status.success() && has_server_binaries(&dir)).then_some(dir)
}

fn path_bin_dir() -> Option<PathBuf> {
    std::env::split_paths(&crate::config::env::search_path()?).find(|dir| has_server_binaries(dir))
}

/// Rejects servers older than we support; an unparsable version is given the benefit of the doubt.
fn check_version(dir: &Path) -> Result<(), EmbeddedError> {
    let postgres = dir.join("postgres");
    let out = Command::new(&postgres)
        .arg("--version")
        .output()
        .ctx(|| format!("run `{} --version`", postgres.display()))?;
    match parse_major_version(&String::from_utf8_lossy(&out.stdout)) {
        Some(major) if major < MIN_MAJOR_VERSION => Err(EmbeddedError::UnsupportedVersion {
            dir: dir.to_path_buf(),
            major,
        }),
        _ => Ok(()),
    }
}

/// Parses e.g. "postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)" or "... 17beta1".
pub(super) fn parse_major_version(version: &str) -> Option<u32> {
    let rest = version.split_once("(PostgreSQL) ")?.1;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}
