//! Replays the fuzzers' seeds and every crash they ever found
//! (`fuzz/regressions/<target>/`) through the same entry points: none may
//! panic again.

mod common;

use common::*;

fn inputs(target: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["fuzz/seeds", "fuzz/regressions"] {
        let dir = repo().join(dir).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries {
            let path = e.unwrap().path();
            if path.is_file() {
                let bytes = std::fs::read(&path).unwrap();
                // Non-UTF-8 inputs never reach the parsers (the targets skip them).
                if let Ok(text) = String::from_utf8(bytes) {
                    out.push((path.display().to_string(), text));
                }
            }
        }
    }
    out
}

#[test]
fn every_seed_and_past_crash_is_handled_without_panicking() {
    let catalog = catalog();
    let mut n = 0;
    for target in [
        "wms_kvp",
        "wmts_kvp",
        "wmts_rest",
        "ogcapi_items",
        "cql2",
        "sld",
        "config",
    ] {
        let cases = inputs(target);
        assert!(!cases.is_empty() || target.is_empty(), "no seeds for {target}");
        for (name, text) in cases {
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match target {
                "wms_kvp" => tuile::fuzzing::wms_kvp(&text, &catalog),
                "wmts_kvp" => tuile::fuzzing::wmts_kvp(&text, &catalog),
                "wmts_rest" => {
                    let (path, query) = text.split_once('?').unwrap_or((&text, ""));
                    tuile::fuzzing::wmts_rest(path, query, &catalog)
                }
                "ogcapi_items" => {
                    for c in ["ocsol", "erp", "adresses"] {
                        tuile::fuzzing::ogcapi_items(c, &text, &catalog);
                    }
                }
                "cql2" => tuile::fuzzing::cql2(&text, &catalog),
                "sld" => tuile::fuzzing::sld(&text),
                "config" => tuile::fuzzing::config(&text),
                _ => unreachable!(),
            }));
            assert!(run.is_ok(), "{target}: {name} panics");
            n += 1;
        }
    }
    assert!(n >= 15, "{n} inputs replayed");
}
