#![no_main]
//! WMS query strings: GetMap, GetFeatureInfo, EXCEPTIONS, both versions.
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tuile_core::catalog::Catalog;

static CATALOG: LazyLock<Catalog> = LazyLock::new(tuile::fuzzing::test_catalog);

fuzz_target!(|data: &[u8]| {
    if let Ok(query) = std::str::from_utf8(data) {
        tuile::fuzzing::wms_kvp(query, &CATALOG);
    }
});
