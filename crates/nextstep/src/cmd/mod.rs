//! The pipeline commands (issue 3): each module is one command group over the store.

pub mod calls;
pub mod coach;
pub mod dataset;
pub mod deals;
pub mod demo;
pub mod digest;
pub mod export;
pub mod forecast;
pub mod import;
pub mod pipeline;
pub mod server;
pub mod steps;

/// Formats cents as a plain amount with two decimals, e.g. `12,345.00`.
pub fn money(cents: Option<i64>) -> String {
    let Some(c) = cents else {
        return "-".into();
    };
    let negative = c < 0;
    let c = c.unsigned_abs();
    let (units, frac) = (c / 100, c % 100);
    let digits = units.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{}{grouped}.{frac:02}", if negative { "-" } else { "" })
}

/// A rate as a whole percentage, `–` when there is no rate.
pub fn percent(rate: Option<f64>) -> String {
    rate.map(|x| format!("{:.0}%", x * 100.0))
        .unwrap_or_else(|| "–".into())
}

/// Cents as a JSON number in currency units (two decimals).
pub fn units(cents: Option<i64>) -> serde_json::Value {
    match cents {
        Some(c) => serde_json::json!((c as f64) / 100.0),
        None => serde_json::Value::Null,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn money_groups_thousands() {
        let cases = [
            (Some(0), "0.00"),
            (Some(123_456_789), "1,234,567.89"),
            (Some(-5), "-0.05"),
            (None, "-"),
        ];
        for (cents, want) in cases {
            assert_eq!(super::money(cents), want);
        }
    }
}
