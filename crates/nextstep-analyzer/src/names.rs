//! Forgiving matches between a transcript's speaker labels and the names a team knows
//! (the `--seller` names, an upload's sellers, the deal's owner and the roster).
//!
//! Recorders spell people their own way: `PRIYA RAMAN`, `Priya Ramán`, `Priya R.`,
//! `Priya Raman (Acme)`, `Raman, Priya`, or only `Priya`. A name typed by a person or
//! kept in the CRM must still find its speaker, while a diarizer's `Speaker 1` must never
//! be taken for anyone.

use unicode_normalization::UnicodeNormalization;

/// How a speaker label matched a known name, strongest first: a first-name-only match
/// counts only when no stronger match exists and it is unambiguous.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Match {
    /// The same words once case, accents, spacing and punctuation are folded.
    Exact,
    /// The same first name and the other words equal or abbreviated to an initial
    /// (`Priya R.` and `Priya Raman`), or middle names left out.
    Initials,
    /// One side is only the other's first name.
    FirstName,
}

/// The words of a name folded for comparison: lower case, accents and other diacritics
/// removed, parenthesised or bracketed notes (`(Acme)`, `[External]`) and everything after
/// ` | ` or ` - ` dropped, `Last, First` turned around, punctuation gone.
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut kept = String::with_capacity(name.len());
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ if depth == 0 => kept.push(c),
            _ => {}
        }
    }
    let mut kept = kept.as_str();
    for sep in [" | ", " - ", " – ", " — ", " @ "] {
        if let Some((head, _)) = kept.split_once(sep) {
            kept = head;
        }
    }
    // "Raman, Priya" is "Priya Raman" (one comma, two short sides).
    let turned;
    if let Some((last, first)) = kept.split_once(',')
        && !first.contains(',')
        && !first.trim().is_empty()
        && !last.trim().is_empty()
    {
        turned = format!("{} {}", first.trim(), last.trim());
        kept = &turned;
    }
    fold_words(kept)
}

