//! The `rates` command line: one subcommand per job. Settings come from
//! `config` (one declaration each); this module turns them into flags for the
//! subcommands they apply to, loads them before anything else happens, and
//! runs the job.

mod args;
mod config;
mod data;
mod db;
mod healthcheck;
mod report;
mod serve;

use std::{process::ExitCode, time::Duration};

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::config::{Commands, Env, Settings};
use args::{ConfigArgs, DemoArgs, ImportArgs};

#[derive(Parser)]
#[command(
    name = "rates",
    version,
    about = "Daily freight-rate averages between ports and regions, over PostgreSQL.",
    after_help = "Every setting is also read from RATES_<KEY> and from the config file; \
                  `rates config` shows each one's value and where it came from."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API.
    #[command(after_help = args::SERVE_EXAMPLES)]
    Serve,
    /// Apply pending database migrations (idempotent; run as the schema owner).
    #[command(after_help = args::MIGRATE_EXAMPLES)]
    Migrate,
    /// Load pg_dump (COPY) or CSV files, all-or-nothing.
    #[command(after_help = args::IMPORT_EXAMPLES)]
    Import(ImportArgs),
    /// Replace the data with the generated, deterministic demo dataset.
    #[command(after_help = args::DEMO_EXAMPLES)]
    Demo(DemoArgs),
    /// Exit 0 when the local server is ready (for container HEALTHCHECKs).
    #[command(after_help = args::HEALTHCHECK_EXAMPLES)]
    Healthcheck,
    /// Print the effective settings and where each came from (secrets redacted).
    #[command(after_help = args::CONFIG_EXAMPLES)]
    Config(ConfigArgs),
    /// Database administration: least-privilege roles, credential rotation.
    #[command(subcommand)]
    Db(DbCommand),
}

#[derive(Subcommand)]
enum DbCommand {
    /// Create the owner, API (read-only), writer and API login roles, and
    /// grant them their privileges. Idempotent. Run as an administrator.
    #[command(after_help = args::BOOTSTRAP_EXAMPLES)]
    Bootstrap,
    /// Give the inactive API login role a fresh password, publish it to the
    /// rotation store, and make it current (the other stays valid until the
    /// next rotation). Safe to re-run. Run as an administrator.
    #[command(after_help = args::ROTATE_EXAMPLES)]
    Rotate,
}

/// The whole command line, settings flags included, as clap sees it.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    for (commands, path) in Commands::NAMES {
        let scope = if commands == Commands::CONFIG {
            Commands::ALL
        } else {
            commands
        };
        cmd = args::with_settings(cmd, &path.split(' ').collect::<Vec<_>>(), scope);
    }
    cmd
}

/// Parses the command line, loads the settings (failing before any side
/// effect), then runs the command on a runtime that is given a bounded time
/// to wind down.
pub fn main() -> ExitCode {
    let matches = command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let (commands, leaf) = args::leaf(&matches);
    let flag = |key: &str| args::flag(leaf, key);
    if let Command::Config(config) = &cli.command {
        return config::run(config, &flag);
    }
    let loaded = match crate::config::load(commands, &flag, &Env::capture()) {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let format = loaded.settings.log.format;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Inside the runtime: spans are exported by a task on it.
    let telemetry = runtime.block_on(async { crate::telemetry::init(&loaded.settings) });
    let result = runtime.block_on(run(cli.command, loaded.settings));
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            report::error(&e, format);
            ExitCode::FAILURE
        }
    };
    telemetry.shutdown();
    // Tasks still running (a stuck connection attempt) must not hold the exit.
    runtime.shutdown_timeout(Duration::from_millis(200));
    code
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => serve::run(settings).await?,
        Command::Migrate => data::migrate(settings).await?,
        Command::Import(args) => data::import(settings, args.files, args.append).await?,
        Command::Demo(args) => data::demo(settings, args.options()).await?,
        Command::Db(DbCommand::Bootstrap) => db::bootstrap(settings).await?,
        Command::Db(DbCommand::Rotate) => db::rotate(settings).await?,
        Command::Healthcheck => return Ok(healthcheck::run(&settings).await),
        Command::Config(_) => unreachable!("handled before the runtime starts"),
    }
    Ok(ExitCode::SUCCESS)
}
