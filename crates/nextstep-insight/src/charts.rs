//! Tiny inline SVG charts for the digests and reports.
//!
//! Dependency-free on purpose: a digest must be one self-contained file that opens
//! anywhere, so its charts are plain SVG strings inlined into the HTML. Every builder is
//! deterministic (numbers printed with fixed decimals, no random ids) so the output can
//! be snapshot-tested, sizes itself with a `viewBox` so it scales, and escapes every piece
//! of text it is given (rep names and titles come from user data).

use std::fmt::Write;

const FONT: &str = "font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\"";
const INK: &str = "#1f2933";
const MUTED: &str = "#7b8794";
const GRID: &str = "#e4e7eb";
const LINE: &str = "#2563eb";
const ALERT: &str = "#dc2626";

/// Escapes text for XML and HTML content and attribute values (`& < > " '`).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Characters XML 1.0 forbids: dropped rather than break the document.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A number with one decimal and no `-0.0`, so output is stable.
fn num(v: f64) -> String {
    let s = format!("{v:.1}");
    if s == "-0.0" { "0.0".to_string() } else { s }
}

/// A value for display: integers without decimals, else up to two.
fn label(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').to_string()
    }
}

fn open(out: &mut String, width: f64, height: f64, title: &str) {
    let t = escape(title);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" \
         height=\"{h}\" role=\"img\" aria-label=\"{t}\" {FONT}>\
         <title>{t}</title>\
         <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\
         <text x=\"12\" y=\"20\" font-size=\"14\" font-weight=\"600\" fill=\"{INK}\">{t}</text>",
        w = num(width),
        h = num(height),
    );
}

