//! CQL2 text parsing cost as filters nest: tuile's parser against the `cql2`
//! crate's PEG grammar, on the same texts (the figures of FUZZING.md).
//!
//! `cargo run --release --example cql2-nested [MAX_DEPTH]`

use std::time::{Duration, Instant};

/// The mean time of `parse` on `text`, over enough runs to last ~0.2 s
/// (one run when a single one already takes longer).
fn time(text: &str, parse: impl Fn(&str) -> bool) -> (Duration, bool) {
    let started = Instant::now();
    let ok = parse(text);
    let first = started.elapsed();
    if first > Duration::from_millis(200) {
        return (first, ok);
    }
    let runs = (Duration::from_millis(200).as_nanos() / first.as_nanos().max(1)).clamp(1, 100_000) as u32;
    let started = Instant::now();
    for _ in 0..runs {
        parse(text);
    }
    (started.elapsed() / runs, ok)
}

fn main() {
    let max: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(14);
    println!("| nesting | filter | tuile | cql2 crate | ratio |");
    println!("|---:|---|---:|---:|---:|");
    for depth in (2..=max).step_by(2) {
        for (name, text) in [
            ("groups", format!("{}a = 1{}", "(".repeat(depth), ")".repeat(depth))),
            ("calls", format!("{}x{} = 1", "f(".repeat(depth), ")".repeat(depth))),
            (
                "arithmetic",
                format!("{}1{} = a", "(".repeat(depth), " + 1)".repeat(depth)),
            ),
            (
                "arrays",
                format!("a_contains(x, {}1{})", "(".repeat(depth), ", 2)".repeat(depth)),
            ),
            ("unclosed", format!("{}a = 1", "(".repeat(depth))),
        ] {
            let (ours, ok_ours) = time(&text, |t| tuile_core::query::cql2_text::parse(t).is_ok());
            let (theirs, ok_theirs) = time(&text, |t| cql2::parse_text(t).is_ok());
            assert_eq!(ok_ours, ok_theirs, "{text}: the parsers disagree");
            println!(
                "| {depth} | {name} | {:.1} µs | {:.1} µs | {:.0}× |",
                ours.as_secs_f64() * 1e6,
                theirs.as_secs_f64() * 1e6,
                theirs.as_secs_f64() / ours.as_secs_f64()
            );
        }
    }
}
