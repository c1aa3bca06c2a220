use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // glibc gives every thread that allocates its own arena (up to 8 per
    // core); with the render, blocking and GDAL threads, freed memory then
    // stays scattered and RSS creeps up under load. A few arenas keep it flat.
    // SAFETY: mallopt only tunes the allocator; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 4);
    }
    // RUST_LOG filters (`access=debug` logs every request); TUILE_LOG_FORMAT=json
    // writes one JSON object per line, for log collectors.
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,actix_server=warn".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("TUILE_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        logs.json().flatten_event(true).init();
    } else {
        logs.init();
    }
    match tuile::cli::Cli::parse().run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
