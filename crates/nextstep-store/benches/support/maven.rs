//! Deals shaped like the public Maven CRM sales-opportunities data set, generated: 35
//! owners, 85 accounts, seven products, stages Won/Lost/Engaging/Prospecting in the data
//! set's proportions (48/28/18/6 %), engage and close dates in 2016–2017. Deterministic
//! (one seed, one slice), with no dependency but the store's own model.

use chrono::{Days, NaiveDate};
use nextstep_core::{NewDeal, Outcome};

/// Products and list prices in dollars, as in Maven's `products.csv`.
const PRODUCTS: [(&str, i64); 7] = [
    ("GTX Basic", 550),
    ("GTX Pro", 4821),
    ("MG Special", 55),
    ("MG Advanced", 3393),
    ("GTX Plus Pro", 5482),
    ("GTX Plus Basic", 1096),
    ("GTK 500", 26768),
];

const FIRST: [&str; 7] = [
    "Anna", "Boris", "Cecily", "Darcel", "Elease", "Garret", "Hayden",
];
const LAST: [&str; 5] = ["Snelling", "Kerbs", "Lampkin", "Schlecht", "Gunnarson"];
const SYLLABLES: [&str; 17] = [
    "Ac", "Be", "Co", "Dan", "Fin", "Gek", "Hot", "Is", "Kon", "Lex", "Mat", "Nam", "Plex", "Ron",
    "Sil", "Tre", "Zot",
];
const SUFFIXES: [&str; 5] = ["tech", "zap", "holding", "dom", "ware"];

/// The 35 owner names.
pub fn owners() -> Vec<String> {
    (0..35)
        .map(|i| format!("{} {}", FIRST[i % 7], LAST[i / 7]))
        .collect()
}

/// The 85 account names.
pub fn accounts() -> Vec<String> {
    (0..85)
        .map(|i| format!("{}{}", SYLLABLES[i % 17], SUFFIXES[i / 17]))
        .collect()
}

/// A small deterministic generator (SplitMix64): benchmarks and tests need the same data
/// every run, and the crate needs no `rand` for it.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `n` deals with external ids unique within `seed` (ids are `<seed>-<8 hex digits>`).
pub fn deals(n: usize, seed: u64) -> Vec<NewDeal> {
    let owners = owners();
    let accounts = accounts();
    let mut rng = Rng(seed);
    let start = NaiveDate::from_ymd_opt(2016, 10, 20).expect("valid date");
    (0..n)
        .map(|i| {
            let (product, price) = PRODUCTS[rng.below(7) as usize];
            let roll = rng.below(100);
            let (stage, outcome) = match roll {
                0..48 => ("Won", Some(Outcome::Won)),
                48..76 => ("Lost", Some(Outcome::Lost)),
                76..94 => ("Engaging", None),
                _ => ("Prospecting", None),
            };
            let engaged = start + Days::new(rng.below(430));
            let closed = outcome.map(|_| engaged + Days::new(1 + rng.below(140)));
            let amount = match outcome {
                Some(Outcome::Won) => {
                    let spread = (price / 10).max(1);
                    Some((price - spread + rng.below(2 * spread as u64) as i64) * 100)
                }
                Some(_) => Some(0),
                None => Some(price * 100),
            };
            let account = accounts[rng.below(85) as usize].clone();
            NewDeal {
                external_id: format!("{seed}-{:08X}", (i as u32).wrapping_mul(2_654_435_761)),
                name: format!("{product} for {account}"),
                account: Some(account),
                owner: Some(owners[rng.below(35) as usize].clone()),
                stage: stage.to_string(),
                amount,
                currency: "USD".to_string(),
                expected_close: closed.or(Some(engaged + Days::new(90))),
                created: (stage != "Prospecting").then_some(engaged),
                closed,
                outcome,
                loss_reason: None,
                product: Some(product.to_string()),
                crm_next_step: None,
            }
        })
        .collect()
}
