//! The unprivileged account PostgreSQL runs as when we are root.

use std::fs::{self, Permissions};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use nix::unistd::{Gid, Uid, User, geteuid};

use super::error::{EmbeddedError, IoContext};

/// The unprivileged account that runs PostgreSQL when we are root.
#[derive(Debug, Clone)]
pub(super) struct Runner {
    pub(super) name: String,
    pub(super) uid: Uid,
    pub(super) gid: Gid,
}

impl Runner {
    pub(super) fn for_current_user() -> Result<Option<Self>, EmbeddedError> {
        if !geteuid().is_root() {
            return Ok(None);
        }
        for name in ["postgres", "nobody"] {
            if let Some(user) = User::from_name(name).ctx(|| format!("look up user `{name}`"))? {
                return Ok(Some(Self {
                    name: user.name,
                    uid: user.uid,
                    gid: user.gid,
                }));
            }
        }
        Err(EmbeddedError::NoUnprivilegedUser)
    }

    /// Mirrors the kernel's check; supplementary groups do not apply because std drops them
    /// when a root parent switches uid.
    fn can_traverse(&self, meta: &fs::Metadata) -> bool {
        let bit = if meta.uid() == self.uid.as_raw() {
            0o100
        } else if meta.gid() == self.gid.as_raw() {
            0o010
        } else {
            0o001
        };
        meta.mode() & bit != 0
    }

    /// Checks that every ancestor is traversable, then opens up the data root itself (we own it).
    pub(super) fn ensure_can_reach(&self, root: &Path) -> Result<(), EmbeddedError> {
        for dir in root.ancestors().skip(1) {
            let meta = fs::metadata(dir).ctx(|| format!("inspect {}", dir.display()))?;
            if !self.can_traverse(&meta) {
                return Err(EmbeddedError::NotTraversable {
                    dir: dir.to_path_buf(),
                    user: self.name.clone(),
                });
            }
        }
        let meta = fs::metadata(root).ctx(|| format!("inspect {}", root.display()))?;
        if self.can_traverse(&meta) {
            return Ok(());
        }
        let mode = (meta.mode() & 0o7777) | 0o011;
        fs::set_permissions(root, Permissions::from_mode(mode))
            .ctx(|| format!("make {} traversable", root.display()))
    }
}
