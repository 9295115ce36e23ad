// TEMPORARY STUB until the real module lands.
use crate::import::{ImportError, ImportSummary};
pub struct DemoOptions {
    pub seed: u64,
    pub prices: u64,
    pub days: u32,
    pub first_day: chrono::NaiveDate,
}
impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            seed: 42,
            prices: 60_000,
            days: 31,
            first_day: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        }
    }
}
pub async fn load_demo(_p: &sqlx::PgPool, _o: &DemoOptions) -> Result<ImportSummary, ImportError> {
    Err(ImportError)
}
