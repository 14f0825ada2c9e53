//! The human-readable terminal report for one analysed call.

use std::io::{self, Write};
use std::path::Path;

use chrono::NaiveDate;
use nextstep_analyzer::{Analysis, Moment, Side};
use nextstep_transcript::Format;

/// `m:ss` or `h:mm:ss` for a time in seconds.
pub fn timestamp(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return String::new();
    }
    let t = seconds as u64;
    let (h, m, s) = (t / 3600, (t % 3600) / 60, t % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// Writes a line, treating a closed pipe (`| head`) as a normal end.
pub fn write_line(out: &mut impl Write, line: &str) -> io::Result<()> {
    match writeln!(out, "{line}") {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

fn moment_line(m: &Moment) -> String {
    let at = m.start.map(timestamp).unwrap_or_else(|| "-".into());
    format!(
        "  [{at}] {}: \"{}\"\n        ({})",
        m.speaker, m.text, m.why
    )
}

fn section(out: &mut String, title: &str, moments: &[Moment]) {
    out.push_str(&format!("{title} ({})\n", moments.len()));
    for m in moments {
        out.push_str(&moment_line(m));
        out.push('\n');
    }
}

/// Writes the full report for one call.
pub fn write_report(
    out: &mut impl Write,
    path: &Path,
    format: Format,
    date: NaiveDate,
    a: &Analysis,
) -> io::Result<()> {
    let mut s = String::new();
    s.push_str(&format!(
        "== {} ({format}, call date {date})\n",
        path.display()
    ));
    let speakers: Vec<String> = a
        .speakers
        .iter()
        .map(|r| {
            let side = match r.role {
                Side::Seller => "seller",
                Side::Prospect => "prospect",
            };
            if r.inferred {
                format!(
                    "{} ({side}, inferred, {:.0}% sure)",
                    r.name,
                    r.confidence * 100.0
                )
            } else {
                format!("{} ({side})", r.name)
            }
        })
        .collect();
    s.push_str(&format!("Speakers: {}\n", speakers.join(", ")));
    if !a.inferred_sellers.is_empty() {
        let sellers: Vec<String> = a
            .inferred_sellers
            .iter()
            .map(|r| format!("{} ({:.2})", r.name, r.confidence))
            .collect();
        s.push_str(&format!(
            "Seller's side inferred: {} — if that is wrong, name them with --seller\n",
            sellers.join(", ")
        ));
    }
    s.push('\n');
    match &a.next_step {
        Some(step) => {
            let who = match step.defined_by {
                Side::Prospect => "PROSPECT",
                Side::Seller => "SELLER",
            };
            s.push_str(&format!("Next step: {}\n", step.action));
            s.push_str(&format!(
                "  kind {}, due {}, owner {}\n",
                step.kind.as_str(),
                step.due
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "not named".into()),
                step.owner.as_str()
            ));
            s.push_str(&format!(
                "  defined by the {who}; prospect agreed: {}\n",
                if step.confirmed_by_prospect {
                    "yes"
                } else {
                    "NO"
                }
            ));
            for m in &step.evidence {
                s.push_str(&moment_line(m));
                s.push('\n');
            }
        }
        None => {
            s.push_str("Next step: NONE — the call ended without a concrete next step\n");
            if let Some(m) = &a.step_set_aside {
                s.push_str(&moment_line(m));
                s.push('\n');
            }
        }
    }
    s.push_str(&format!(
        "\nAsked what the next step should be: {}\n",
        if a.asked_next_step {
            "yes"
        } else {
            "no (told, or never raised)"
        }
    ));
    for m in &a.asks {
        s.push_str(&moment_line(m));
        s.push('\n');
    }
    s.push('\n');
    section(&mut s, "Bail-outs", &a.bail_outs);
    section(&mut s, "Volunteered work", &a.volunteered);
    section(&mut s, "Confronted the issue", &a.confrontations);
    section(&mut s, "Prospect's negative signals", &a.negative_signals);
    if !a.coaching.is_empty() {
        s.push_str("\nCoaching\n");
        for line in &a.coaching {
            s.push_str(&format!("  * {line}\n"));
        }
    }
    write_line(out, &s)
}

/// Writes the `--explain` trace: each sentence with the cues that fired.
pub fn write_explained(
    out: &mut impl Write,
    path: &Path,
    format: Format,
    date: NaiveDate,
    trace: &[nextstep_analyzer::ExplainedSentence],
) -> io::Result<()> {
    let mut s = format!("== {} ({format}, call date {date})\n", path.display());
    for t in trace {
        let at = t.start.map(timestamp).unwrap_or_else(|| "-".into());
        let side = match t.side {
            Side::Seller => "S",
            Side::Prospect => "P",
        };
        s.push_str(&format!("[{at}] {side} {}: {}\n", t.speaker, t.text));
        for c in &t.cues {
            s.push_str(&format!("          {c}\n"));
        }
        for a in &t.classifier {
            let kind = a
                .kind
                .map(|(k, p)| format!(", kind {} {p:.2}", k.as_str()))
                .unwrap_or_default();
            let acted = if a.acted_on {
                ""
            } else {
                " (below the rules' threshold)"
            };
            s.push_str(&format!(
                "          classifier: {} {:.2}{kind}{acted}\n",
                a.act.as_str(),
                a.probability
            ));
        }
    }
    write_line(out, &s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_without_a_step_shows_the_step_the_chooser_set_aside() {
        let aside = Moment {
            speaker: "Pat".into(),
            start: Some(65.0),
            text: "If we did it, I'd wanna try it on the hospital job first.".into(),
            why: "step chooser: no step 0.81 (set aside the rules' pick)".into(),
            ..Moment::default()
        };
        let mut a = Analysis::default();
        let date = NaiveDate::from_ymd_opt(2026, 5, 19).unwrap();
        for (set_aside, shown) in [(None, false), (Some(aside), true)] {
            a.step_set_aside = set_aside;
            let mut out = Vec::new();
            write_report(&mut out, Path::new("c.txt"), Format::Plain, date, &a).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(text.contains("Next step: NONE"), "{text}");
            assert_eq!(text.contains("[1:05] Pat: \"If we did it"), shown, "{text}");
            assert_eq!(text.contains("set aside the rules' pick"), shown, "{text}");
        }
    }
}
