//! `rates config`: the effective settings and where each came from; with the
//! hidden `--reference`, the settings reference (README table, or JSON with
//! every name the deploy kits use, for their consistency check).

use std::process::ExitCode;

use serde_json::json;

use super::args::{ConfigArgs, ReferenceFormat};
use crate::{
    config::{Loaded, render},
    db::roles::Roles,
    http,
};

/// The uid the container images run as (distroless `nonroot`).
pub const IMAGE_UID: u32 = 65532;

pub fn run(args: &ConfigArgs, loaded: &Loaded) -> ExitCode {
    match args.reference {
        None => print!("{}", render::effective(loaded)),
        Some(ReferenceFormat::Markdown) => print!("{}", render::markdown_table()),
        Some(ReferenceFormat::Json) => {
            let roles = Roles::new(&loaded.settings.db.role_prefix)
                .expect("the prefix was validated when loaded");
            let reference = json!({
                "settings": render::settings_json(),
                "commands": crate::config::Commands::NAMES.iter().map(|(_, n)| n).collect::<Vec<_>>(),
                "http": {
                    "default_port": crate::config::Settings::default().listen.port(),
                    "liveness": http::LIVENESS_PATH,
                    "readiness": http::READINESS_PATH,
                    "health": http::HEALTH_PATH,
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
            println!("{reference:#}");
        }
    }
    ExitCode::SUCCESS
}
