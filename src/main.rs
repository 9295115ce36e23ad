#[tokio::main]
async fn main() -> std::process::ExitCode {
    rates::cli::main().await
}
