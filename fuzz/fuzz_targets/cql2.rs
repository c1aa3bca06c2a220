#![no_main]
//! CQL2 text and JSON, parsed and compiled.
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tuile_core::catalog::Catalog;

static CATALOG: LazyLock<Catalog> = LazyLock::new(tuile::fuzzing::test_catalog);

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        tuile::fuzzing::cql2(text, &CATALOG);
    }
});
