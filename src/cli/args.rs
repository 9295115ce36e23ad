//! Flags: every setting that applies to a subcommand becomes one of its flags
//! (from the settings registry), under a heading per section; the few
//! arguments that are not settings (files to import, demo sizes) are here.

use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Args};

use crate::{
    config::{Commands, SETTINGS},
    demo::DemoOptions,
};

/// Adds the settings of `scope` as flags of the subcommand at `path`.
pub fn with_settings(cmd: clap::Command, path: &[&str], scope: Commands) -> clap::Command {
    match path {
        [] => add_settings(cmd, scope),
        [name, rest @ ..] => cmd.mut_subcommand(*name, |sub| with_settings(sub, rest, scope)),
    }
}

fn add_settings(cmd: clap::Command, scope: Commands) -> clap::Command {
    // One line per flag, however long: a --help that fits a screen's height.
    let mut cmd = cmd.term_width(0);
    let mut env_only = Vec::new();
    for setting in SETTINGS.iter().filter(|s| s.commands.intersects(scope)) {
        let Some(flag) = setting.flag() else {
            env_only.push(setting.env_names().join(" or "));
            continue;
        };
        let mut help = format!(
            "{} [env: {}]",
            setting.help(),
            setting.env_names().join(", ")
        );
        if let Some(default) = setting.default_shown() {
            help.push_str(&format!(" [default: {default}]"));
        }
        cmd = cmd.arg(
            Arg::new(setting.key)
                .long(flag)
                .value_name(setting.accepts)
                .help(help)
                .help_heading(setting.heading())
                .hide(setting.is_hidden())
                .action(ArgAction::Set),
        );
    }
    if !env_only.is_empty() {
        let note = format!(
            "Secrets come only from the environment (no flag shows them in `ps`): {}.",
            env_only.join(", ")
        );
        let after = cmd
            .get_after_help()
            .map(|h| format!("{note}\n\n{h}"))
            .unwrap_or(note);
        cmd = cmd.after_help(after);
    }
    cmd
}

/// The subcommand that runs and its own arguments.
pub fn leaf(matches: &ArgMatches) -> (Commands, &ArgMatches) {
    let mut path = Vec::new();
    let mut current = matches;
    while let Some((name, sub)) = current.subcommand() {
        path.push(name);
        current = sub;
    }
    let path = path.join(" ");
    let commands = Commands::NAMES
        .iter()
        .find(|(_, name)| *name == path)
        .map(|(c, _)| *c)
        .expect("every subcommand is in Commands::NAMES");
    (commands, current)
}

/// A setting's flag value, by key.
pub fn flag(matches: &ArgMatches, key: &str) -> Option<String> {
    matches.try_get_one::<String>(key).ok().flatten().cloned()
}

#[derive(Args)]
pub struct ImportArgs {
    /// pg_dump plain-SQL files (their COPY blocks and data statements) or CSV files with a header.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Add rows instead of replacing the tables the files contain.
    #[arg(long)]
    pub append: bool,
}

#[derive(Args)]
pub struct DemoArgs {
    /// Number of prices to generate.
    #[arg(long, default_value_t = 60_000)]
    prices: u64,
    /// Number of days they span.
    #[arg(long, default_value_t = 31, value_parser = clap::value_parser!(u32).range(1..=3660))]
    days: u32,
    /// Random seed: the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// First day (YYYY-MM-DD).
    #[arg(long, default_value = "2024-01-01", value_parser = parse_first_day)]
    first_day: chrono::NaiveDate,
}

/// The API's one date parser, so `--first-day` accepts what `/rates` does.
fn parse_first_day(raw: &str) -> Result<chrono::NaiveDate, String> {
    crate::domain::parse_day("first_day", raw).map_err(|e| e.message)
}

impl DemoArgs {
    pub fn options(&self) -> DemoOptions {
        DemoOptions {
            seed: self.seed,
            prices: self.prices,
            days: self.days,
            first_day: self.first_day,
        }
    }
}

#[derive(Args)]
pub struct ConfigArgs {
    /// Print the settings reference instead: the README's table, or JSON for
    /// the deploy kits' consistency check.
    #[arg(long, value_name = "markdown|json", hide = true)]
    pub reference: Option<ReferenceFormat>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ReferenceFormat {
    Markdown,
    Json,
}

pub const SERVE_EXAMPLES: &str = "Examples:
  rates serve                                  # a private PostgreSQL with demo data, on :3000
  DATABASE_URL=postgres://rates_api_a@db/rates PGPASSWORD_FILE=/run/secrets/pw rates serve
  RATES_SHUTDOWN_DELAY_SECS=5 RATES_LOG_FORMAT=json rates serve   # behind a load balancer";

pub const MIGRATE_EXAMPLES: &str = "Examples:
  rates migrate                                # the embedded database
  DATABASE_URL=postgres://rates_owner@db/rates PGPASSWORD_FILE=/run/secrets/owner rates migrate";

pub const IMPORT_EXAMPLES: &str = "Examples:
  rates import ../shared/data/xeneta-rates-2021.sql
  rates import --append ports.csv prices.csv";

pub const DEMO_EXAMPLES: &str = "Examples:
  rates demo                                   # 60,000 prices over January 2024
  rates demo --prices 10000000 --days 365";

pub const HEALTHCHECK_EXAMPLES: &str = "Examples:
  rates healthcheck && echo ready
  HEALTHCHECK CMD [\"/usr/local/bin/rates\", \"healthcheck\"]   # in a Dockerfile";

pub const CONFIG_EXAMPLES: &str = "Examples:
  rates config
  RATES_CONFIG=rates.toml rates config --db-max-connections 32";

pub const BOOTSTRAP_EXAMPLES: &str = "Examples:
  DATABASE_URL=postgres://postgres@db/rates PGPASSWORD_FILE=/run/secrets/admin \\
    RATES_BOOTSTRAP_OWNER_PASSWORD_FILE=/run/secrets/owner rates db bootstrap";

pub const ROTATE_EXAMPLES: &str = "Examples:
  DATABASE_URL=postgres://postgres@db/rates PGPASSWORD_FILE=/run/secrets/admin \\
    RATES_ROTATE_PASSWORD_FILE=/run/api/password RATES_ROTATE_USER_FILE=/run/api/user rates db rotate";