/// A line chart of one series over labelled points (the weekly trend): `None` values are
/// gaps, the y axis runs from 0 to `y_max` with five grid lines, and the point at
/// `highlight` (the digest's week) is drawn larger and red.
pub fn line_svg(
    title: &str,
    points: &[(String, Option<f64>)],
    y_max: f64,
    highlight: Option<usize>,
) -> String {
    let (w, h) = (640.0, 240.0);
    let (left, right, top, bottom) = (48.0, 44.0, 36.0, 44.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let y_max = if y_max.is_finite() && y_max > 0.0 {
        y_max
    } else {
        1.0
    };
    let n = points.len();
    let x_at = |i: usize| {
        if n <= 1 {
            left + pw / 2.0
        } else {
            left + pw * i as f64 / (n - 1) as f64
        }
    };
    let y_at = |v: f64| top + ph * (1.0 - (v / y_max).clamp(0.0, 1.0));

    let mut out = String::new();
    open(&mut out, w, h, title);
    for k in 0..=4 {
        let v = y_max * k as f64 / 4.0;
        let y = y_at(v);
        let _ = write!(
            out,
            "<line x1=\"{l}\" y1=\"{y}\" x2=\"{r}\" y2=\"{y}\" stroke=\"{GRID}\" stroke-width=\"1\"/>\
             <text x=\"{tx}\" y=\"{ty}\" font-size=\"11\" fill=\"{MUTED}\" text-anchor=\"end\">{lab}</text>",
            l = num(left),
            r = num(w - right),
            y = num(y),
            tx = num(left - 6.0),
            ty = num(y + 4.0),
            lab = escape(&label(v)),
        );
    }
    // Label at most ~8 points so week names never overlap.
    let every = n.div_ceil(8).max(1);
    for (i, (name, _)) in points.iter().enumerate() {
        if i % every == 0 || Some(i) == highlight || i + 1 == n {
            let _ = write!(
                out,
                "<text x=\"{x}\" y=\"{y}\" font-size=\"11\" fill=\"{MUTED}\" text-anchor=\"middle\">{t}</text>",
                x = num(x_at(i)),
                y = num(h - bottom + 18.0),
                t = escape(name),
            );
        }
    }
    // One polyline per run of values; a gap (None) breaks the line.
    let mut runs: Vec<Vec<String>> = vec![Vec::new()];
    for (i, (_, v)) in points.iter().enumerate() {
        match v.filter(|v| v.is_finite()) {
            Some(v) => {
                if let Some(run) = runs.last_mut() {
                    run.push(format!("{},{}", num(x_at(i)), num(y_at(v))));
                }
            }
            None => runs.push(Vec::new()),
        }
    }
    for run in runs.iter().filter(|r| r.len() > 1) {
        let _ = write!(
            out,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{LINE}\" stroke-width=\"2\"/>",
            run.join(" ")
        );
    }
    for (i, (name, v)) in points.iter().enumerate() {
        let Some(v) = v.filter(|v| v.is_finite()) else {
            continue;
        };
        let hot = Some(i) == highlight;
        let _ = write!(
            out,
            "<circle cx=\"{x}\" cy=\"{y}\" r=\"{r}\" fill=\"{c}\"><title>{t}: {val}</title></circle>",
            x = num(x_at(i)),
            y = num(y_at(v)),
            r = if hot { "5" } else { "3" },
            c = if hot { ALERT } else { LINE },
            t = escape(name),
            val = escape(&label((v * 100.0).round() / 100.0)),
        );
        if hot {
            let _ = write!(
                out,
                "<text x=\"{x}\" y=\"{y}\" font-size=\"11\" fill=\"{ALERT}\" text-anchor=\"middle\">{val}</text>",
                x = num(x_at(i)),
                y = num(y_at(v) - 9.0),
                val = escape(&label((v * 10.0).round() / 10.0)),
            );
        }
    }
    if points.iter().all(|(_, v)| v.is_none_or(|v| !v.is_finite())) {
        let _ = write!(
            out,
            "<text x=\"{x}\" y=\"{y}\" font-size=\"12\" fill=\"{MUTED}\" text-anchor=\"middle\">no data</text>",
            x = num(left + pw / 2.0),
            y = num(top + ph / 2.0),
        );
    }
    out.push_str("</svg>");
    out
}

/// A horizontal bar chart (reps by need-for-approval): one labelled bar per entry in the
/// order given, scaled to `max`, the bar named `highlight` drawn red.
pub fn bar_svg(title: &str, bars: &[(String, f64)], max: f64, highlight: Option<&str>) -> String {
    let w = 640.0;
    let (left, right, top, row) = (180.0, 60.0, 36.0, 26.0);
    let h = top + row * bars.len().max(1) as f64 + 12.0;
    let pw = w - left - right;
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let mut out = String::new();
    open(&mut out, w, h, title);
    for (i, (name, v)) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let v = if v.is_finite() { *v } else { 0.0 };
        let len = pw * (v / max).clamp(0.0, 1.0);
        let hot = highlight == Some(name.as_str());
        let shown: String = if name.chars().count() > 26 {
            name.chars().take(25).chain(['…']).collect()
        } else {
            name.clone()
        };
        let _ = write!(
            out,
            "<text x=\"{lx}\" y=\"{ty}\" font-size=\"12\" fill=\"{INK}\" text-anchor=\"end\">{n}</text>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{bw}\" height=\"{bh}\" rx=\"2\" fill=\"{c}\"><title>{full}: {val}</title></rect>\
             <text x=\"{vx}\" y=\"{ty}\" font-size=\"12\" fill=\"{MUTED}\">{val}</text>",
            lx = num(left - 8.0),
            ty = num(y + row / 2.0 + 4.0),
            n = escape(&shown),
            full = escape(name),
            x = num(left),
            y = num(y + 4.0),
            bw = num(len),
            bh = num(row - 8.0),
            c = if hot { ALERT } else { LINE },
            vx = num(left + len + 6.0),
            val = escape(&label((v * 10.0).round() / 10.0)),
        );
    }
    if bars.is_empty() {
        let _ = write!(
            out,
            "<text x=\"{x}\" y=\"{y}\" font-size=\"12\" fill=\"{MUTED}\">no data</text>",
            x = num(left),
            y = num(top + 16.0),
        );
    }
    out.push_str("</svg>");
    out
}

