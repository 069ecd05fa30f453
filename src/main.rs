//! The `trama` binary: parse the command line, set up logging, hand over to the library.

use clap::Parser;

/// See Cargo.toml: one allocator for Rust and SQLite alike.
#[cfg(all(target_os = "linux", not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    trama::telemetry::init();
    let cli = trama::config::Cli::parse();
    match trama::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
