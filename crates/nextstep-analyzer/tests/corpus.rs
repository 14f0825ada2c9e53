//! The project's own labelled corpus (`tests/corpus/`): every call is analysed and each
//! label the corpus guide defines is compared with the analyzer's judgement.
//!
//! Labels were written from the rules in the corpus guide, not from the analyzer's output.
//! With the rules alone every label must match — one test case per call
//! (`rules_alone::<file>`), so a failure names its file; with the learned act layer the
//! rules consult (which reads wording the lexicon never listed, and now and then reads
//! these calls' small talk differently) at least 99% of labels must, and every miss is
//! printed with the file, the label and what was judged. The measures over the whole
//! corpus (sides inferred, other recorders' styles, punctuation removed) are one case
//! each.
//!
//! A `harness = false` test: libtest-mimic lists the cases, so `cargo test` and
//! `cargo nextest` filter and report them one by one.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};
use nextstep_analyzer::{CallContext, Rules, Side};
use serde::Deserialize;

/// A case over the whole corpus.
type Case = fn() -> Result<(), Failed>;

fn main() {
    let args = Arguments::from_args();
    let rules_alone = Arc::new(Rules::defaults().with_model(None));
    let mut trials: Vec<Trial> = labels()
        .into_iter()
        .map(|label| {
            let rules = Arc::clone(&rules_alone);
            Trial::test(format!("rules_alone::{}", label.file), move || {
                let (wrong, _) = check(&label, &rules);
                if wrong.is_empty() {
                    Ok(())
                } else {
                    Err(format!("{}: {}", label.file, wrong.join("; ")).into())
                }
            })
        })
        .collect();
    let whole: [(&str, Case); 6] = [
        (
            "with_the_act_model_the_labels_still_hold",
            with_the_act_model_the_labels_still_hold,
        ),
        (
            "the_corpus_covers_every_format_and_rule",
            the_corpus_covers_every_format_and_rule,
        ),
        (
            "without_names_the_sellers_side_is_inferred_on_nearly_every_call",
            without_names_the_sellers_side_is_inferred_on_nearly_every_call,
        ),
        (
            "unnamed_and_recogniser_style_speakers_still_get_their_sides",
            unnamed_and_recogniser_style_speakers_still_get_their_sides,
        ),
        (
            "judgement_holds_when_punctuation_and_capitals_are_removed",
            judgement_holds_when_punctuation_and_capitals_are_removed,
        ),
        (
            "stripping_punctuation_keeps_the_words",
            stripping_punctuation_keeps_the_words,
        ),
    ];
    trials.extend(whole.into_iter().map(|(name, run)| Trial::test(name, run)));
    libtest_mimic::run(&args, trials).exit();
}

#[derive(Debug, Deserialize)]
struct Label {
    file: String,
    date: chrono::NaiveDate,
    seller: Vec<String>,
    defined_by: String,
    kind: Option<Vec<String>>,
    confirmed: Option<bool>,
    due: Option<String>,
    asked: Option<bool>,
    volunteered: Option<bool>,
    bail_out: Option<bool>,
    confronted: Option<bool>,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus")
}

fn labels() -> Vec<Label> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/corpus exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let label: Label = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}:{}: {e}", f.display(), n + 1));
            out.push(label);
        }
    }
    out
}

