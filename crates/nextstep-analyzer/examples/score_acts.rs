//! Scores sentences given on stdin (`side<TAB>text[<TAB>other side's last words]`) with the
//! shipped act model and prints every act's probability: a quick look at what the model
//! reads.
use std::io::BufRead;

use nextstep_analyzer::Side;
use nextstep_analyzer::acts::{Act, ActModel, Context};

fn main() {
    let model = match std::env::var("MODEL") {
        Ok(path) => {
            ActModel::from_bytes(&std::fs::read(path).expect("read MODEL")).expect("a model")
        }
        Err(_) => ActModel::shipped(),
    };
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let mut parts = line.split('\t');
        let side = match parts.next() {
            Some("seller") => Side::Seller,
            _ => Side::Prospect,
        };
        let text = parts.next().unwrap_or("");
        let other = parts.next();
        let s = model.score(
            side,
            text,
            &Context {
                other,
                mid_turn: false,
                cues: &[],
            },
        );
        let mut probs: Vec<(Act, f32)> =
            Act::of_side(side).iter().map(|&a| (a, s.prob(a))).collect();
        probs.sort_by(|a, b| b.1.total_cmp(&a.1));
        let top: Vec<String> = probs
            .iter()
            .take(4)
            .map(|(a, p)| format!("{} {p:.2}", a.as_str()))
            .collect();
        println!(
            "{text:60} | fired {:?} | {} | kind {:?}",
            s.fired()
                .iter()
                .map(|(a, _)| a.as_str())
                .collect::<Vec<_>>(),
            top.join(", "),
            s.kind
        );
    }
}
