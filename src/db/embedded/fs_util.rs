//! File-system helpers: creating ancestors, cloning a data root, tolerant existence checks.

use std::fs::{self, Permissions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};

use nix::unistd::geteuid;

use super::error::{EmbeddedError, IoContext};

pub(super) fn prepare_clone_target(target: &Path) -> Result<(), EmbeddedError> {
    if exists(target)? {
        fs::remove_dir(target).map_err(|_| EmbeddedError::TargetExists {
            target: target.to_path_buf(),
        })?;
    }
    let target = std::path::absolute(target).ctx(|| format!("resolve {}", target.display()))?;
    create_ancestors(&target, geteuid().is_root())
}

/// `cp -a` preserves ownership (the runner owns pgdata/) and modes, which std::fs cannot do simply.
pub(super) fn copy_tree(template: &Path, target: &Path) -> Result<(), EmbeddedError> {
    let out = Command::new("cp")
        .arg("-a")
        .arg("--")
        .arg(template)
        .arg(target)
        .stdin(Stdio::null())
        .output()
        .ctx(|| "run `cp -a`".into())?;
    if out.status.success() {
        return Ok(());
    }
    Err(EmbeddedError::CopyFailed {
        template: template.to_path_buf(),
        target: target.to_path_buf(),
        status: out.status.to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
    })
}

/// Creates the missing ancestors of `dir`. When a runner needs to traverse them, they get 0755
/// explicitly, whatever our umask; otherwise the umask is respected.
pub(super) fn create_ancestors(dir: &Path, for_runner: bool) -> Result<(), EmbeddedError> {
    let missing: Vec<&Path> = dir
        .ancestors()
        .skip(1)
        .take_while(|p| !p.exists())
        .collect();
    for dir in missing.into_iter().rev() {
        match fs::DirBuilder::new().mode(0o755).create(dir) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue, // lost a race
            other => other.ctx(|| format!("create {}", dir.display()))?,
        }
        if for_runner {
            fs::set_permissions(dir, Permissions::from_mode(0o755))
                .ctx(|| format!("make {} traversable", dir.display()))?;
        }
    }
    Ok(())
}

pub(super) fn exists(path: &Path) -> Result<bool, EmbeddedError> {
    path.try_exists()
        .ctx(|| format!("inspect {}", path.display()))
}

pub(super) fn remove_if_exists(path: &Path) -> Result<(), EmbeddedError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other.ctx(|| format!("remove {}", path.display())),
    }
}
