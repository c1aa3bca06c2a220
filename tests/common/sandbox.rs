//! A copy of the test data, styles and configuration in a scratch folder,
//! for tests that change files under a running server (faults, editions).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::web;
use tuile::state::AppState;
use tuile_core::catalog::Catalog;
use tuile_core::config::Config;

use super::{data_dir, repo};

/// A private copy of the test data and styles, and the demo configuration
/// pointed at it, so that files can be broken without disturbing other tests.
pub struct Sandbox {
    pub dir: PathBuf,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = repo().join(format!(
            "target/faults-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(data_dir(), &dir.join("data"));
        copy_dir(&repo().join("styles"), &dir.join("styles"));
        let text = std::fs::read_to_string(repo().join("tuile.toml"))
            .unwrap()
            .replace(
                "metadata = \"capabilities/service.toml\"",
                &format!("metadata = \"{}\"", repo().join("capabilities/service.toml").display()),
            )
            .replace(
                "styles_dir = \"styles\"",
                &format!("styles_dir = \"{}\"", dir.join("styles").display()),
            );
        std::fs::write(dir.join("tuile.toml"), text).unwrap();
        Sandbox { dir }
    }

    pub fn config(&self) -> Config {
        let data = self.dir.join("data").to_string_lossy().into_owned();
        Config::load_with(&self.dir.join("tuile.toml"), |n| {
            (n == "TUILE_DATA").then(|| data.clone())
        })
        .unwrap()
    }

    pub fn state(&self, edit: impl FnOnce(&mut Config)) -> web::Data<AppState> {
        tuile_core::source::gdal::init(128);
        let mut config = self.config();
        edit(&mut config);
        web::Data::new(AppState::new(Catalog::load(config).unwrap()))
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join("data").join(name)
    }

    /// Reloads `state` from the (edited) files, as the file watcher or SIGHUP does.
    pub fn reload(&self, state: &AppState) {
        state.reload_from(self.config()).unwrap();
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
