fn main() -> std::process::ExitCode {
    rates::cli::main()
}
