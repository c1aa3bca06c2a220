//! `tuile index`: the command-line face of `source::tile_index`, with
//! progress bars.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::bail;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use parking_lot::Mutex;

use tuile_core::source::tile_index::{IndexOptions, IndexProgress, build};

#[derive(Debug, clap::Args)]
pub struct IndexArgs {
    /// Raster files, directories (searched recursively), list files
    /// (.txt/.lst, one path per line) or GDAL virtual paths (/vsis3/bucket/prefix/).
    #[arg(required = true)]
    pub sources: Vec<String>,
    /// The index to write or update; the pyramid goes in `pyramid/` beside it.
    #[arg(long, default_value = "mosaic.fgb")]
    pub out: PathBuf,
    /// Edition of every file listed (such as 2024); by default the last
    /// year in each file's path.
    #[arg(long)]
    pub edition: Option<String>,
    /// Index the files only; build no overview pyramid.
    #[arg(long)]
    pub no_pyramid: bool,
    /// Threads reading files and building the pyramid; 0 means one per core.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

pub fn run(a: IndexArgs) -> anyhow::Result<()> {
    tuile_core::source::gdal::init(512);
    let bars = MultiProgress::new();
    let style = ProgressStyle::with_template("{msg:>22} {bar:40} {pos}/{len} {per_sec} eta {eta}")
        .expect("a valid progress template");
    let current: Mutex<Option<ProgressBar>> = Mutex::new(None);
    let start = |len: usize, msg: String| {
        let bar = bars.add(ProgressBar::new(len as u64).with_style(style.clone()).with_message(msg));
        if let Some(old) = current.lock().replace(bar) {
            old.finish();
        }
    };
    let step = || {
        if let Some(b) = current.lock().as_ref() {
            b.inc(1);
        }
    };
    let options = IndexOptions {
        edition: a.edition,
        threads: a.threads,
        no_pyramid: a.no_pyramid,
    };
    let started = Instant::now();
    let report = build(&a.sources, &a.out, &options, &|p| match p {
        IndexProgress::Reading(n) => start(n, "reading headers".into()),
        IndexProgress::Building { level, cells } => start(cells, format!("pyramid level {level}")),
        IndexProgress::Read | IndexProgress::Built => step(),
        IndexProgress::Problem(text) => {
            let _ = bars.println(text);
        }
    })?;
    if let Some(b) = current.lock().take() {
        b.finish();
    }
    eprintln!(
        "{}: {} files ({} read, {} gone since the last run), {} pyramid cells built, {} kept, {} problems, in {:.1} s",
        a.out.display(),
        report.files,
        report.read,
        report.removed,
        report.cells_built,
        report.cells_kept,
        report.problems,
        started.elapsed().as_secs_f64()
    );
    if report.problems > 0 {
        bail!("{} files could not be indexed (listed above)", report.problems);
    }
    Ok(())
}
