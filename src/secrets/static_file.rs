//! Static credentials: `DATABASE_URL`, libpq variables, and password (and
//! user name) files. Kubernetes updates mounted secrets in place, so the files
//! are read again on every refresh; `rates db rotate` writes them atomically.

use std::{
    fs,
    io::Write,
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
};

use secrecy::ExposeSecret;

use super::{CredentialError, Credentials};
use crate::config::{Settings, read_secret_file};

const NAME: &str = "static";

pub struct StaticSource {
    password_file: Option<PathBuf>,
    username_file: Option<PathBuf>,
}

impl StaticSource {
    pub fn new(settings: &Settings) -> Self {
        Self {
            password_file: settings.db.password_file.clone(),
            username_file: settings.db.user_file.clone(),
        }
    }

    pub fn reads_files(&self) -> bool {
        self.password_file.is_some() || self.username_file.is_some()
    }

    /// What the files hold now; everything else comes from the settings.
    pub fn fetch(&self) -> Result<Credentials, CredentialError> {
        let password = match &self.password_file {
            Some(path) => Some(read_secret_file(path).map_err(|e| CredentialError::new(NAME, e))?),
            None => None,
        };
        let username = match &self.username_file {
            Some(path) => Some(read_trimmed(path)?),
            None => None,
        };
        Ok(Credentials {
            username,
            password,
            ..Default::default()
        })
    }
}

/// The password file and user name file, as a rotation target (`rotate.*`;
/// the API reads the same files as `db.password_file` and `db.user_file`).
pub struct FileStore {
    password_file: PathBuf,
    username_file: PathBuf,
}

impl FileStore {
    pub fn new(settings: &Settings) -> Result<Self, CredentialError> {
        let (Some(password_file), Some(username_file)) = (
            settings.rotate.password_file.clone(),
            settings.rotate.user_file.clone(),
        ) else {
            return Err(CredentialError::new(
                "files",
                "rotating to files needs rotate.password_file (RATES_ROTATE_PASSWORD_FILE) \
                 and rotate.user_file (RATES_ROTATE_USER_FILE)",
            ));
        };
        Ok(Self {
            password_file,
            username_file,
        })
    }

    pub fn current_username(&self) -> Result<Option<String>, CredentialError> {
        match fs::metadata(&self.username_file) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            _ => read_trimmed(&self.username_file).map(Some),
        }
    }

    /// Password first, then the user name: a reader that sees the new user
    /// already finds its password. (Readers also check a pair before using it.)
    pub fn publish(&self, credentials: &Credentials) -> Result<(), CredentialError> {
        if let Some(password) = &credentials.password {
            write_atomically(&self.password_file, password.expose_secret())?;
        }
        if let Some(username) = &credentials.username {
            write_atomically(&self.username_file, username)?;
        }
        Ok(())
    }
}

fn read_trimmed(path: &Path) -> Result<String, CredentialError> {
    fs::read_to_string(path)
        .map(|s| s.trim_end_matches(['\n', '\r']).to_owned())
        .map_err(|e| CredentialError::new(NAME, format!("cannot read {}: {e}", path.display())))
}

/// Write beside, then rename: a reader sees the old file or the new one,
/// never half of one. Mode 0600: the file is a secret.
fn write_atomically(path: &Path, content: &str) -> Result<(), CredentialError> {
    let fail = |e: std::io::Error| {
        CredentialError::new("files", format!("cannot write {}: {e}", path.display()))
    };
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(fail)?;
    file.write_all(content.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(fail)?;
    fs::rename(&tmp, path).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_then_fetch_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::default();
        settings.rotate.password_file = Some(dir.path().join("password"));
        settings.rotate.user_file = Some(dir.path().join("username"));
        settings.db.password_file = settings.rotate.password_file.clone();
        settings.db.user_file = settings.rotate.user_file.clone();
        let store = FileStore::new(&settings).unwrap();
        assert_eq!(store.current_username().unwrap(), None);
        store
            .publish(&Credentials {
                username: Some("u1".into()),
                password: Some("p1".into()),
                ..Default::default()
            })
            .unwrap();
        let got = StaticSource::new(&settings).fetch().unwrap();
        assert_eq!(got.username.as_deref(), Some("u1"));
        assert_eq!(got.password.unwrap().expose_secret(), "p1");
        assert_eq!(store.current_username().unwrap().as_deref(), Some("u1"));
    }
}
