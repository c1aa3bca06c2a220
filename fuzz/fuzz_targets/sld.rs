#![no_main]
//! SLD 1.0/1.1 and SE 1.1 documents.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        tuile::fuzzing::sld(text);
    }
});
