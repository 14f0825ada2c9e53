//! The rules file is user input: extension, replacement and every kind of mistake in it.

use nextstep_analyzer::{RuleSet, Rules, RulesError};

#[test]
fn the_default_rules_compile_and_list_their_phrases() {
    let rules = Rules::defaults();
    let phrases = rules.rule_set().phrases();
    assert!(phrases.len() > 300, "only {} phrases", phrases.len());
    assert!(
        phrases.iter().all(|p| !p.starts_with('/')),
        "regexes are not phrases"
    );
    assert!(phrases.contains(&"i may have confused you".to_string()));
}

#[test]
fn an_extension_adds_to_the_lists_and_replace_swaps_them() {
    let extended = RuleSet::defaults()
        .merge(RuleSet::from_toml("[kinds]\ntrial = [\"proof of value\"]\n").unwrap());
    let trial = &extended.kinds["trial"];
    assert!(trial.contains(&"pilot".to_string()) && trial.contains(&"proof of value".to_string()));

    let replaced = RuleSet::defaults().merge(
        RuleSet::from_toml("replace = true\n[kinds]\ntrial = [\"proof of value\"]\n").unwrap(),
    );
    assert_eq!(replaced.kinds["trial"], ["proof of value"]);
    assert!(replaced.cues.is_empty());
}

#[test]
fn mistakes_in_a_rules_file_are_named() {
    // (file text, a fragment the error must contain)
    let cases = [
        (
            "[kinds]\nteleport = [\"beam me\"]\n",
            "unknown list \"teleport\"",
        ),
        (
            "[cues]\nagreement = [\"/(unclosed/\"]\n",
            "bad regular expression",
        ),
        ("[negative]\nconfusion = [\"   \"]\n", "empty cue phrase"),
        ("[kinds\n", "not valid"),
        ("[mood]\nhappy = [\"yay\"]\n", "unknown field"),
    ];
    for (text, want) in cases {
        let err = match Rules::with_extension(text) {
            Ok(_) => panic!("{text:?} was accepted"),
            Err(e) => e,
        };
        let msg = err.to_string();
        assert!(msg.contains(want), "{text:?}: {msg}");
        if want == "not valid" {
            assert!(matches!(err, RulesError::Toml(_)));
        }
    }
}
