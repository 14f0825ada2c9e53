//! `nextstep train`: fits the dialogue-act model from the shipped utterance corpus plus a
//! team's own labelled sentences, and says how it scores on the held-out test split.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use nextstep_analyzer::Rules;
use nextstep_analyzer::acts::{
    CorpusFile, Example, FeatureConfig, Sampling, Source, Split, TrainOptions, evaluate,
    evaluate_with, parse_corpus, shipped_corpus, train,
};

/// Arguments of `nextstep train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// A team's own labelled sentences (JSON lines, see crates/nextstep-analyzer/acts/
    /// GUIDE.md), added to the training split; repeat for several files.
    #[arg(long, value_name = "FILE.jsonl")]
    add: Vec<PathBuf>,
    /// How much each added line counts against one corpus line.
    #[arg(long, default_value_t = 3.0, value_name = "W")]
    weight: f32,
    /// Where to write the model (use it with `--model FILE`).
    #[arg(long, default_value = "nextstep-acts.model", value_name = "FILE")]
    out: PathBuf,
    /// How often an act the model fires must be right on the dev split before the rules
    /// act on it (higher: fewer, surer verdicts).
    #[arg(long, default_value_t = TrainOptions::default().precision_target, value_name = "P")]
    precision: f32,
    /// How many dimensions of the pretrained word-piece vectors to use (0: none, hashed
    /// n-grams only).
    #[arg(long, default_value_t = TrainOptions::default().features.embed_dims, value_name = "N")]
    embed_dims: usize,
    /// log2 of the hash buckets (more: fewer collisions, a larger model).
    #[arg(long, default_value_t = TrainOptions::default().features.bits, value_name = "BITS")]
    bits: u8,
    /// Add word trigrams to the uni- and bigrams.
    #[arg(long)]
    trigrams: bool,
    /// Print the per-act table and confusion table of the test split.
    #[arg(long)]
    report: bool,
    /// Also train and score the ablation: the rules alone, n-grams, n-grams + vectors.
    #[arg(long)]
    ablation: bool,
}

fn split(corpus: &[CorpusFile], which: Split) -> Vec<Example> {
    corpus
        .iter()
        .filter(|f| f.split == which)
        .flat_map(|f| f.examples.iter().cloned())
        .collect()
}

/// The shipped train files as training sources.
fn corpus_sources(corpus: &[CorpusFile]) -> Vec<Source<'_>> {
    corpus
        .iter()
        .filter(|f| f.split == Split::Train)
        .map(|f| Source {
            name: format!("acts/{}", f.name),
            examples: &f.examples,
            weight: 1.0,
            sampling: f.sampling,
        })
        .collect()
}

/// Runs `nextstep train`.
pub fn run(args: &TrainArgs) -> anyhow::Result<ExitCode> {
    let corpus = shipped_corpus()?;
    let (dev, test) = (split(&corpus, Split::Dev), split(&corpus, Split::Test));
    let n_train: usize = corpus_sources(&corpus)
        .iter()
        .map(|s| s.examples.len())
        .sum();
    let mut added = Vec::new();
    for path in &args.add {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let lines = parse_corpus(&path.display().to_string(), &text)?;
        added.push((path.display().to_string(), lines));
    }
    let mut opts = TrainOptions {
        precision_target: args.precision,
        ..TrainOptions::default()
    };
    opts.features.embed_dims = args.embed_dims;
    opts.features.trigrams |= args.trigrams;
    opts.features.bits = args.bits.clamp(12, 22);
    let mut sources = corpus_sources(&corpus);
    for (name, lines) in &added {
        sources.push(Source {
            name: name.clone(),
            examples: lines,
            weight: args.weight,
            sampling: Sampling::Targeted,
        });
    }
    let started = Instant::now();
    let model = train(&sources, &dev, &opts);
    let took = started.elapsed();
    std::fs::write(&args.out, model.to_bytes())
        .with_context(|| format!("{}: cannot write the model", args.out.display()))?;
    let eval = evaluate(&model, &test);
    let n_added: usize = added.iter().map(|(_, l)| l.len()).sum();
    println!(
        "trained on {} corpus sentences{} in {:.1} s; wrote {}",
        n_train,
        if n_added > 0 {
            format!(" + {n_added} of yours (weight {})", args.weight)
        } else {
            String::new()
        },
        took.as_secs_f64(),
        args.out.display()
    );
    println!(
        "test split ({} sentences by authors it never saw): macro-F1 {:.3}, kind accuracy {:.3}",
        eval.sentences, eval.macro_f1, eval.kind_accuracy
    );
    let (sp, sr, sf) = model.segmenter_scores(&test);
    println!(
        "sentence ends in the test split's text with punctuation stripped: precision {sp:.3}, recall {sr:.3}, F1 {sf:.3}"
    );
    for (name, lines) in &added {
        let own = evaluate(&model, lines);
        println!(
            "{name}: the model now agrees with {:.0}% of your labels (macro-F1 {:.3})",
            100.0 * exact_share(&model, lines),
            own.macro_f1
        );
    }
    if args.report {
        println!("\n{}", eval.to_markdown());
    }
    if args.ablation {
        ablation(&corpus, &dev, &test)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Share of lines whose predicted act set equals the label's.
fn exact_share(model: &nextstep_analyzer::acts::ActModel, lines: &[Example]) -> f64 {
    if lines.is_empty() {
        return 1.0;
    }
    let right = lines
        .iter()
        .filter(|e| {
            let ctx = nextstep_analyzer::acts::context_of(e, &[]);
            let mut got: Vec<_> = model
                .score(e.side, &e.text, &ctx)
                .labels()
                .into_iter()
                .map(|(a, _)| a)
                .collect();
            let mut want = e.acts.clone();
            got.sort();
            want.sort();
            got == want
        })
        .count();
    right as f64 / lines.len() as f64
}

/// The README's ablation: test-split macro-F1 of the rules alone and of each model.
fn ablation(corpus: &[CorpusFile], dev: &[Example], test: &[Example]) -> anyhow::Result<()> {
    println!("\n| model | test macro-F1 | kind accuracy |\n|---|---:|---:|");
    let rules = Rules::defaults();
    let r = evaluate_with(test, |e| rules.cue_acts(e.side, &e.text));
    println!(
        "| (a) rules only (lexicon cues) | {:.3} | {:.3} |",
        r.macro_f1, r.kind_accuracy
    );
    let base = TrainOptions::default();
    let with = |cues: bool, embed_dims: usize, trigrams: bool| FeatureConfig {
        cues,
        embed_dims,
        trigrams,
        ..base.features
    };
    let variants = [
        (
            "(b) hashed word 1-2-grams + the other side's last words; linear",
            with(false, 0, false),
        ),
        ("(b) + word trigrams", with(false, 0, true)),
        (
            "(c) (b) + 64-d MiniLM static vectors",
            with(false, 64, false),
        ),
        (
            "(c) (b) + 128-d MiniLM static vectors",
            with(false, 128, false),
        ),
        (
            "(d) (b) + the lexicon's cues as features (shipped)",
            with(true, 0, false),
        ),
        (
            "(e) (d) + 64-d MiniLM static vectors",
            with(true, 64, false),
        ),
    ];
    for (name, features) in variants {
        let model = train(
            &corpus_sources(corpus),
            dev,
            &TrainOptions {
                features,
                ..base.clone()
            },
        );
        let e = evaluate(&model, test);
        println!("| {name} | {:.3} | {:.3} |", e.macro_f1, e.kind_accuracy);
    }
    Ok(())
}
