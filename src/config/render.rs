//! Settings shown to people: `rates config` (effective values and their
//! sources) and the reference table the README carries (checked by a test).

use serde_json::{Value, json};

use super::{Commands, Loaded, SETTINGS, Setting};

/// `KEY  VALUE  SOURCE`, one line per setting, secrets redacted.
pub fn effective(loaded: &Loaded) -> String {
    let rows: Vec<[String; 3]> = loaded
        .sources
        .iter()
        .filter(|(s, _)| !s.is_hidden())
        .map(|(setting, source)| {
            let value = setting.get(&loaded.settings);
            let source = if value.is_none() {
                "unset".to_owned()
            } else {
                source.to_string()
            };
            [
                setting.key.to_owned(),
                value.unwrap_or_else(|| "-".into()),
                source,
            ]
        })
        .collect();
    let width = |i: usize| rows.iter().map(|r| r[i].len()).max().unwrap_or(0);
    let (w0, w1) = (width(0).max(3), width(1).max(5));
    let mut out = format!("{:w0$}  {:w1$}  SOURCE\n", "KEY", "VALUE");
    for [key, value, source] in rows {
        out.push_str(&format!("{key:w0$}  {value:w1$}  {source}\n"));
    }
    out
}

/// The README's settings table.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| Setting (file key) | Flag | Environment | Default | Accepts | What it does |\n\
         | --- | --- | --- | --- | --- | --- |\n",
    );
    for s in SETTINGS.iter().filter(|s| !s.is_hidden()) {
        let flag = s
            .flag()
            .map_or("(none: secret)".into(), |f| format!("`--{f}`"));
        let env = s
            .env_names()
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let key = if s.in_file() {
            format!("`{}`", s.key)
        } else {
            format!("`{}` (not in the file)", s.key)
        };
        let default = s.default_shown().map_or("".into(), |d| format!("`{d}`"));
        let doc = s
            .doc
            .split('\n')
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ");
        out.push_str(&format!(
            "| {key} | {flag} | {env} | {default} | {} | {} |\n",
            s.accepts.replace('|', "\\|"),
            doc.trim().replace('|', "\\|")
        ));
    }
    out
}

/// The settings part of `rates config --reference json`.
pub fn settings_json() -> Value {
    let settings: Vec<Value> = SETTINGS
        .iter()
        .map(|s: &Setting| {
            json!({
                "key": s.key,
                "env": s.env(),
                "aliases": s.aliases,
                "flag": s.flag().map(|f| format!("--{f}")),
                "default": s.default_shown(),
                "accepts": s.accepts,
                "secret": s.is_secret(),
                "hidden": s.is_hidden(),
                "commands": command_names(s.commands),
            })
        })
        .collect();
    Value::Array(settings)
}

pub fn command_names(commands: Commands) -> Vec<&'static str> {
    Commands::NAMES
        .iter()
        .filter(|(c, _)| commands.contains(*c))
        .map(|(_, name)| *name)
        .collect()
}
