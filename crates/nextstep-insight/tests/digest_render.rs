//! Charts and digests: ISO weeks, SVG well-formedness and escaping, digest content, and
//! that transcript text can never become markup in the HTML or the Markdown.

mod coach_support;

use coach_support::{call, d, dataset, rep};
use nextstep_analyzer::AskInstead;
use nextstep_analyzer::{Kind, Side};
use nextstep_core::dataset::Dataset;
use nextstep_insight::charts::{bar_svg, escape, line_svg, reliability_svg};
use nextstep_insight::digest::{
    IsoWeek, escape_markdown, manager_digest, parse_iso_week, rep_digest, slug,
};

const SCRIPT: &str = "<script>alert(\"x\")</script> I'm lost.";
const IMG: &str = "\"><img src=x onerror=alert(1)> I'll send a proposal & a quote.";

fn team() -> Dataset {
    let calls = vec![
        call(1, 1, "Ava Asker", "2026-11-02")
            .step(
                Side::Seller,
                true,
                Kind::Meeting,
                "Let's get together next Tuesday.",
            )
            .build(),
        call(2, 1, "Ava Asker", "2026-11-10")
            .asked()
            .step(
                Side::Prospect,
                true,
                Kind::Demo,
                "Show the team the reports.",
            )
            .build(),
        call(3, 2, "Ava Asker", "2026-11-24")
            .asked()
            .negative("doubt", "I'm not sure my boss will go for it.")
            .confront("It sounds like you're not convinced — what's holding you back?")
            .step(
                Side::Prospect,
                true,
                Kind::Proposal,
                "Send me a proposal for ten seats.",
            )
            .build(),
        call(10, 3, "Bo Bailer", "2026-11-03")
            .asked()
            .step(Side::Prospect, true, Kind::Meeting, "Call me Friday.")
            .build(),
        call(11, 3, "Bo Bailer", "2026-11-11")
            .volunteered("I'll send you a deck.")
            .step(
                Side::Seller,
                false,
                Kind::Information,
                "I'll send you a deck.",
            )
            .build(),
        call(12, 4, "Bo Bailer", "2026-11-25")
            .bail_out("confusion", SCRIPT, IMG)
            .step(Side::Seller, false, Kind::Proposal, IMG)
            .build(),
        call(13, 4, "Bo Bailer", "2026-11-24")
            .bail_out(
                "objection",
                "That's too expensive.",
                "Let me get you a better quote.",
            )
            .build(),
    ];
    dataset(
        calls,
        vec![
            rep(1, "Ava Asker", Some("Max Manager")),
            rep(2, "Bo Bailer", Some("Max Manager")),
            rep(3, "Max Manager", None),
        ],
    )
}

fn w48() -> IsoWeek {
    parse_iso_week("2026-W48").expect("week")
}

#[test]
fn iso_weeks_parse_with_their_monday_and_sunday() {
    let ok = [
        ("2026-W48", "2026-W48", "2026-11-23", "2026-11-29"),
        ("2026W48", "2026-W48", "2026-11-23", "2026-11-29"),
        (" 2026-w01 ", "2026-W01", "2025-12-29", "2026-01-04"),
        ("2026-W1", "2026-W01", "2025-12-29", "2026-01-04"),
        ("2026-W53", "2026-W53", "2026-12-28", "2027-01-03"),
        ("2020-W53", "2020-W53", "2020-12-28", "2021-01-03"),
    ];
    for (input, shown, monday, sunday) in ok {
        let w = parse_iso_week(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(w.to_string(), shown, "{input}");
        assert_eq!(w.monday(), d(monday), "{input}");
        assert_eq!(w.sunday(), d(sunday), "{input}");
        assert!(w.contains(d(monday)) && w.contains(d(sunday)));
        assert_eq!(input.parse::<IsoWeek>().ok(), Some(w));
    }
    for bad in [
        "",
        "W48",
        "2026",
        "2026-48",
        "2026-W",
        "2026-W0",
        "2026-W00",
        "2025-W53",
        "2026-W54",
        "2026-W480",
        "26-W48",
        "2026-Wx8",
        "2026-W-1",
        "２０２６-W48",
    ] {
        let err = parse_iso_week(bad).expect_err(bad);
        assert!(err.to_string().contains("2026-W48"), "{bad}: {err}");
    }
    assert_eq!(IsoWeek::of(d("2027-01-03")).to_string(), "2026-W53");
    assert_eq!(w48().minus_weeks(48).to_string(), "2025-W52");
}

fn parse_svg(svg: &str) -> roxmltree::Document<'_> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let view_box = root.attribute("viewBox").expect("viewBox");
    assert_eq!(view_box.split(' ').count(), 4, "{view_box}");
    doc
}

