//! `rates config`: the effective settings and where each came from; with the
//! hidden `--reference`, the settings reference (README table, or JSON with
//! every name the deploy kits use, for their consistency check).

use std::process::ExitCode;

use serde_json::json;

use super::args::{ConfigArgs, ReferenceFormat};
use crate::{
    config::{self, Commands, Env, render},
    db::roles::Roles,
    http,
};

/// The uid the container images run as (distroless `nonroot`).
pub const IMAGE_UID: u32 = 65532;

/// Shows every setting, then what is wrong with them together, if anything
/// (exit status 2, as for any command given invalid settings).
pub fn run(args: &ConfigArgs, flag: &dyn Fn(&str) -> Option<String>) -> ExitCode {
    let loaded = match config::load_each(Commands::ALL, flag, &Env::capture()) {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match args.reference {
        None => {
            out(&render::effective(&loaded));
            // As `serve` would see them.
            if let Err(e) = config::check::check(loaded, Commands::SERVE) {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
        Some(ReferenceFormat::Markdown) => out(&render::markdown_table()),
        Some(ReferenceFormat::Json) => {
            let roles = Roles::new(&loaded.settings.db.role_prefix)
                .expect("the prefix was validated when loaded");
            let reference = json!({
                "settings": render::settings_json(),
                "commands": Commands::NAMES.iter().map(|(_, n)| n).collect::<Vec<_>>(),
                "http": {
                    "default_port": crate::config::Settings::default().listen.port(),
                    "liveness": http::LIVENESS_PATH,
                    "readiness": http::READINESS_PATH,
                    "health": http::HEALTH_PATH,
                    "metrics": http::METRICS_PATH,
                    "routes": http::ROUTES,
                },
                "roles": {
                    "owner": roles.owner,
                    "api": roles.api,
                    "writer": roles.writer,
                    "api_logins": roles.api_logins,
                },
                "image_uid": IMAGE_UID,
            });
            out(&format!("{reference:#}\n"));
        }
    }
    ExitCode::SUCCESS
}

/// Writes to stdout; a reader that stops early (`| head`) is not an error.
fn out(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
