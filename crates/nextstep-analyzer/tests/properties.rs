//! Properties that must hold for any input: the analyzer never panics, and its judgements
//! are internally consistent (a bail-out is always also volunteered work, a prospect's
//! step is always confirmed, evidence quotes a sentence that was said).

use chrono::NaiveDate;
use nextstep_analyzer::{CallContext, Rules, Side, analyze, explain};
use nextstep_transcript::Utterance;
use proptest::prelude::*;

/// Compiling the rules is the expensive part; share one copy across cases.
static RULES: std::sync::LazyLock<Rules> = std::sync::LazyLock::new(Rules::defaults);

/// Fragments that exercise the cue lexicons, mixed with arbitrary text.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("I'll send you a proposal".to_string()),
        Just("Let's do a demo next Tuesday".to_string()),
        Just("I'm not following".to_string()),
        Just("It looks like I may have confused you".to_string()),
        Just("What would you like to do from here?".to_string()),
        Just("Sure, that works".to_string()),
        Just("If you want.".to_string()),
        Just("I'll think about it".to_string()),
        Just("maybe there isn't a good fit here".to_string()),
        Just("on the 31st of February, May 2nd, 2/30, the 99th".to_string()),
        Just("’‘“”—…, ; : - ?!.".to_string()),
        "\\PC{0,40}",
    ]
}

fn utterances() -> impl Strategy<Value = Vec<Utterance>> {
    prop::collection::vec(
        (
            0usize..3,
            prop::collection::vec(fragment(), 1..4),
            prop::option::of(0.0f64..7200.0),
        ),
        0..25,
    )
    .prop_map(|items| {
        items
            .into_iter()
            .map(|(who, parts, start)| Utterance {
                id: None,
                start,
                end: None,
                speaker: Some(["Sam Seller", "Pat Prospect", "Kim Buyer"][who].to_string()),
                text: parts.join(" "),
                line: 1,
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn judgements_are_consistent_for_any_call(utts in utterances(), infer in any::<bool>()) {
        let rules = &*RULES;
        let ctx = CallContext {
            date: NaiveDate::from_ymd_opt(2026, 2, 27).unwrap(),
            sellers: if infer { vec![] } else { vec!["Sam Seller".into()] },
                    ..Default::default()
        };
        let Ok(a) = analyze(&utts, &ctx, rules) else {
            return Ok(()); // empty or speakerless calls are errors, not panics
        };
        let _ = explain(&utts, &ctx, rules);
        let said: Vec<&str> = utts.iter().map(|u| u.text.as_str()).collect();
        for b in &a.bail_outs {
            prop_assert!(a.volunteered.iter().any(|v| v.text == b.text && v.start == b.start));
        }
        if let Some(step) = &a.next_step {
            if step.defined_by == Side::Prospect {
                prop_assert!(step.confirmed_by_prospect);
            }
            prop_assert!(said.iter().any(|t| t.contains(step.action.as_str())));
        }
        for m in a.asks.iter().chain(&a.volunteered).chain(&a.confrontations) {
            prop_assert!(said.iter().any(|t| t.contains(m.text.as_str())));
        }
        prop_assert_eq!(a.asked_next_step, !a.asks.is_empty());
    }
}