fn texts(doc: &roxmltree::Document<'_>) -> String {
    doc.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("\n")
}

fn no_active_content(doc: &roxmltree::Document<'_>) {
    for n in doc.descendants().filter(|n| n.is_element()) {
        let name = n.tag_name().name();
        assert!(
            !matches!(
                name,
                "script" | "img" | "iframe" | "object" | "embed" | "link" | "foreignObject" | "a"
            ),
            "element {name}"
        );
        for a in n.attributes() {
            assert!(
                !a.name().starts_with("on"),
                "attribute {} on {name}",
                a.name()
            );
            assert!(
                !matches!(a.name(), "src" | "href"),
                "attribute {} on {name}",
                a.name()
            );
        }
    }
}

#[test]
fn charts_are_well_formed_and_escape_their_text() {
    let evil = "Team <script>alert(1)</script> & \"Co\" 'x'";
    let weeks: Vec<(String, Option<f64>)> = vec![
        ("2026-W45".into(), Some(50.0)),
        ("2026-W46".into(), None),
        ("2026-W47".into(), Some(62.5)),
        (evil.into(), Some(100.0)),
    ];
    let bars = vec![(evil.to_string(), 80.0), ("Ava".to_string(), 12.5)];
    let bins = [
        (0.05, 0.0, 10),
        (0.45, 0.5, 4),
        (0.9, 0.75, 0),
        (0.95, 1.0, 20),
    ];
    let charts = [
        ("line", line_svg(evil, &weeks, 100.0, Some(3))),
        ("line, empty", line_svg(evil, &[], 0.0, None)),
        (
            "line, one point",
            line_svg("One", &[("W1".into(), Some(f64::NAN))], 1.0, Some(0)),
        ),
        ("bars", bar_svg(evil, &bars, 100.0, Some(evil))),
        ("bars, empty", bar_svg("Nobody", &[], 100.0, None)),
        ("reliability", reliability_svg(&bins, evil)),
        ("reliability, empty", reliability_svg(&[], "Nothing")),
    ];
    for (name, svg) in &charts {
        assert!(!svg.contains("<script"), "{name}");
        assert!(
            !svg.contains("NaN") && !svg.contains("inf"),
            "{name}: {svg}"
        );
        let doc = parse_svg(svg);
        no_active_content(&doc);
        if svg.contains("Team") {
            // The text survives escaping exactly.
            assert!(texts(&doc).contains(evil), "{name}");
            assert_eq!(
                doc.root_element().attribute("aria-label"),
                Some(evil),
                "{name}"
            );
        }
    }
    // A gap splits the line; the highlighted point is bigger.
    let doc = parse_svg(&charts[0].1);
    let lines = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .count();
    assert_eq!(lines, 1, "W45 stands alone, W47–W48 make one line");
    let circles: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .collect();
    assert_eq!(circles.len(), 3);
    assert_eq!(circles[2].attribute("r"), Some("5"));
    // The reliability diagram has its diagonal and skips empty bins.
    let doc = parse_svg(&charts[5].1);
    assert!(
        doc.descendants()
            .any(|n| n.has_tag_name("line") && n.attribute("stroke-dasharray").is_some())
    );
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("circle"))
            .count(),
        3
    );
    // Deterministic.
    assert_eq!(
        reliability_svg(&bins, "Backtest"),
        reliability_svg(&bins, "Backtest")
    );
}

