//! The command line: `check-config` verdicts and messages, and a broken
//! source leaving the other layers served.

mod common;

use std::process::Command;

use common::*;
use tuile_core::catalog::Catalog;
use tuile_core::config::Config;

fn tuile() -> Command {
    tuile_command()
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
    assert_eq!(names, ["bdortho", "ocsol", "adresses", "adresses_cadastre"]);
    let app = app(actix_web::web::Data::new(tuile::state::AppState::new(catalog))).await;
    let caps = get(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities").await;
    validate(&caps.body, Schema::WmsCapabilities130);
    assert!(!caps.text().contains("<Name>erp</Name>"));
    let q = "/wms?VERSION=1.3.0&REQUEST=GetMap&STYLES=&CRS=EPSG:2154&BBOX=769000,6278000,771000,6280000&WIDTH=32&HEIGHT=32&FORMAT=image/png&LAYERS=";
    assert_eq!(get(&app, &format!("{q}ocsol")).await.status, 200);
    // The broken layer answers with a server-side error naming its file, not as unknown.
    let broken = get(&app, &format!("{q}erp")).await;
    assert_eq!(broken.status, 503);
    assert_eq!(broken.exception().0, "NoApplicableCode");
    assert!(broken.text().contains("gone.fgb"), "{}", broken.text());
    assert_eq!(get(&app, &format!("{q}nothere")).await.exception().0, "LayerNotDefined");
    let _ = std::fs::remove_file(cfg);
}

#[test]
fn environment_settings_override_the_file_and_are_checked() {
    let text = std::fs::read_to_string(repo().join("tuile.toml")).unwrap();
    let env = [
        ("TUILE_SERVER__BIND", "0.0.0.0:9000"),
        ("TUILE_SERVER__CACHE__MEMORY_MB", "64"),
        ("TUILE_LAYERS__OCSOL__MAX_SCALE", "50000"),
        ("TUILE_DATA", "/elsewhere"),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()));
    let config = Config::parse(&text, &repo().join("tuile.toml"), |_| None, env).unwrap();
    assert_eq!(config.server.bind, "0.0.0.0:9000");
    assert_eq!(config.server.cache.memory_mb, 64);
    let ocsol = config.layers.iter().find(|l| l.name == "ocsol").unwrap();
    assert_eq!(ocsol.max_scale, Some(50000.0));

    // Through the real process environment, and checked like the file.
    let out = tuile()
        .args(["check-config", "--config"])
        .arg(repo().join("tuile.toml"))
        .env("TUILE_SERVER__LIMITS__MAX_WIDTH", "0")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("server.limits"), "{err}");
    let out = tuile()
        .args(["check-config", "--config"])
        .arg(repo().join("tuile.toml"))
        .env("TUILE_LAYERS__NOPE__TITLE", "x")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("TUILE_LAYERS__NOPE__TITLE"));
}

fn update_sequence(caps: &str) -> u64 {
    let at = caps.find("updateSequence=\"").unwrap() + "updateSequence=\"".len();
    caps[at..].split('"').next().unwrap().parse().unwrap()
}

#[test]
fn sighup_reloads_the_configuration_without_dropping_requests() {
    let cfg = variant(
        "title = \"Établissements recevant du public (ERP)\"",
        "title = \"ERP avant\"",
    );
    let port = free_port();
    // File watching off: only the signal can reload.
    let server = start(&cfg, port, &[("TUILE_SERVER__WATCH_INTERVAL_S", "0")]);
    let caps_url = format!("http://127.0.0.1:{port}/wms?SERVICE=WMS&REQUEST=GetCapabilities");
    let (status, caps) = curl(&caps_url);
    assert_eq!(status, 200);
    assert!(caps.contains("ERP avant"));
    let before = update_sequence(&caps);

    // Requests keep coming while the configuration is replaced.
    let map = format!(
        "http://127.0.0.1:{port}/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ocsol,erp&STYLES=&CRS=EPSG:2154&BBOX=769000,6278000,771000,6280000&WIDTH=512&HEIGHT=512&FORMAT=image/png"
    );
    let load = std::thread::spawn(move || (0..40).map(|i| curl(&format!("{map}&i={i}")).0).collect::<Vec<_>>());
    std::thread::sleep(std::time::Duration::from_millis(200));
    let text = std::fs::read_to_string(&cfg).unwrap().replace("ERP avant", "ERP après");
    std::fs::write(&cfg, text).unwrap();
    let kill = Command::new("kill")
        .args(["-HUP", &server.0.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());

    let mut reloaded = None;
    for _ in 0..100 {
        let (_, caps) = curl(&caps_url);
        if caps.contains("ERP après") {
            reloaded = Some(caps);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let caps = reloaded.expect("SIGHUP reloaded the configuration");
    assert!(!caps.contains("ERP avant"), "the capabilities changed atomically");
    assert!(update_sequence(&caps) > before, "updateSequence moves on");
    let statuses = load.join().unwrap();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    drop(server);
    let _ = std::fs::remove_file(cfg);
}

/// The block scalar under `key: |` in a YAML manifest, dedented.
fn yaml_block(yaml: &str, key: &str) -> String {
    let mut lines = yaml.lines().skip_while(|l| l.trim() != format!("{key}: |"));
    lines.next().expect("the key is in the manifest");
    let block: Vec<&str> = lines.take_while(|l| l.is_empty() || l.starts_with("    ")).collect();
    block
        .iter()
        .map(|l| l.get(4..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_kubernetes_configuration_and_keys_are_valid() {
    let deploy = repo().join("deploy");
    let keys = yaml_block(
        &std::fs::read_to_string(deploy.join("secret.example.yaml")).unwrap(),
        "keys.toml",
    );
    let keys_file = repo().join(format!("target/deploy-keys-{}.toml", std::process::id()));
    std::fs::write(&keys_file, keys).unwrap();
    let toml = yaml_block(
        &std::fs::read_to_string(deploy.join("configmap.yaml")).unwrap(),
        "tuile.toml",
    )
    .replace("/run/secrets/tuile/keys.toml", &keys_file.to_string_lossy());
    let config = Config::from_toml_with(&toml, std::path::Path::new("/etc/tuile/tuile.toml"), |name| {
        (name == "TUILE_DATA").then(|| "/vsis3/bucket/demo".to_string())
    })
    .unwrap_or_else(|e| panic!("{e:?}"));
    let names: Vec<&str> = config.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["bdortho", "ocsol", "erp", "adresses", "adresses_cadastre"]);
    assert_eq!(config.auth.keys.len(), 1);
    assert!(
        config
            .layers
            .iter()
            .all(|l| l.source.path.starts_with("/vsis3/bucket/demo"))
    );
    // The probes the Deployment declares exist.
    let deployment = std::fs::read_to_string(deploy.join("deployment.yaml")).unwrap();
    assert!(deployment.contains("path: /ready") && deployment.contains("path: /health"));
    let _ = std::fs::remove_file(keys_file);
}
