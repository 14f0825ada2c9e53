//! The CRMs whose deal exports nextstep reads without a mapping file, their `--preset`
//! names, and how a header gives one away. Each preset's column layout is in
//! [`deals`](crate::deals); this module depends on nothing but [`values`](crate::values),
//! so the reader, the mapping file and the errors can all name a preset without importing
//! one another.

use std::fmt;
use std::str::FromStr;

use crate::values::normalise_header;

/// A CRM whose deal export nextstep reads without a mapping file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// The Maven Analytics "CRM Sales Opportunities" data set (`sales_pipeline.csv`).
    Maven,
    /// Salesforce Opportunity export (Data Loader / API field names, or report labels).
    Salesforce,
    /// HubSpot deals export.
    Hubspot,
    /// Pipedrive deals export.
    Pipedrive,
}

impl Preset {
    /// Every preset, in detection order.
    pub const ALL: [Preset; 4] = [
        Preset::Maven,
        Preset::Salesforce,
        Preset::Hubspot,
        Preset::Pipedrive,
    ];

    /// Their names as `--preset` takes them, for help and error messages.
    pub const NAMES: [&'static str; 4] = ["maven", "salesforce", "hubspot", "pipedrive"];

    /// The preset's `--preset` name.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Maven => "maven",
            Preset::Salesforce => "salesforce",
            Preset::Hubspot => "hubspot",
            Preset::Pipedrive => "pipedrive",
        }
    }

    /// Parses a `--preset` name (any case).
    pub fn from_name(name: &str) -> Option<Preset> {
        Preset::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The preset whose export header this is, so users need not say.
    pub fn detect(headers: &[String]) -> Option<Preset> {
        let names: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
        let has = |name: &str| names.iter().any(|n| n == name);
        if has("opportunity_id") && has("deal_stage") {
            Some(Preset::Maven)
        } else if has("stagename") || (has("stage") && has("opportunity name")) {
            Some(Preset::Salesforce)
        } else if has("deal stage") && has("deal name") {
            Some(Preset::Hubspot)
        } else if has("deal - title") || has("deal - stage") {
            Some(Preset::Pipedrive)
        } else {
            None
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Preset {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Preset::from_name(s).ok_or_else(|| {
            format!(
                "unknown preset {s:?}; expected one of {}",
                Preset::NAMES.join(", ")
            )
        })
    }
}
