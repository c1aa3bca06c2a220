#![no_main]
//! OGC API items query strings (bbox, datetime, crs, CQL2 filters…),
//! parsed and run on a page of real features.
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tuile_core::catalog::Catalog;

static CATALOG: LazyLock<Catalog> = LazyLock::new(tuile::fuzzing::test_catalog);

fuzz_target!(|data: &[u8]| {
    if let Ok(query) = std::str::from_utf8(data) {
        let collection = match data.first().map(|b| b % 3) {
            Some(0) => "ocsol",
            Some(1) => "erp",
            _ => "adresses",
        };
        tuile::fuzzing::ogcapi_items(collection, query, &CATALOG);
    }
});