/// The words of any text folded as [`words`] folds a name's (lower case, no accents, no
/// punctuation), without a name's special cases.
pub(crate) fn fold_words(text: &str) -> Vec<String> {
    let folded: String = text
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ß' => 's',
            'ø' => 'o',
            'đ' => 'd',
            'ł' => 'l',
            'æ' => 'a',
            'œ' => 'o',
            'ı' => 'i',
            c if c.is_alphanumeric() || c == '\'' => c,
            _ => ' ',
        })
        .collect();
    folded
        .split_whitespace()
        .map(|w| w.trim_matches('\'').to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Words diarizing tools use for voices they cannot name (`Speaker 1`, `SPEAKER_00`,
/// `Unknown Speaker`, `Guest 2`).
const GENERIC_WORDS: [&str; 12] = [
    "speaker",
    "spk",
    "unknown",
    "participant",
    "person",
    "guest",
    "caller",
    "voice",
    "attendee",
    "unidentified",
    "user",
    "anonymous",
];

/// Whether a speaker label is a diarizer's placeholder rather than a person's name:
/// every word is a generic word, a number or a single letter (`Speaker A`), and at least
/// one is a generic word. Such labels are never matched to a roster or a typed name by
/// anything but an exact match.
pub fn is_unnamed(label: &str) -> bool {
    let ws: Vec<String> = words(&label.replace('_', " "));
    !ws.is_empty()
        && ws.iter().any(|w| GENERIC_WORDS.contains(&w.as_str()))
        && ws.iter().all(|w| {
            GENERIC_WORDS.contains(&w.as_str())
                || w.chars().all(|c| c.is_ascii_digit())
                || w.chars().count() == 1
        })
}

/// Whether word `a` is `b` or an initial of it (`r` for `raman`), either way round.
fn word_fits(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let initial = |short: &str, long: &str| {
        short.chars().count() == 1 && long.chars().next() == short.chars().next()
    };
    initial(a, b) || initial(b, a)
}

/// How speaker label `speaker` matches known name `name`, if at all.
pub(crate) fn matches(speaker: &str, name: &str) -> Option<Match> {
    let a = words(speaker);
    let b = words(name);
    if a.is_empty() || b.is_empty() {
        return None;
    }
    if a == b {
        return Some(Match::Exact);
    }
    if is_unnamed(speaker) || is_unnamed(name) {
        return None;
    }
    if a.len() == 1 || b.len() == 1 {
        return (a[0] == b[0]).then_some(Match::FirstName);
    }
    // Same first name (written out on both sides), then the shorter name's other words
    // in order among the longer's, each equal or an initial.
    if a[0] != b[0] || a[0].chars().count() < 2 {
        return None;
    }
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    let mut rest = long[1..].iter();
    let all_found = short[1..]
        .iter()
        .all(|w| rest.by_ref().any(|l| word_fits(w, l)));
    // The last words must agree too: "Priya Raman" is not "Priya Kumari Raman-Shah".
    let last_fits = word_fits(&short[short.len() - 1], &long[long.len() - 1]);
    (all_found && last_fits).then_some(Match::Initials)
}

/// For each speaker, the index of the known name it is, if any. A name goes to the
/// speakers that match it best; a first-name-only match counts only when exactly one
/// name and one speaker share that first name (two `Priya`s, or `Speaker`, stay unmatched).
pub(crate) fn resolve(speakers: &[String], names: &[String]) -> Vec<Option<usize>> {
    let mut out = vec![None; speakers.len()];
    let mut best: Vec<Option<(Match, usize)>> = vec![None; speakers.len()];
    for (i, s) in speakers.iter().enumerate() {
        for (j, n) in names.iter().enumerate() {
            if let Some(m) = matches(s, n) {
                let better = match best[i] {
                    None => true,
                    Some((old, _)) => m < old,
                };
                if better {
                    best[i] = Some((m, j));
                }
            }
        }
    }
    for i in 0..speakers.len() {
        let Some((m, j)) = best[i] else { continue };
        if m == Match::FirstName {
            let first = |s: &str| words(s).into_iter().next();
            let key = first(&speakers[i]);
            let names_sharing = names.iter().filter(|n| first(n) == key).count();
            let speakers_sharing = speakers.iter().filter(|s| first(s) == key).count();
            if names_sharing != 1 || speakers_sharing != 1 {
                continue;
            }
        }
        out[i] = Some(j);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_forgivingly() {
        // (speaker label, known name, expected)
        let cases: &[(&str, &str, Option<Match>)] = &[
            ("Priya Raman", "Priya Raman", Some(Match::Exact)),
            ("PRIYA  RAMAN", "priya raman", Some(Match::Exact)),
            ("Priya Ramán", "Priya Raman", Some(Match::Exact)),
            ("José Núñez", "Jose Nunez", Some(Match::Exact)),
            ("Søren Ødegård", "Soren Odegard", Some(Match::Exact)),
            ("Priya Raman (Acme)", "Priya Raman", Some(Match::Exact)),
            ("Priya Raman [External]", "Priya Raman", Some(Match::Exact)),
            ("Priya Raman | Acme Corp", "Priya Raman", Some(Match::Exact)),
            ("Raman, Priya", "Priya Raman", Some(Match::Exact)),
            ("Priya R.", "Priya Raman", Some(Match::Initials)),
            ("Priya Raman", "Priya R", Some(Match::Initials)),
            ("Priya K. Raman", "Priya Raman", Some(Match::Initials)),
            ("Priya", "Priya Raman", Some(Match::FirstName)),
            ("Priya Raman", "Priya", Some(Match::FirstName)),
            ("Priya Nair", "Priya Raman", None),
            ("Priya S.", "Priya Raman", None),
            ("P. Raman", "Priya Raman", None),
            ("Raman", "Priya Raman", None),
            ("Speaker 1", "Speaker 1", Some(Match::Exact)),
            ("speaker_1", "Speaker 1", Some(Match::Exact)),
            ("Speaker 1", "Speaker 2", None),
            ("Speaker 1", "Speaker", None),
            ("", "Priya", None),
        ];
        for (speaker, name, want) in cases {
            assert_eq!(matches(speaker, name), *want, "{speaker:?} vs {name:?}");
        }
    }

    #[test]
    fn unnamed_labels_are_recognised() {
        for label in [
            "Speaker 1",
            "SPEAKER_00",
            "Unknown Speaker",
            "speaker A",
            "Guest 2",
            "Participant 12",
            "Unknown",
            "spk_3",
        ] {
            assert!(is_unnamed(label), "{label}");
        }
        for label in [
            "Priya Raman",
            "Speaker Pelosi Jr",
            "Guestbook Team",
            "A",
            "12",
        ] {
            assert!(!is_unnamed(label), "{label}");
        }
    }

    #[test]
    fn first_names_count_only_when_unambiguous() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        // (speakers, names, expected)
        type Case = (Vec<String>, Vec<String>, Vec<Option<usize>>);
        let cases: Vec<Case> = vec![
            (
                s(&["Priya", "Tom Hale"]),
                s(&["Priya Raman"]),
                vec![Some(0), None],
            ),
            (
                s(&["Priya", "Tom Hale"]),
                s(&["Priya Raman", "Priya Nair"]),
                vec![None, None],
            ),
            (
                s(&["Priya", "Priya Nair"]),
                s(&["Priya Raman"]),
                vec![None, None],
            ),
            (
                s(&["Priya R.", "Dana Cole", "Speaker 3"]),
                s(&["Dana Cole", "Priya Raman", "Speaker"]),
                vec![Some(1), Some(0), None],
            ),
        ];
        for (speakers, names, want) in cases {
            assert_eq!(resolve(&speakers, &names), want, "{speakers:?} / {names:?}");
        }
    }
}
