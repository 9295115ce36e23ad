// TEMPORARY STUB until the real module lands.
use std::path::PathBuf;
pub enum ImportMode {
    Replace,
    Append,
}
pub struct ImportOptions {
    pub mode: ImportMode,
    pub progress: bool,
}
pub struct ImportSummary {
    pub ports: u64,
    pub regions: u64,
    pub prices: u64,
}
impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "stub")
    }
}
#[derive(Debug, thiserror::Error)]
#[error("stub")]
pub struct ImportError;
pub async fn import_files(
    _p: &sqlx::PgPool,
    _f: &[PathBuf],
    _o: &ImportOptions,
) -> Result<ImportSummary, ImportError> {
    Err(ImportError)
}