#[test]
fn reliability_diagram_snapshot() {
    let bins = [(0.1, 0.12, 30), (0.5, 0.4, 12), (0.85, 0.9, 8)];
    insta::assert_snapshot!(reliability_svg(&bins, "Model vs observed"));
}

#[test]
fn escaping_helpers() {
    assert_eq!(
        escape("<a href=\"x\">&'</a>"),
        "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
    );
    assert_eq!(escape("bell\u{7}tab\t"), "belltab\t");
    assert_eq!(
        escape_markdown("<script>*x* [y](z) | a_b\nnext"),
        "\\<script\\>\\*x\\* \\[y\\](z) \\| a\\_b next"
    );
    let cases = [
        ("Ava Asker", "ava-asker"),
        ("  Zoë  O'Brien ", "zoë-o-brien"),
        ("../../etc/passwd", "etc-passwd"),
        ("", "unnamed"),
    ];
    for (name, want) in cases {
        assert_eq!(slug(name), want, "{name}");
    }
}

/// The HTML is one self-contained, well-formed document with nothing active in it.
fn check_html(html: &str) -> String {
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.trim_end().ends_with("</html>"));
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(html, opts)
        .unwrap_or_else(|e| panic!("{e}\n{html}"));
    assert_eq!(doc.root_element().tag_name().name(), "html");
    no_active_content(&doc);
    let count = |tag: &str| doc.descendants().filter(|n| n.has_tag_name(tag)).count();
    assert_eq!(count("style"), 1);
    let head_title = doc
        .descendants()
        .find(|n| n.has_tag_name("title"))
        .and_then(|t| t.parent())
        .map(|p| p.tag_name().name().to_string());
    assert_eq!(head_title.as_deref(), Some("head"));
    assert!(count("svg") >= 1);
    assert!(
        !html.contains("http://")
            || !html
                .replace("http://www.w3.org/2000/svg", "")
                .contains("http")
    );
    assert!(!html.contains("url("), "no external CSS resources");
    texts(&doc)
}

/// Every `<` in Markdown is backslash-escaped, so no renderer sees a tag.
fn angle_brackets_escaped(md: &str) -> bool {
    let bytes = md.as_bytes();
    bytes
        .iter()
        .enumerate()
        .all(|(i, b)| *b != b'<' || (i > 0 && bytes[i - 1] == b'\\'))
}

#[test]
fn rep_digest_sets_the_week_against_the_trend_and_quotes_a_moment() {
    let data = team();
    let dg = rep_digest(&data, "Bo Bailer", w48(), AskInstead::shipped());
    assert_eq!(dg.title, "Bo Bailer — next-step digest, 2026-W48");
    let md = &dg.markdown;
    assert!(md.contains("This week: 2 calls (#13, #12)"), "{md}");
    assert!(
        md.contains(
            "| Need-for-approval index (0–100, lower is better) | 100 | 50 | +50 (worse) |"
        ),
        "{md}"
    );
    assert!(
        md.contains("| Asked what the next step should be | 0% | 50% | -50 pts (worse) |"),
        "{md}"
    );
    assert!(md.contains("## Tip: From this week's calls"), "{md}");
    assert!(
        md.contains("It looks like I may have confused you — which part lost you?"),
        "{md}"
    );
    assert!(md.contains("call #12, 2026-11-25"), "{md}");
    assert!(
        md.contains("| 2026-W48 (this week) | 2 | 0% | 2 | 100 |"),
        "{md}"
    );

    let text = check_html(&dg.html);
    // The transcript text is there, as text.
    assert!(text.contains(SCRIPT), "{text}");
    assert!(text.contains(IMG), "{text}");
    assert!(
        dg.html
            .contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")
    );
    assert!(
        dg.html
            .contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")
    );
    assert!(!dg.html.contains("<img") && !dg.html.contains("<script"));
    // And inert in the Markdown.
    assert!(angle_brackets_escaped(md), "{md}");
    assert!(md.contains("\\<script\\>alert(\"x\")\\</script\\>"), "{md}");
}