/// Compares one call's judgement with its labels; returns the mismatches and how many
/// labels were compared.
fn check(label: &Label, rules: &Rules) -> (Vec<String>, usize) {
    let path = corpus_dir().join("calls").join(&label.file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let transcript = match nextstep_transcript::parse(&bytes, None) {
        Ok(t) => t,
        Err(e) => return (vec![format!("parse error: {e}")], 1),
    };
    let ctx = CallContext {
        date: label.date,
        sellers: label.seller.clone(),
        ..Default::default()
    };
    let a = match nextstep_analyzer::analyze(&transcript.turns(), &ctx, rules) {
        Ok(a) => a,
        Err(e) => return (vec![format!("analyze error: {e}")], 1),
    };
    let mut wrong = Vec::new();
    let mut compared = 1;
    let step = a.next_step.as_ref();
    let by = match step.map(|s| s.defined_by) {
        None => "none",
        Some(Side::Prospect) => "prospect",
        Some(Side::Seller) => "seller",
    };
    if by != label.defined_by {
        wrong.push(format!("defined_by {by} (want {})", label.defined_by));
    }
    if let (Some(step), true) = (step, label.defined_by != "none") {
        compared += usize::from(label.kind.is_some())
            + usize::from(label.confirmed.is_some())
            + usize::from(label.due.is_some());
        if let Some(kinds) = &label.kind
            && !kinds.iter().any(|k| k == step.kind.as_str())
        {
            wrong.push(format!(
                "kind {} (want {})",
                step.kind.as_str(),
                kinds.join("/")
            ));
        }
        if let Some(c) = label.confirmed
            && c != step.confirmed_by_prospect
        {
            wrong.push(format!(
                "confirmed {} (want {c})",
                step.confirmed_by_prospect
            ));
        }
        if let Some(due) = &label.due {
            let got = step.due.map(|d| d.to_string());
            if got.as_deref() != Some(due.as_str()) {
                wrong.push(format!("due {got:?} (want {due})"));
            }
        }
    }
    let flags = [
        ("asked", label.asked, a.asked_next_step),
        ("volunteered", label.volunteered, !a.volunteered.is_empty()),
        ("bail_out", label.bail_out, !a.bail_outs.is_empty()),
        ("confronted", label.confronted, !a.confrontations.is_empty()),
    ];
    for (name, want, got) in flags {
        compared += usize::from(want.is_some());
        if let Some(want) = want
            && want != got
        {
            wrong.push(format!("{name} {got} (want {want})"));
        }
    }
    (wrong, compared)
}

/// Judges every labelled call; returns the misses (one line per call) and the share of
/// labels that matched.
fn judge_corpus(rules: &Rules) -> (Vec<String>, f64, usize) {
    let labels = labels();
    assert!(
        labels.len() >= 80,
        "the corpus should hold at least 80 calls"
    );
    let (mut misses, mut compared, mut wrong_labels) = (Vec::new(), 0, 0);
    for label in &labels {
        let (wrong, n) = check(label, rules);
        compared += n;
        wrong_labels += wrong.len();
        if !wrong.is_empty() {
            misses.push(format!("{}: {}", label.file, wrong.join("; ")));
        }
    }
    let share = 1.0 - wrong_labels as f64 / compared.max(1) as f64;
    (misses, share, labels.len())
}

fn with_the_act_model_the_labels_still_hold() -> Result<(), Failed> {
    let (misses, share, calls) = judge_corpus(&Rules::defaults());
    assert!(
        share >= 0.99,
        "{:.2}% of labels held; {} of {calls} calls judged differently:\n{}",
        share * 100.0,
        misses.len(),
        misses.join("\n")
    );
    Ok(())
}

fn the_corpus_covers_every_format_and_rule() -> Result<(), Failed> {
    let labels = labels();
    for ext in ["vtt", "srt", "txt", "json"] {
        assert!(
            labels.iter().any(|l| l.file.ends_with(ext)),
            "no .{ext} call"
        );
    }
    for by in ["prospect", "seller", "none"] {
        assert!(
            labels.iter().any(|l| l.defined_by == by),
            "no defined_by {by}"
        );
    }
    let any = |f: fn(&Label) -> Option<bool>| labels.iter().any(|l| f(l) == Some(true));
    assert!(any(|l| l.asked), "no asked call");
    assert!(any(|l| l.volunteered), "no volunteered call");
    assert!(any(|l| l.bail_out), "no bail-out call");
    assert!(any(|l| l.confronted), "no confronted call");
    Ok(())
}

/// Whether inference, given no names, puts exactly the labelled sellers on the seller's
/// side of `label`'s call; the misses name the call and both sides.
fn sides_inferred_right(label: &Label, rules: &Rules) -> Result<(), String> {
    let path = corpus_dir().join("calls").join(&label.file);
    let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
    let transcript = nextstep_transcript::parse(&bytes, None).map_err(|e| e.to_string())?;
    let ctx = CallContext::new(label.date, Vec::new());
    let a =
        nextstep_analyzer::analyze(&transcript.turns(), &ctx, rules).map_err(|e| e.to_string())?;
    let mut got: Vec<String> = a
        .speakers
        .iter()
        .filter(|s| s.role == Side::Seller)
        .map(|s| s.name.clone())
        .collect();
    let mut want = label.seller.clone();
    got.sort();
    want.sort();
    if got == want {
        Ok(())
    } else {
        Err(format!(
            "{}: inferred {got:?} (confidence {:?}), labelled {want:?}",
            label.file,
            a.inferred_sellers
                .iter()
                .map(|s| s.confidence)
                .collect::<Vec<_>>()
        ))
    }
}

fn without_names_the_sellers_side_is_inferred_on_nearly_every_call() -> Result<(), Failed> {
    let rules = Rules::defaults();
    let labels = labels();
    let misses: Vec<String> = labels
        .iter()
        .filter_map(|l| sides_inferred_right(l, &rules).err())
        .collect();
    let right = 1.0 - misses.len() as f64 / labels.len() as f64;
    println!(
        "sides inferred right on {:.1}% of {} calls; misses:\n{}",
        right * 100.0,
        labels.len(),
        misses.join("\n")
    );
    assert!(
        right >= 0.95,
        "sides right on {:.1}% of calls; misses:\n{}",
        right * 100.0,
        misses.join("\n")
    );
    Ok(())
}

/// How a recorder might have written the same call.
#[derive(Debug, Clone, Copy)]
enum Style {
    /// Names replaced by `Speaker 1`, `Speaker 2`… in order of appearance.
    Unnamed,
    /// `SPEAKER_00`… labels and the text in lower case without punctuation, as a
    /// speech recogniser without a diarizer's names writes it.
    Recogniser,
}

/// The share of calls whose seller's side inference gets right when the call is
/// rewritten in `style` (the labelled names mapped to the new labels).
fn sides_right_in_style(style: Style, rules: &Rules) -> (f64, Vec<String>) {
    let labels = labels();
    let mut misses = Vec::new();
    for label in &labels {
        let path = corpus_dir().join("calls").join(&label.file);
        let bytes = std::fs::read(&path).unwrap();
        let turns = nextstep_transcript::parse(&bytes, None).unwrap().turns();
        let mut names: Vec<String> = Vec::new();
        let relabel = |names: &mut Vec<String>, name: &str| {
            let i = names.iter().position(|n| n == name).unwrap_or_else(|| {
                names.push(name.to_string());
                names.len() - 1
            });
            match style {
                Style::Unnamed => format!("Speaker {}", i + 1),
                Style::Recogniser => format!("SPEAKER_{i:02}"),
            }
        };
        let rewritten: Vec<_> = turns
            .iter()
            .map(|u| {
                let mut u = u.clone();
                u.speaker = u.speaker.as_deref().map(|s| relabel(&mut names, s.trim()));
                if let Style::Recogniser = style {
                    u.text = u
                        .text
                        .to_lowercase()
                        .chars()
                        .filter(|c| c.is_alphanumeric() || c.is_whitespace() || *c == '\'')
                        .collect();
                }
                u
            })
            .collect();
        let mut want: Vec<String> = label
            .seller
            .iter()
            .map(|s| relabel(&mut names, s))
            .collect();
        let ctx = CallContext::new(label.date, Vec::new());
        let a = nextstep_analyzer::analyze(&rewritten, &ctx, rules).unwrap();
        let mut got: Vec<String> = a
            .speakers
            .iter()
            .filter(|s| s.role == Side::Seller)
            .map(|s| s.name.clone())
            .collect();
        got.sort();
        want.sort();
        if got != want {
            misses.push(format!("{}: {got:?}, labelled {want:?}", label.file));
        }
    }
    (1.0 - misses.len() as f64 / labels.len() as f64, misses)
}

fn unnamed_and_recogniser_style_speakers_still_get_their_sides() -> Result<(), Failed> {
    let rules = Rules::defaults();
    // (style, the share of calls that must come out right)
    for (style, floor) in [(Style::Unnamed, 0.97), (Style::Recogniser, 0.95)] {
        let (right, misses) = sides_right_in_style(style, &rules);
        println!(
            "{style:?}: sides right on {:.1}% of calls; misses:\n{}",
            right * 100.0,
            misses.join("\n")
        );
        assert!(right >= floor, "{style:?}: {:.1}%", right * 100.0);
    }
    Ok(())
}

/// A call's text as a speech recogniser without punctuation writes it: lower case, dashes
/// and slashes as spaces ("follow-up" is heard as two words), every other mark gone but
/// the apostrophe of "don't", runs of spaces as one.
fn strip_punctuation(text: &str) -> String {
    let spoken: String = text
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            '\u{2019}' | '\'' => Some('\''),
            '-' | '/' | '\u{2013}' | '\u{2014}' => Some(' '),
            c if c.is_alphanumeric() || c.is_whitespace() => Some(c),
            _ => None,
        })
        .collect();
    spoken.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The judgement labels of one analysis as the corpus labels them: `defined_by` and
