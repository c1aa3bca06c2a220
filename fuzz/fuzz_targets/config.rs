#![no_main]
//! `tuile.toml` files.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        tuile::fuzzing::config(text);
    }
});