/// A reliability diagram: each bin's mean predicted probability against the observed
/// frequency, circles sized by the bin's count, over the dashed diagonal of perfect
/// calibration. Bins with no deals and non-finite values are skipped. Shared with the
/// forecast backtest (`--plot FILE.svg`).
pub fn reliability_svg(bins: &[(f64, f64, usize)], title: &str) -> String {
    let (w, h) = (420.0, 440.0);
    let (left, top, size) = (56.0, 40.0, 340.0);
    let x_at = |p: f64| left + size * p.clamp(0.0, 1.0);
    let y_at = |p: f64| top + size * (1.0 - p.clamp(0.0, 1.0));
    let mut out = String::new();
    open(&mut out, w, h, title);
    for k in 0..=5 {
        let p = k as f64 / 5.0;
        let _ = write!(
            out,
            "<line x1=\"{x0}\" y1=\"{y}\" x2=\"{x1}\" y2=\"{y}\" stroke=\"{GRID}\" stroke-width=\"1\"/>\
             <line x1=\"{x}\" y1=\"{y0}\" x2=\"{x}\" y2=\"{y1}\" stroke=\"{GRID}\" stroke-width=\"1\"/>\
             <text x=\"{lx}\" y=\"{ly}\" font-size=\"11\" fill=\"{MUTED}\" text-anchor=\"end\">{p:.1}</text>\
             <text x=\"{x}\" y=\"{by}\" font-size=\"11\" fill=\"{MUTED}\" text-anchor=\"middle\">{p:.1}</text>",
            x0 = num(x_at(0.0)),
            x1 = num(x_at(1.0)),
            y = num(y_at(p)),
            x = num(x_at(p)),
            y0 = num(y_at(0.0)),
            y1 = num(y_at(1.0)),
            lx = num(left - 6.0),
            ly = num(y_at(p) + 4.0),
            by = num(top + size + 16.0),
        );
    }
    let _ = write!(
        out,
        "<rect x=\"{l}\" y=\"{t}\" width=\"{s}\" height=\"{s}\" fill=\"none\" stroke=\"{MUTED}\" stroke-width=\"1\"/>\
         <line x1=\"{x0}\" y1=\"{y0}\" x2=\"{x1}\" y2=\"{y1}\" stroke=\"{MUTED}\" stroke-width=\"1\" stroke-dasharray=\"4 4\"/>\
         <text x=\"{cx}\" y=\"{ay}\" font-size=\"12\" fill=\"{INK}\" text-anchor=\"middle\">mean predicted probability</text>\
         <text x=\"14\" y=\"{cy}\" font-size=\"12\" fill=\"{INK}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {cy})\">observed frequency</text>",
        l = num(left),
        t = num(top),
        s = num(size),
        x0 = num(x_at(0.0)),
        y0 = num(y_at(0.0)),
        x1 = num(x_at(1.0)),
        y1 = num(y_at(1.0)),
        cx = num(left + size / 2.0),
        ay = num(top + size + 36.0),
        cy = num(top + size / 2.0),
    );
    let used: Vec<&(f64, f64, usize)> = bins
        .iter()
        .filter(|(p, o, n)| *n > 0 && p.is_finite() && o.is_finite())
        .collect();
    if used.len() > 1 {
        let pts: Vec<String> = used
            .iter()
            .map(|(p, o, _)| format!("{},{}", num(x_at(*p)), num(y_at(*o))))
            .collect();
        let _ = write!(
            out,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{LINE}\" stroke-width=\"1.5\"/>",
            pts.join(" ")
        );
    }
    let most = used.iter().map(|b| b.2).max().unwrap_or(1).max(1) as f64;
    for (p, o, n) in used {
        let r = 3.0 + 7.0 * (*n as f64 / most).sqrt();
        let _ = write!(
            out,
            "<circle cx=\"{x}\" cy=\"{y}\" r=\"{r}\" fill=\"{LINE}\" fill-opacity=\"0.6\" stroke=\"{LINE}\">\
             <title>predicted {p:.2}, observed {o:.2}, {n} deals</title></circle>",
            x = num(x_at(*p)),
            y = num(y_at(*o)),
            r = num(r),
        );
    }
    out.push_str("</svg>");
    out
}
