//! The shipped act model is data rebuilt by one command: training on the shipped corpus
//! with the default options gives the shipped file byte for byte, so its scores on the
//! test split are the ones README reports, and a change to the corpus or the trainer
//! that is not followed by `nextstep train --out crates/nextstep-analyzer/model/acts.model`
//! fails here.

use nextstep_analyzer::acts::{
    ActModel, Example, Source, Split, TrainOptions, evaluate, shipped_corpus, train,
};

fn split(which: Split) -> Vec<Example> {
    shipped_corpus()
        .expect("the shipped corpus parses")
        .into_iter()
        .filter(|f| f.split == which)
        .flat_map(|f| f.examples)
        .collect()
}

#[test]
fn a_fresh_training_run_rebuilds_the_shipped_model() {
    let corpus = shipped_corpus().expect("the shipped corpus parses");
    let sources: Vec<Source<'_>> = corpus
        .iter()
        .filter(|f| f.split == Split::Train)
        .map(|f| Source {
            name: format!("acts/{}", f.name),
            examples: &f.examples,
            weight: 1.0,
            sampling: f.sampling,
        })
        .collect();
    let dev = split(Split::Dev);
    let fresh = train(&sources, &dev, &TrainOptions::default());
    let shipped = ActModel::shipped();
    let test = split(Split::Test);
    let (a, b) = (evaluate(&fresh, &test), evaluate(&shipped, &test));
    assert_eq!(
        a, b,
        "the shipped model scores differently from a fresh run; retrain it"
    );
    assert!(
        fresh.to_bytes() == shipped.to_bytes(),
        "the shipped model is not what `nextstep train` builds; retrain it"
    );
}

#[test]
fn the_test_split_is_by_authors_the_model_never_saw() {
    let corpus = shipped_corpus().expect("the shipped corpus parses");
    let author = |e: &Example| e.id.split('-').next().unwrap_or("").to_string();
    let mut train_authors: Vec<String> = corpus
        .iter()
        .filter(|f| f.split != Split::Test)
        .flat_map(|f| f.examples.iter().map(author))
        .collect();
    train_authors.sort();
    train_authors.dedup();
    for e in split(Split::Test) {
        assert!(
            !train_authors.contains(&author(&e)),
            "{} is by an author of the train or dev split",
            e.id
        );
    }
}

#[test]
fn the_shipped_model_reads_acts_it_was_never_shown() {
    // A floor well under README's figure, so a broken trainer or feature change fails.
    let eval = evaluate(&ActModel::shipped(), &split(Split::Test));
    assert!(eval.macro_f1 > 0.75, "macro-F1 {:.3}", eval.macro_f1);
    assert!(eval.sentences > 2000);
}
