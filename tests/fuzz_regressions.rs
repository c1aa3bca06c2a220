//! Replays the fuzzers' seeds and every crash they ever found
//! (`fuzz/regressions/<target>/`) through the same entry points: none may
//! panic again.

mod common;

use common::*;

fn inputs(target: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["fuzz/seeds", "fuzz/regressions", "fuzz/corpus-min"] {
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

/// The response-level fuzzer's seeds (requests real clients sent) and past
/// finds: every answer passes the fuzzer's checks, and the XML ones are
/// valid against their schema.
#[test]
fn every_recorded_request_gets_a_well_formed_and_valid_answer() {
    let _ = catalog();
    let mut validated = 0;
    let cases = inputs("http");
    assert!(cases.len() >= 100, "{} recorded requests", cases.len());
    for (name, target) in cases {
        let recorded = name.contains("fuzz/seeds/");
        let answer = tuile::fuzzing::request(&target).unwrap_or_else(|e| panic!("{name}: {e}"));
        let Some(a) = answer else { continue };
        if !recorded {
            continue; // the minimised corpus is checked, not validated (xmllint is slow)
        }
        let ctype = a
            .headers
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        if !ctype.contains("xml") {
            continue;
        }
        let text = String::from_utf8_lossy(&a.body);
        let schema = if text.contains("<WMS_Capabilities") {
            Schema::WmsCapabilities130
        } else if text.contains("<WMT_MS_Capabilities") {
            Schema::WmsCapabilities111
        } else if text.contains("<ServiceExceptionReport") && text.contains("exception_1_1_1.dtd") {
            Schema::WmsException111
        } else if text.contains("<ServiceExceptionReport") {
            Schema::WmsException130
        } else if text.contains("<Capabilities") && text.contains("wmts/1.0") {
            Schema::Xsd("wmts/1.0/wmtsGetCapabilities_response.xsd")
        } else if text.contains("<ows:ExceptionReport") {
            Schema::Xsd("ows/1.1.0/owsExceptionReport.xsd")
        } else {
            continue;
        };
        validate(&a.body, schema);
        validated += 1;
    }
    assert!(validated >= 10, "{validated} XML answers validated");
}
