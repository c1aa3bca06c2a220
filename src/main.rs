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
    /// Render tiles ahead of time into the on-disk tile store.
    Seed {
        #[arg(long, default_value = "tuile.toml")]
        config: PathBuf,
        #[command(flatten)]
        options: tuile::tiles::seed::SeedOptions,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,actix_server=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve { config, bind } => actix_web::rt::System::new().block_on(tuile::server::serve(&config, bind)),
        Command::DemoData { out, scale } => tuile::demo::generate(&out, scale),
        Command::CheckConfig { config } => check_config(&config),
        Command::Seed { config, options } => tuile::tiles::seed::run(&config, options),
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
    let catalog = tuile::server::load(path)?;
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
