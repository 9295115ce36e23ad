//! Layering: defaults, then the TOML file, then the environment, then flags,
//! for the settings of one command, remembering where each value came from.
//! Everything is checked here, before any side effect.

use std::{collections::BTreeMap, fmt, path::PathBuf};

use super::{Commands, Env, SETTINGS, Setting, Settings, check, env::Platform};

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    File(PathBuf),
    Env(String),
    Flag(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Default => f.write_str("default"),
            Self::File(path) => write!(f, "file {}", path.display()),
            Self::Env(name) => write!(f, "env {name}"),
            Self::Flag(flag) => write!(f, "flag --{flag}"),
        }
    }
}

/// Settings and the source of each one that applies to the command.
pub struct Loaded {
    pub settings: Settings,
    pub sources: Vec<(&'static Setting, Source)>,
}

impl Loaded {
    pub fn source_of(&self, key: &str) -> Option<&Source> {
        self.sources
            .iter()
            .find(|(s, _)| s.key == key)
            .map(|(_, source)| source)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid setting {key} = {shown} (from {from}): expected {expected}")]
    Invalid {
        key: &'static str,
        shown: String,
        from: Source,
        expected: String,
    },
    #[error("settings file {path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("unknown environment variable {name}: no setting reads it{hint}")]
    UnknownEnv { name: String, hint: String },
    #[error("{0}")]
    Inconsistent(String),
}

/// Loads the settings `commands` uses and checks them together. `flag`
/// gives a flag's raw value by setting key (the CLI's parsed arguments).
pub fn load(
    commands: Commands,
    flag: &dyn Fn(&str) -> Option<String>,
    env: &Env,
) -> Result<Loaded, ConfigError> {
    check::check(load_each(commands, flag, env)?, commands)
}

/// Each setting parsed and validated on its own, without the checks across
/// settings (for `rates config`, which shows what it has before saying
/// what is wrong).
pub fn load_each(
    commands: Commands,
    flag: &dyn Fn(&str) -> Option<String>,
    env: &Env,
) -> Result<Loaded, ConfigError> {
    reject_unknown_env(env)?;
    let mut settings = Settings {
        platform: Platform::from_env(env),
        ..Settings::default()
    };
    let mut sources = Vec::new();
    let file = match raw_value(Setting::find("config").expect("config"), flag, env, None) {
        Some((raw, source)) => {
            apply(
                &mut settings,
                Setting::find("config").expect("config"),
                &raw,
                &source,
            )?;
            let path = settings.config.clone().expect("just set");
            Some((read_file(&path)?, path))
        }
        None => None,
    };
    for setting in SETTINGS.iter().filter(|s| s.commands.intersects(commands)) {
        let found = raw_value(setting, flag, env, file.as_ref());
        let source = match found {
            Some((raw, source)) => {
                apply(&mut settings, setting, &raw, &source)?;
                source
            }
            None => Source::Default,
        };
        sources.push((setting, source));
    }
    Ok(Loaded { settings, sources })
}

/// The highest-precedence raw value of a setting, and where it came from.
fn raw_value(
    setting: &Setting,
    flag: &dyn Fn(&str) -> Option<String>,
    env: &Env,
    file: Option<&(BTreeMap<String, String>, PathBuf)>,
) -> Option<(String, Source)> {
    if let (Some(name), Some(raw)) = (setting.flag(), flag(setting.key)) {
        return Some((raw, Source::Flag(name)));
    }
    for name in setting.env_names() {
        if let Some(raw) = env.get(&name) {
            return Some((raw.to_owned(), Source::Env(name)));
        }
    }
    let (values, path) = file?;
    let raw = values.get(setting.key)?;
    Some((raw.clone(), Source::File(path.clone())))
}

fn apply(
    settings: &mut Settings,
    setting: &'static Setting,
    raw: &str,
    source: &Source,
) -> Result<(), ConfigError> {
    setting
        .set(settings, raw)
        .map_err(|expected| ConfigError::Invalid {
            key: setting.key,
            shown: shown(setting, raw),
            from: source.clone(),
            expected,
        })
}

/// A rejected value as quoted in the error: never a secret, never long.
fn shown(setting: &Setting, raw: &str) -> String {
    if setting.is_secret() {
        return "<redacted>".into();
    }
    let short: String = raw.chars().take(80).collect();
    format!("{short:?}")
}

/// Typos in variable names fail loudly rather than being ignored.
fn reject_unknown_env(env: &Env) -> Result<(), ConfigError> {
    let known: Vec<String> = SETTINGS.iter().map(Setting::env).collect();
    match env
        .names_with_prefix("RATES_")
        .find(|n| !known.iter().any(|k| k == n))
    {
        Some(name) => Err(ConfigError::UnknownEnv {
            name: name.to_owned(),
            hint: did_you_mean(name, known.iter().map(String::as_str)),
        }),
        None => Ok(()),
    }
}

/// The file's settings as dotted keys and raw text, as if typed in the
/// environment, so they go through the same parsers.
fn read_file(path: &PathBuf) -> Result<BTreeMap<String, String>, ConfigError> {
    let fail = |message: String| ConfigError::File {
        path: path.clone(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| fail(e.message().to_owned()))?;
    let mut values = BTreeMap::new();
    flatten("", &table, &mut values).map_err(fail)?;
    for key in values.keys() {
        match Setting::find(key) {
            Some(s) if s.in_file() => {}
            Some(s) => {
                return Err(fail(format!(
                    "{key} cannot be set in the file; use the environment ({})",
                    s.env()
                )));
            }
            None => {
                let keys = SETTINGS.iter().filter(|s| s.in_file()).map(|s| s.key);
                return Err(fail(format!(
                    "unknown setting {key}{}",
                    did_you_mean(key, keys)
                )));
            }
        }
    }
    Ok(values)
}

fn flatten(
    prefix: &str,
    table: &toml::Table,
    out: &mut BTreeMap<String, String>,
) -> Result<(), String> {
    for (name, value) in table {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let raw = match value {
            toml::Value::Table(inner) => {
                flatten(&key, inner, out)?;
                continue;
            }
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Float(f) => f.to_string(),
            _ => return Err(format!("{key}: expected a single value")),
        };
        out.insert(key, raw);
    }
    Ok(())
}

/// ", did you mean X?" for the closest known name, when one is close.
fn did_you_mean<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> String {
    known
        .map(|k| (strsim::levenshtein(name, k), k))
        .filter(|(d, k)| *d <= 3.max(k.len() / 5))
        .min()
        .map(|(_, k)| format!(", did you mean {k}?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
