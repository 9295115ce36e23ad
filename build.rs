//! The git revision, for `rates_build_info`: `GIT_REVISION` when the
//! build sets it (container builds have no .git), else `git rev-parse`.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=GIT_REVISION");
    println!("cargo:rerun-if-changed=.git/HEAD");
    let revision = std::env::var("GIT_REVISION")
        .ok()
        .filter(|r| !r.is_empty())
        .or_else(|| {
            let out = Command::new("git")
                .args(["rev-parse", "--short=12", "HEAD"])
                .output()
                .ok()?;
            out.status
                .success()
                .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    // Cargo also sets this in the environment of `cargo run` and `cargo
    // test`: outside `RATES_`, which the binary checks for unknown names.
    println!("cargo:rustc-env=GIT_REVISION={revision}");
}
