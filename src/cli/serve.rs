//! `rates serve`.

use crate::{
    config::Settings,
    startup::{Application, shutdown_signal},
};

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    app.run_until(shutdown_signal()).await
}
