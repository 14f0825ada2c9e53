//! How the rules read closings that fresh calls showed them misreading: each row is a
//! short call, the sellers, and the judgement it must get, with the shipped model and
//! (where the lexicon alone should decide) without it.

use chrono::NaiveDate;
use nextstep_analyzer::{Analysis, CallContext, Rules, Side, analyze};

/// What a row expects: who defined the step (None: no step), its kind, and whether a
/// bail-out was found.
struct Want {
    defined_by: Option<Side>,
    kind: Option<&'static str>,
    bail_out: bool,
}

fn judge(call: &str, rules: &Rules) -> Analysis {
    let transcript = nextstep_transcript::parse(call.as_bytes(), None).expect("parses");
    let ctx = CallContext {
        date: NaiveDate::from_ymd_opt(2026, 5, 11).unwrap(),
        sellers: vec!["Sam Seller".into()],
        ..CallContext::default()
    };
    analyze(&transcript.turns(), &ctx, rules).expect("analyses")
}

#[test]
fn closings_fresh_calls_taught() {
    // (what the row is about, the call, what it must get, whether the rules alone must)
    let rows: [(&str, &str, Want, bool); 9] = [
        (
            "a title with a full stop is still a speaker's name",
            "Sam Seller: For a branch your size it is about forty thousand a month.\n\
             Dr. Kavitha Rao: I need the quotation for all three branches by the 25th.\n\
             Sam Seller: Definitely. By the 25th.\n",
            Want {
                defined_by: Some(Side::Prospect),
                kind: Some("quote"),
                bail_out: false,
            },
            true,
        ),
        (
            "contact on a condition is a stall, not a step",
            "Sam Seller: Where would you like to take it from here?\n\
             Pat Prospect: Nothing for now. If the bill gets worse I'll give you a call.\n\
             Sam Seller: Fair enough.\n",
            Want {
                defined_by: None,
                kind: None,
                bail_out: false,
            },
            true,
        ),
        (
            "a dated contact on a condition is still a step",
            "Pat Prospect: Check back with me on June 2nd, once the new budget is final.\n\
             Sam Seller: I'll put June 2nd in the calendar.\n",
            Want {
                defined_by: Some(Side::Prospect),
                kind: Some("follow_up"),
                bail_out: false,
            },
            true,
        ),
        (
            "a request frame, then its kind in the next sentence",
            "Pat Prospect: Here's what I need from you. A quote through the state contract, three years.\n\
             Sam Seller: Understood, you'll have it by the 19th.\n",
            Want {
                defined_by: Some(Side::Prospect),
                kind: Some("quote"),
                bail_out: false,
            },
            true,
        ),
        (
            "the prospect adding a detail keeps the seller's step",
            "Pat Prospect: Nine dollars a head is quite expensive.\n\
             Sam Seller: Let me go back and work out a better number for you. I'll send a revised quote this afternoon.\n\
             Pat Prospect: Okay.\n\
             Pat Prospect: Can you also send the processing agreement?\n\
             Sam Seller: Yes, will do.\n",
            Want {
                defined_by: Some(Side::Seller),
                kind: Some("quote"),
                bail_out: true,
            },
            true,
        ),
        (
            "a negated step lends its kind to nothing",
            "Pat Prospect: Please don't send a proposal, I'd just have to file it.\n\
             Sam Seller: Ha. Fair enough, no proposal. Then I'll let you get on with your day.\n",
            Want {
                defined_by: None,
                kind: None,
                bail_out: false,
            },
            true,
        ),
        (
            "nah turns a suggestion down",
            "Sam Seller: Would it be worth a quick look at a demo anyway?\n\
             Pat Prospect: Nah, mate. I appreciate it, but no.\n\
             Sam Seller: All good.\n",
            Want {
                defined_by: None,
                kind: None,
                bail_out: false,
            },
            true,
        ),
        (
            "a meeting to hand over the trial is how the trial happens",
            "Sam Seller: What would a sensible first step look like from your side?\n\
             Pat Prospect: We want a sixty-day pilot on line three.\n\
             Sam Seller: Great, we can do that.\n\
             Pat Prospect: Monday morning I'll have somebody meet your engineers at the dock.\n",
            Want {
                defined_by: Some(Side::Prospect),
                kind: Some("trial"),
                bail_out: false,
            },
            true,
        ),
        (
            "what I'll do is: a seller's commitment the model names",
            "Pat Prospect: Honestly, I'm not seeing anything here that our current tool doesn't already do.\n\
             Sam Seller: Understood. What I'll do is put together a side-by-side for you.\n\
             Pat Prospect: If you want.\n",
            Want {
                defined_by: Some(Side::Seller),
                kind: None,
                bail_out: true,
            },
            false,
        ),
    ];
    let with_model = Rules::defaults();
    let rules_only = Rules::defaults().with_model(None);
    let mut failures = Vec::new();
    for (about, call, want, lexicon_decides) in &rows {
        let runs: &[(&str, &Rules)] = if *lexicon_decides {
            &[("with the model", &with_model), ("rules only", &rules_only)]
        } else {
            &[("with the model", &with_model)]
        };
        for (how, rules) in runs {
            let a = judge(call, rules);
            let got_by = a.next_step.as_ref().map(|s| s.defined_by);
            let got_kind = a.next_step.as_ref().map(|s| s.kind.as_str());
            let kind_ok = want.kind.is_none_or(|k| got_kind == Some(k));
            if got_by != want.defined_by || !kind_ok || a.bail_outs.is_empty() == want.bail_out {
                failures.push(format!(
                    "{about} ({how}): got {got_by:?} {got_kind:?} bail-out {}",
                    !a.bail_outs.is_empty()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
