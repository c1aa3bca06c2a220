use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use tuile::demo::Scale;

#[derive(Parser)]
#[command(
    name = "tuile",
    version,
    about = "OGC geoservice server: WMS, WMTS and OGC API – Features"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the layers of a configuration.
    Serve {
        #[arg(long, default_value = "tuile.toml")]
        config: PathBuf,
        /// Address to listen on; overrides `server.bind`.
        #[arg(long)]
        bind: Option<String>,
    },
    /// Generate the synthetic Montpellier demo data set.
    DemoData {
        #[arg(long, default_value = "data")]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = Scale::Full)]
        scale: Scale,
    },
    /// Check a configuration and every source and style it names.
    CheckConfig {
        #[arg(long, default_value = "tuile.toml")]
        config: PathBuf,
    },
    /// Print the SHA-256 of an API key (read from stdin) for `auth.keys`;
    /// with --new, make a random key and print it with its entry.
    HashKey {
        /// Make a new random key for this holder.
        #[arg(long)]
        new: Option<String>,
        /// Groups the new key grants.
        #[arg(long, default_value = "membres")]
        groups: Vec<String>,
    },
    /// Render tiles ahead of time into the on-disk tile store.
    Seed {
        #[arg(long, default_value = "tuile.toml")]
        config: PathBuf,
        #[command(flatten)]
        options: tuile::tiles::seed::SeedOptions,
    },
}

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
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve { config, bind } => actix_web::rt::System::new().block_on(tuile::server::serve(&config, bind)),
        Command::DemoData { out, scale } => tuile::demo::generate(&out, scale),
        Command::CheckConfig { config } => check_config(&config),
        Command::Seed { config, options } => tuile::tiles::seed::run(&config, options),
        Command::HashKey { new, groups } => hash_key(new, groups),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn check_config(path: &std::path::Path) -> anyhow::Result<()> {
    let catalog = tuile::catalog::Catalog::open(path).map_err(anyhow::Error::msg)?;
    if !catalog.problems.is_empty() {
        anyhow::bail!(
            "{}: {} layer(s) cannot be served:\n  {}",
            path.display(),
            catalog.problems.len(),
            catalog.problems.join("\n  ")
        );
    }
    for l in &catalog.layers {
        println!(
            "ok  {:<10} {:<8} {} ({} style(s), {} CRS)",
            l.name(),
            if l.is_vector() { "vector" } else { "raster" },
            l.source.meta().path.display(),
            l.styles.len(),
            l.crs.len()
        );
    }
    println!(
        "{}: {} layers, configuration valid",
        path.display(),
        catalog.layers.len()
    );
    Ok(())
}

fn hash_key(new: Option<String>, groups: Vec<String>) -> anyhow::Result<()> {
    let (name, key) = match new {
        Some(name) => (name, tuile::access::new_key()),
        None => {
            let mut key = String::new();
            std::io::stdin().read_line(&mut key)?;
            ("partner".to_string(), key.trim().to_string())
        }
    };
    anyhow::ensure!(!key.is_empty(), "give the key on standard input");
    let groups: Vec<String> = groups.iter().map(|g| format!("{g:?}")).collect();
    println!("# key for {name}: {key}");
    println!("[[auth.keys]]");
    println!("name = {name:?}");
    println!("sha256 = \"{}\"", tuile::access::sha256_hex(&key));
    println!("groups = [{}]", groups.join(", "));
    Ok(())
}
