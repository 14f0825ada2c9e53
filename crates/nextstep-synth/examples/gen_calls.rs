//! Writes a corpus of synthetic one-hour sales calls, for benchmarking `nextstep` against
//! other tools (see `scripts/bench-vs-rg.sh`) without real customer transcripts.
//!
//! ```text
//! cargo run --release -p nextstep-synth --example gen_calls -- OUT_DIR N [--minutes 60] [--seed S]
//! ```
//!
//! Files cycle through Teams WebVTT, Zoom WebVTT, SRT, plain, Otter and JSON. The same
//! arguments always produce the same bytes. `OUT_DIR/sellers.txt` lists the seller names
//! used (one per line, sorted, no duplicates; no prospect ever carries one of them), so
//! they can be passed as `--seller` flags. Note that `nextstep analyze OUT_DIR` would also
//! pick up `sellers.txt` (it walks `.txt` files); move it aside first, as
//! `scripts/bench-vs-rg.sh` does.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use nextstep_synth::long_calls as synth;

/// Parsed command line.
struct Args {
    out: PathBuf,
    count: usize,
    minutes: u32,
    seed: u64,
}

/// Shown on bad arguments.
const USAGE: &str = "usage: gen_calls OUT_DIR N [--minutes 60] [--seed S]";

/// Reads `OUT_DIR N [--minutes M] [--seed S]`.
fn parse_args() -> Result<Args, String> {
    let mut positional = Vec::new();
    let mut minutes = 60u32;
    let mut seed = 42u64;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--minutes" => {
                let v = it.next().ok_or("--minutes needs a value")?;
                minutes = v
                    .parse()
                    .map_err(|_| format!("--minutes: {v:?} is not a number"))?;
            }
            "--seed" => {
                let v = it.next().ok_or("--seed needs a value")?;
                seed = v
                    .parse()
                    .map_err(|_| format!("--seed: {v:?} is not a number"))?;
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}\n{USAGE}")),
            _ => positional.push(arg),
        }
    }
    let [out, count] = positional.as_slice() else {
        return Err(USAGE.to_string());
    };
    let count = count
        .parse()
        .map_err(|_| format!("N: {count:?} is not a number\n{USAGE}"))?;
    if minutes == 0 {
        return Err("--minutes must be at least 1".to_string());
    }
    Ok(Args {
        out: PathBuf::from(out),
        count,
        minutes,
        seed,
    })
}

/// Writes the calls and `sellers.txt`.
fn run(args: &Args) -> std::io::Result<()> {
    std::fs::create_dir_all(&args.out)?;
    let mut sellers = BTreeSet::new();
    let mut bytes = 0usize;
    for i in 0..args.count {
        let file = synth::call_file(args.seed, i, args.minutes);
        std::fs::write(args.out.join(&file.name), &file.contents)?;
        bytes += file.contents.len();
        sellers.insert(file.seller);
    }
    let list: String = sellers.iter().map(|s| format!("{s}\n")).collect();
    std::fs::write(args.out.join("sellers.txt"), list)?;
    eprintln!(
        "gen_calls: wrote {} calls ({:.1} MB, {:.1} KB/call avg, {} sellers) to {}",
        args.count,
        bytes as f64 / 1e6,
        bytes as f64 / 1e3 / args.count.max(1) as f64,
        sellers.len(),
        args.out.display()
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("gen_calls: {msg}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_calls: {}: {e}", args.out.display());
            ExitCode::FAILURE
        }
    }
}
