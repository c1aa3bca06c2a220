//! The command line: `check-config` verdicts and messages, and a broken
//! source leaving the other layers served.

mod common;

use std::process::Command;

use common::*;
use tuile::catalog::Catalog;
use tuile::config::Config;

fn tuile() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tuile"));
    c.env("TUILE_DATA", data_dir()).env("RUST_LOG", "warn");
    c
}

/// The repo's configuration text with one substitution, written next to it
/// (so that relative style and metadata paths still resolve).
fn variant(from: &str, to: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(repo().join("tuile.toml")).unwrap();
    assert!(text.contains(from), "{from}");
    let path = repo().join(format!(
        "target/tuile-variant-{}-{}.toml",
        std::process::id(),
        from.len() + to.len()
    ));
    // The variant lives in target/: point relative paths back at the repo.
    let text = text
        .replace(from, to)
        .replace("metadata = \"", "metadata = \"../")
        .replace("styles_dir = \"", "styles_dir = \"../");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `check-config` on a configuration that must be refused; its stderr.
fn check_config_fails(cfg: &std::path::Path) -> String {
    let out = tuile().args(["check-config", "--config"]).arg(cfg).output().unwrap();
    assert!(!out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn check_config_accepts_the_demo_configuration() {
    let out = tuile()
        .args(["check-config", "--config"])
        .arg(repo().join("tuile.toml"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    for layer in ["bdortho", "ocsol", "erp", "adresses"] {
        assert!(stdout.contains(&format!("ok  {layer}")), "{stdout}");
    }
}

#[test]
fn a_missing_source_fails_check_config_naming_layer_and_file() {
    let cfg = variant("${TUILE_DATA:-data}/erp.fgb", "${TUILE_DATA:-data}/missing-erp.fgb");
    let stderr = check_config_fails(&cfg);
    assert!(stderr.contains("layer `erp`"), "{stderr}");
    assert!(stderr.contains("missing-erp.fgb"), "{stderr}");
    let _ = std::fs::remove_file(cfg);
}

#[test]
fn a_syntax_error_names_the_file_and_line() {
    let cfg = variant("max_scale = 25000", "max_scale = 25000\nmax_scale = oops");
    let stderr = check_config_fails(&cfg);
    let expected = format!("{}:", cfg.display());
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(stderr.contains("layer `adresses`"), "{stderr}");
    let _ = std::fs::remove_file(cfg);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_broken_style_is_reported_with_its_line() {
    let dir = repo().join(format!("target/styles-broken-{}", std::process::id()));
    copy_dir(&repo().join("styles"), &dir);
    let sld = dir.join("erp/default.sld");
    let text = std::fs::read_to_string(&sld).unwrap().replace("#1f5fa8", "rouge");
    std::fs::write(&sld, text).unwrap();
    let cfg = variant(
        "styles_dir = \"styles\"",
        &format!("styles_dir = \"{}\"", dir.display()),
    );
    // The variant prefixes relative paths; this one is absolute.
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace(&format!("../{}", dir.display()), &dir.display().to_string());
    std::fs::write(&cfg, text).unwrap();
    let stderr = check_config_fails(&cfg);
    assert!(stderr.contains("layer `erp`"), "{stderr}");
    assert!(stderr.contains("erp/default.sld:"), "{stderr}");
    assert!(stderr.contains("rouge"), "{stderr}");
    let _ = std::fs::remove_file(cfg);
    let _ = std::fs::remove_dir_all(dir);
}

#[actix_web::test]
async fn the_other_layers_keep_serving_when_one_source_is_missing() {
    let cfg = variant("${TUILE_DATA:-data}/erp.fgb", "${TUILE_DATA:-data}/gone.fgb");
    let data = data_dir().to_string_lossy().into_owned();
    let config = Config::load_with(&cfg, |n| (n == "TUILE_DATA").then(|| data.clone())).unwrap();
    let catalog = Catalog::load(config).unwrap();
    assert_eq!(catalog.problems.len(), 1);
    assert!(
        catalog.problems[0].contains("layer `erp`") && catalog.problems[0].contains("gone.fgb"),
        "{:?}",
        catalog.problems
    );
    let names: Vec<&str> = catalog.layers.iter().map(|l| l.name()).collect();
    assert_eq!(names, ["bdortho", "ocsol", "adresses"]);
    let app = app(actix_web::web::Data::new(tuile::server::AppState::new(catalog))).await;
    let caps = get(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities").await;
    validate(&caps.body, Schema::WmsCapabilities130);
    assert!(!caps.text().contains("<Name>erp</Name>"));
    let q = "/wms?VERSION=1.3.0&REQUEST=GetMap&STYLES=&CRS=EPSG:2154&BBOX=769000,6278000,771000,6280000&WIDTH=32&HEIGHT=32&FORMAT=image/png&LAYERS=";
    assert_eq!(get(&app, &format!("{q}ocsol")).await.status, 200);
    assert_eq!(get(&app, &format!("{q}erp")).await.exception().0, "LayerNotDefined");
    let _ = std::fs::remove_file(cfg);
}
