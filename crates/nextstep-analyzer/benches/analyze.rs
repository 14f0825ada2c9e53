//! Throughput benchmarks for the path every call takes: bytes → `parse` → `turns` →
//! `analyze`, so regressions against the project's targets (a one-hour call in under
//! 5 ms; a corpus within 3× of `rg -F -i -f phrases`) show up as numbers.
//!
//! Inputs are synthetic one-hour calls from `nextstep_synth::long_calls` (the same
//! generator `nextstep-synth`'s `examples/gen_calls.rs` uses for the
//! `scripts/bench-vs-rg.sh` corpus), so nothing here depends on files on disk.
//!
//! Groups:
//! - `one_hour_call/parse+analyze/<format>`: one call per format, detection included
//!   (`parse(bytes, None)`, as the CLI does), reported in bytes/s; plus
//!   `parse/teams_vtt` (parse + `turns` only) and `analyze/teams_vtt` (analysis of
//!   already-merged turns) so parse and analysis costs can be told apart.
//! - `corpus/50_calls`: fifty calls cycling through the formats, reported in calls/s.
//! - `rules/compile`: building the default lexicon automaton, paid once per process.
//!
//! Run with `cargo bench -p nextstep-analyzer`.

use std::hint::black_box;
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nextstep_analyzer::{Analysis, CallContext, Rules, analyze};
use nextstep_synth::Style;
use nextstep_synth::long_calls::{self as synth, CallFile};
use nextstep_transcript::Utterance;

/// Seed of every generated input, so runs compare like with like.
const SEED: u64 = 0x5EED_CA11;
/// Length of each generated call.
const MINUTES: u32 = 60;
/// Calls in the corpus benchmark.
const CORPUS_CALLS: usize = 50;

/// The analyzer's view of a generated call's setting: its date and its seller.
fn context(file: &CallFile) -> CallContext {
    CallContext {
        date: NaiveDate::parse_from_str(&file.date, "%Y-%m-%d").expect("synth writes ISO dates"),
        sellers: vec![file.seller.clone()],
        ..Default::default()
    }
}

/// What the CLI does per file: detect, parse, merge turns, analyse.
fn parse_and_analyze(bytes: &[u8], ctx: &CallContext, rules: &Rules) -> Analysis {
    let transcript = nextstep_transcript::parse(bytes, None).expect("synthetic call parses");
    let turns = transcript.turns();
    analyze(&turns, ctx, rules).expect("synthetic call analyses")
}

/// Parse + `turns` only.
fn parse_turns(bytes: &[u8]) -> Vec<Utterance> {
    nextstep_transcript::parse(bytes, None)
        .expect("synthetic call parses")
        .turns()
}

/// One call per format: parse+analyze (MB/s), and parse vs analyze apart for Teams.
fn one_hour_call(c: &mut Criterion) {
    let rules = Rules::defaults();
    let mut group = c.benchmark_group("one_hour_call");
    for (i, style) in Style::ALL.into_iter().enumerate() {
        let file = synth::call_file_in(SEED, i, MINUTES, style);
        let ctx = context(&file);
        let bytes = file.contents.as_bytes();
        // Check once, outside the timing, that the input is the work we mean to measure.
        let analysis = parse_and_analyze(bytes, &ctx, &rules);
        assert!(
            analysis.speakers.len() >= 2,
            "{}: expected a seller and a prospect",
            style.name()
        );
        eprintln!(
            "one_hour_call/{}: {:.1} KB, {} turns",
            style.name(),
            bytes.len() as f64 / 1e3,
            parse_turns(bytes).len()
        );
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("parse+analyze", style.name()),
            bytes,
            |b, bytes| b.iter(|| parse_and_analyze(black_box(bytes), &ctx, &rules)),
        );
        if style == Style::TeamsVtt {
            group.bench_with_input(
                BenchmarkId::new("parse", style.name()),
                bytes,
                |b, bytes| b.iter(|| parse_turns(black_box(bytes))),
            );
            let turns = parse_turns(bytes);
            group.bench_with_input(
                BenchmarkId::new("analyze", style.name()),
                &turns,
                |b, turns| b.iter(|| analyze(black_box(turns), &ctx, &rules).expect("analyses")),
            );
        }
    }
    group.finish();
}

/// A mixed-format corpus, analysed call after call on one thread (calls/s).
fn corpus(c: &mut Criterion) {
    let rules = Rules::defaults();
    let calls: Vec<(CallFile, CallContext)> = (0..CORPUS_CALLS)
        .map(|i| {
            let file = synth::call_file(SEED, i, MINUTES);
            let ctx = context(&file);
            (file, ctx)
        })
        .collect();
    let bytes: usize = calls.iter().map(|(f, _)| f.contents.len()).sum();
    eprintln!(
        "corpus/{CORPUS_CALLS}_calls: {:.2} MB in {CORPUS_CALLS} calls",
        bytes as f64 / 1e6
    );
    let mut group = c.benchmark_group("corpus");
    // One iteration analyses every call (~100 ms); ten samples keep the run short.
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Elements(CORPUS_CALLS as u64));
    group.bench_function(format!("{CORPUS_CALLS}_calls"), |b| {
        b.iter(|| {
            for (file, ctx) in &calls {
                black_box(parse_and_analyze(
                    black_box(file.contents.as_bytes()),
                    ctx,
                    &rules,
                ));
            }
        })
    });
    group.finish();
}

/// The one-off cost of compiling the default rules.
fn rules(c: &mut Criterion) {
    let mut group = c.benchmark_group("rules");
    group.bench_function("compile", |b| b.iter(Rules::defaults));
    group.finish();
}

/// Modest timings so `cargo bench -p nextstep-analyzer` finishes in a couple of minutes;
/// 50 samples fit millisecond-scale iterations into the 5 s window.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = config();
    targets = one_hour_call, corpus, rules
}
criterion_main!(benches);
