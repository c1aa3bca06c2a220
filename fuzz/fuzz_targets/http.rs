#![no_main]
//! Whole requests through the in-process server (every service), checked on
//! their answers: no 5xx but a standard 501 or a limit's 503, XML
//! well-formed, JSON that parses, images that decode to the size asked for.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(target) = std::str::from_utf8(data)
        && let Err(failure) = tuile::fuzzing::request(target)
    {
        panic!("{failure}");
    }
});
