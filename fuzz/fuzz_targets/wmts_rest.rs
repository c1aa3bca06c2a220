#![no_main]
//! WMTS RESTful paths (and their query string, after a `?`).
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tuile_core::catalog::Catalog;

static CATALOG: LazyLock<Catalog> = LazyLock::new(tuile::fuzzing::test_catalog);

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let (path, query) = text.split_once('?').unwrap_or((text, ""));
        tuile::fuzzing::wmts_rest(path, query, &CATALOG);
    }
});
