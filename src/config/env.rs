//! The one place that reads the process environment. The CLI captures it
//! once ([`Env::capture`]); everything else gets values from [`super::Settings`]
//! (settings) or [`Platform`] (facts about where we run that are not
//! settings: Azure's identity variables, `NO_COLOR`, `HOME`, `PATH`).

use std::{collections::BTreeMap, ffi::OsString, fmt, path::PathBuf};

/// A snapshot of the environment, as UTF-8 name/value pairs. Empty values
/// count as unset (compose's `${VAR:-}` and Kubernetes' empty `value:`).
#[derive(Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    pub fn capture() -> Self {
        Self::from_pairs(
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
        )
    }

    /// For tests: exactly these variables.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .filter(|(_, v)| !v.is_empty())
                .collect(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// Names starting with `prefix`.
    pub fn names_with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a str> {
        self.vars
            .keys()
            .filter(move |k| k.starts_with(prefix))
            .map(String::as_str)
    }
}

impl fmt::Debug for Env {
    // Names only: values may be secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.vars.keys()).finish()
    }
}

/// Platform variables other code needs, captured with the settings.
#[derive(Clone, Default)]
pub struct Platform {
    vars: BTreeMap<&'static str, String>,
}

/// The variables [`Platform`] keeps. Azure's are read by our credential
/// chain to choose a credential (the SDK reads them again itself).
const PLATFORM_VARS: &[&str] = &[
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_CLIENT_SECRET",
    "IDENTITY_ENDPOINT",
    "MSI_ENDPOINT",
    "NO_COLOR",
    "HOME",
    "XDG_DATA_HOME",
];

impl Platform {
    /// From the process environment, for values needed before settings load.
    pub fn capture() -> Self {
        Self::from_env(&Env::capture())
    }

    pub fn from_env(env: &Env) -> Self {
        Self {
            vars: PLATFORM_VARS
                .iter()
                .filter_map(|name| Some((*name, env.get(name)?.to_owned())))
                .collect(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// `NO_COLOR` set to anything (https://no-color.org).
    pub fn no_color(&self) -> bool {
        self.vars.contains_key("NO_COLOR")
    }

    /// `$XDG_DATA_HOME`, else `~/.local/share`, else the temp directory.
    pub fn data_home(&self) -> PathBuf {
        self.get("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| {
                self.get("HOME")
                    .map(|h| PathBuf::from(h).join(".local/share"))
            })
            .unwrap_or_else(std::env::temp_dir)
    }
}

impl fmt::Debug for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.vars.keys()).finish()
    }
}

/// `PATH`, for finding PostgreSQL's binaries when nothing else says where.
pub fn search_path() -> Option<OsString> {
    std::env::var_os("PATH")
}