/// the four flags always, and `kind`, `confirmed` and `due` where a step was judged.
fn judgement_labels(a: &nextstep_analyzer::Analysis) -> Vec<(&'static str, String)> {
    let step = a.next_step.as_ref();
    let mut out = vec![(
        "defined_by",
        step.map_or("none".to_string(), |s| format!("{:?}", s.defined_by)),
    )];
    if let Some(s) = step {
        out.push(("kind", s.kind.as_str().to_string()));
        out.push(("confirmed", s.confirmed_by_prospect.to_string()));
        out.push(("due", format!("{:?}", s.due)));
    }
    out.extend([
        ("asked", a.asked_next_step.to_string()),
        ("volunteered", (!a.volunteered.is_empty()).to_string()),
        ("bail_out", (!a.bail_outs.is_empty()).to_string()),
        ("confronted", (!a.confrontations.is_empty()).to_string()),
    ]);
    out
}

/// Judges every corpus call as written and again with its punctuation and capitals
/// removed (the labelled sellers named both times, so only the text differs); returns
/// the share of the punctuated run's labels the stripped run repeats, and the misses.
/// A label the punctuated run has and the stripped one lacks (a step no longer found)
/// counts as a disagreement.
fn stripped_agreement(rules: &Rules) -> (f64, usize, Vec<String>) {
    let (mut same, mut compared, mut misses) = (0usize, 0usize, Vec::new());
    for label in &labels() {
        let path = corpus_dir().join("calls").join(&label.file);
        let bytes = std::fs::read(&path).unwrap();
        let turns = nextstep_transcript::parse(&bytes, None).unwrap().turns();
        let stripped: Vec<_> = turns
            .iter()
            .map(|u| {
                let mut u = u.clone();
                u.text = strip_punctuation(&u.text);
                u
            })
            .collect();
        let ctx = CallContext::new(label.date, label.seller.clone());
        let written = judgement_labels(&nextstep_analyzer::analyze(&turns, &ctx, rules).unwrap());
        let heard = judgement_labels(&nextstep_analyzer::analyze(&stripped, &ctx, rules).unwrap());
        let mut wrong = Vec::new();
        for (name, value) in &written {
            compared += 1;
            match heard.iter().find(|(n, _)| n == name) {
                Some((_, v)) if v == value => same += 1,
                other => wrong.push(format!(
                    "{name} {} (punctuated {value})",
                    other.map_or("-", |(_, v)| v.as_str())
                )),
            }
        }
        if !wrong.is_empty() {
            misses.push(format!("{}: {}", label.file, wrong.join("; ")));
        }
    }
    (same as f64 / compared.max(1) as f64, compared, misses)
}

/// Issue 10, part 3: judgement must not depend on punctuation. README records the
/// measured agreement; the floor sits just below it (99.3% with the rules' own pick;
/// 98.96% since the offer model, which finds a few more bail-outs in run-on sentences).
fn judgement_holds_when_punctuation_and_capitals_are_removed() -> Result<(), Failed> {
    const FLOOR: f64 = 0.985;
    let (share, compared, misses) = stripped_agreement(&Rules::defaults());
    println!(
        "stripped corpus: {:.2}% of {compared} labels agree; {} calls differ:\n{}",
        share * 100.0,
        misses.len(),
        misses.join("\n")
    );
    assert!(
        share >= FLOOR,
        "{:.1}% of labels agree:\n{}",
        share * 100.0,
        misses.join("\n")
    );
    Ok(())
}

fn stripping_punctuation_keeps_the_words() -> Result<(), Failed> {
    let cases = [
        (
            "Sounds good. Follow-up on 4/14?",
            "sounds good follow up on 4 14",
        ),
        ("We’ll send it — okay, Dana!", "we'll send it okay dana"),
        ("  ", ""),
    ];
    for (text, want) in cases {
        assert_eq!(strip_punctuation(text), want, "{text:?}");
    }
    Ok(())
}
