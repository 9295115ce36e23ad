//! The `rates` command line: one subcommand per job, all sharing the same
//! settings layers (defaults < config file < environment < flags).

mod args;
mod data;
mod db;
mod healthcheck;
mod serve;

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};

use crate::config::{LogFormat, Settings};
use args::{DataArgs, DemoArgs, HealthcheckArgs, ImportArgs, ServeArgs, set};

#[derive(Parser)]
#[command(
    name = "rates",
    version,
    about = "Daily freight-rate averages between ports and regions, over PostgreSQL."
)]
pub struct Cli {
    /// TOML config file; environment variables and flags override it.
    #[arg(long, global = true, env = "RATES_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Log format.
    #[arg(long, global = true, env = "RATES_LOG_FORMAT", value_enum)]
    log_format: Option<LogFormat>,
    /// Log filter (tracing env-filter syntax), e.g. `info,sqlx=warn`.
    #[arg(long, global = true, env = "RATES_LOG", value_name = "FILTER")]
    log_filter: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API. Without a configured database, starts a private
    /// PostgreSQL, migrates it and loads demo data into it when empty.
    Serve(ServeArgs),
    /// Apply pending database migrations (idempotent, safe on databases loaded
    /// from the Xeneta dumps).
    Migrate(DataArgs),
    /// Load pg_dump (COPY) or CSV files, all-or-nothing.
    Import(ImportArgs),
    /// Replace the data with the generated, deterministic demo dataset.
    Demo(DemoArgs),
    /// Exit 0 when the local server is ready (for container HEALTHCHECKs).
    Healthcheck(HealthcheckArgs),
    /// Database administration: least-privilege roles, credential rotation.
    #[command(subcommand)]
    Db(DbCommand),
}

#[derive(Subcommand)]
enum DbCommand {
    /// Create the owner, API (read-only), writer and API login roles, and
    /// grant them their privileges. Idempotent. Run as an administrator.
    Bootstrap(DataArgs),
    /// Give the inactive API login role a fresh password, publish it to the
    /// configured store, and make it current (the other stays valid until
    /// the next rotation). Safe to re-run. Run as an administrator.
    Rotate(DataArgs),
}

/// Parses the command line and runs it; errors are printed without a backtrace.
pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "rates failed");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut settings = Settings::load(cli.config.as_deref())?;
    set(&mut settings.log.format, cli.log_format);
    set(&mut settings.log.filter, cli.log_filter);
    crate::telemetry::init(&settings.log);
    match cli.command {
        Command::Serve(args) => {
            args.apply(&mut settings);
            serve::run(settings).await?;
        }
        Command::Migrate(args) => {
            args.apply(&mut settings);
            data::migrate(settings).await?;
        }
        Command::Import(args) => {
            args.data.apply(&mut settings);
            data::import(settings, args.files, args.append).await?;
        }
        Command::Demo(args) => {
            let options = args.options();
            args.data.apply(&mut settings);
            data::demo(settings, options).await?;
        }
        Command::Db(DbCommand::Bootstrap(args)) => {
            args.apply(&mut settings);
            db::bootstrap(settings).await?;
        }
        Command::Db(DbCommand::Rotate(args)) => {
            args.apply(&mut settings);
            db::rotate(settings).await?;
        }
        Command::Healthcheck(args) => {
            args.apply(&mut settings);
            return Ok(healthcheck::run(&settings).await);
        }
    }
    Ok(ExitCode::SUCCESS)
}