#[test]
fn a_quiet_week_takes_its_tip_from_the_trend() {
    let data = team();
    let dg = rep_digest(&data, "Ava Asker", w48(), AskInstead::shipped());
    assert!(
        dg.markdown.contains("## Tip: From the weeks before"),
        "{}",
        dg.markdown
    );
    assert!(dg.markdown.contains("What would you like to do from here?"));
    assert!(dg.markdown.contains("call #1, 2026-11-02"));
    check_html(&dg.html);

    // Nothing to fix at all: the tip praises the ask, quoting it.
    let only_asks = dataset(
        vec![call(1, 1, "Ann", "2026-11-24").asked().build()],
        Vec::new(),
    );
    let dg = rep_digest(&only_asks, "Ann", w48(), AskInstead::shipped());
    assert!(
        dg.markdown.contains("## Tip: Keep doing this"),
        "{}",
        dg.markdown
    );
    assert!(
        dg.markdown
            .contains("Where would you like to go from here?")
    );

    // No calls at all.
    let dg = rep_digest(&Dataset::default(), "Nobody", w48(), AskInstead::shipped());
    assert!(dg.markdown.contains("## Tip: No calls"), "{}", dg.markdown);
    assert!(dg.markdown.contains("This week: 0 calls (none)"));
    check_html(&dg.html);
}

#[test]
fn manager_digest_ranks_the_team_and_names_the_rep_to_coach() {
    let data = team();
    let dg = manager_digest(&data, "Max Manager", w48(), AskInstead::shipped());
    let md = &dg.markdown;
    let ava = md.find("| Ava Asker |").expect("Ava listed");
    let bo = md.find("| Bo Bailer |").expect("Bo listed");
    assert!(ava < bo, "best first:\n{md}");
    assert!(
        md.contains("2 reps, 3 calls this week; 4 calls in the 8 weeks before."),
        "{md}"
    );
    assert!(
        md.contains("Bo Bailer offered work right after"),
        "the tip names the rep:\n{md}"
    );
    let text = check_html(&dg.html);
    assert!(text.contains(SCRIPT));
    // The bar chart has one bar per rep with calls this week.
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(&dg.html, opts).expect("parses");
    let bars = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("rx") == Some("2"))
        .count();
    assert_eq!(bars, 2);
}

#[test]
fn names_are_escaped_too() {
    let name = "Bo \"The Closer\" <b>Bailer</b> & Co";
    let calls = vec![
        call(1, 1, name, "2026-11-24")
            .bail_out("stall", "Let me think.", "I'll send a summary.")
            .build(),
    ];
    let data = dataset(calls, vec![rep(1, name, Some("<i>Boss</i>"))]);
    for dg in [
        rep_digest(&data, name, w48(), AskInstead::shipped()),
        manager_digest(&data, "<i>Boss</i>", w48(), AskInstead::shipped()),
    ] {
        let text = check_html(&dg.html);
        assert!(text.contains(name), "{text}");
        assert!(!dg.html.contains("<b>") && !dg.html.contains("<i>"));
        assert!(angle_brackets_escaped(&dg.markdown), "{}", dg.markdown);
    }
}

#[test]
fn digest_markdown_snapshots() {
    let data = team();
    insta::assert_snapshot!(
        "rep_digest_bo",
        rep_digest(&data, "Bo Bailer", w48(), AskInstead::shipped()).markdown
    );
    insta::assert_snapshot!(
        "manager_digest_max",
        manager_digest(&data, "Max Manager", w48(), AskInstead::shipped()).markdown
    );
}
