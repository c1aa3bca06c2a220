//! The `tuile` command line: serve, demo-data, check-config, seed, index,
//! hash-key.

mod index;
mod keys;
mod seed;

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use tuile_demo::Scale;

#[derive(Parser)]
#[command(
    name = "tuile",
    version,
    about = "OGC geoservice server: WMS, WMTS and OGC API – Features"
)]
pub struct Cli {
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
    /// Generate the synthetic demo data set (Montpellier; the region for benchmarks).
    DemoData {
        #[arg(long, default_value = "data")]
        out: PathBuf,
        /// small (seconds, for tests), full (the whole demo area) or region
        /// (all Occitanie for benchmarks: 3,000+ COGs, 10M addresses).
        #[arg(long, default_value = "full", value_parser = parse_scale)]
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
        options: seed::SeedOptions,
    },
    /// Index the files of a raster mosaic (a tile index for a `mosaic`
    /// source) and build its overview pyramid; run again after a delivery,
    /// only new or changed files are read.
    Index(index::IndexArgs),
}

fn parse_scale(s: &str) -> Result<Scale, String> {
    s.parse()
}

impl Cli {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Serve { config, bind } => {
                actix_web::rt::System::new().block_on(crate::serve::serve(&config, bind))
            }
            Command::DemoData { out, scale } => tuile_demo::generate(&out, scale),
            Command::CheckConfig { config } => check_config(&config),
            Command::Seed { config, options } => seed::run(&config, options),
            Command::HashKey { new, groups } => keys::hash_key(new, groups),
            Command::Index(args) => index::run(args),
        }
    }
}

fn check_config(path: &Path) -> anyhow::Result<()> {
    let catalog = tuile_core::catalog::Catalog::open(path).map_err(anyhow::Error::msg)?;
    if !catalog.problems.is_empty() {
        anyhow::bail!(
            "{}: {} layer(s) cannot be served:\n  {}",
            path.display(),
            catalog.problems.len(),
            catalog.problems.join("\n  ")
        );
    }
    for l in &catalog.layers {
        let meta = l.source.meta();
        println!(
            "ok  {:<10} {:<8} {} ({} style(s), {} CRS; stored in {}, {})",
            l.name(),
            if l.is_vector() { "vector" } else { "raster" },
            meta.path.display(),
            l.styles.len(),
            l.crs.len(),
            meta.crs,
            meta.crs_origin
        );
    }
    println!(
        "{}: {} layers, configuration valid",
        path.display(),
        catalog.layers.len()
    );
    Ok(())
}
