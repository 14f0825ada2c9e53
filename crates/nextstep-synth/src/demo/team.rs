//! The demo sales team: a manager and six reps, each with a habit profile.
//!
//! A habit is a set of probabilities, not a script: at each moment of a call the
//! generator rolls against the rep's profile (ask or tell? name the prospect's doubt or
//! bail out with a proposal?), so two calls by the same rep differ while the rep's rates,
//! over thirty-odd deals, come out where the profile puts them.

use nextstep_core::NewRep;

/// What a rep tends to do at each moment of a call, as probabilities in `0..=1`.
///
/// These are the levers the coaching scorecard measures, so the demo shows a scorecard
/// with real spread between reps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Habit {
    /// A short name for the habit, for docs and test output (`asks`, `bails out`, …).
    pub label: &'static str,
    /// At the close, asks an open question about the next step instead of telling.
    pub ask: f64,
    /// Names a negative signal ("It sounds like you're not convinced") when one comes up.
    pub confront: f64,
    /// Volunteers work right after an unnamed negative signal (a bail-out), when not
    /// naming it.
    pub bail: f64,
    /// Offers a deliverable nobody asked for when nothing negative is in the air.
    pub volunteer: f64,
    /// When telling, suggests a meeting or demo ("shall we…") rather than promising to
    /// send something ("I'll send you…").
    pub suggest: f64,
    /// On a deal with no fit, says so and ends without a step.
    pub disqualify: f64,
    /// How often the prospect explicitly agrees to a step this rep told them: reps who
    /// tell without checking collect "if you want" more often.
    pub confirm: f64,
}

/// A rep on the demo team with their habits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoRep {
    /// Full name, as deals and transcripts spell it.
    pub name: &'static str,
    /// Work email.
    pub email: &'static str,
    /// The rep's habit profile.
    pub habit: Habit,
}

/// The team's manager: owns no deals, joins a few calls.
pub const MANAGER: &str = "Rachel Lindgren";
/// The manager's email.
pub const MANAGER_EMAIL: &str = "rachel.lindgren@halyard.example";
/// The team name every rep carries.
pub const TEAM: &str = "Halyard Mid-Market";
/// The seller's company, as reps name it on calls.
pub const VENDOR: &str = "Halyard";

/// The six reps, in the order deals are dealt to them.
pub const REPS: [DemoRep; 6] = [
    DemoRep {
        name: "Priya Raman",
        email: "priya.raman@halyard.example",
        habit: Habit {
            label: "asks",
            ask: 0.9,
            confront: 0.65,
            bail: 0.05,
            volunteer: 0.05,
            suggest: 0.7,
            disqualify: 0.55,
            confirm: 0.8,
        },
    },
    DemoRep {
        name: "Jordan Pike",
        email: "jordan.pike@halyard.example",
        habit: Habit {
            label: "bails out",
            ask: 0.08,
            confront: 0.05,
            bail: 0.9,
            volunteer: 0.25,
            suggest: 0.45,
            disqualify: 0.05,
            confirm: 0.5,
        },
    },
    DemoRep {
        name: "Amélie Fournier",
        email: "amelie.fournier@halyard.example",
        habit: Habit {
            label: "disqualifies early",
            ask: 0.45,
            confront: 0.6,
            bail: 0.1,
            volunteer: 0.1,
            suggest: 0.6,
            disqualify: 0.95,
            confirm: 0.65,
        },
    },
    DemoRep {
        name: "Marcus Bell",
        email: "marcus.bell@halyard.example",
        habit: Habit {
            label: "tells",
            ask: 0.04,
            confront: 0.1,
            bail: 0.3,
            volunteer: 0.3,
            suggest: 0.65,
            disqualify: 0.1,
            confirm: 0.25,
        },
    },
    DemoRep {
        name: "Hannah Cho",
        email: "hannah.cho@halyard.example",
        habit: Habit {
            label: "volunteers",
            ask: 0.25,
            confront: 0.5,
            bail: 0.1,
            volunteer: 0.8,
            suggest: 0.35,
            disqualify: 0.25,
            confirm: 0.6,
        },
    },
    DemoRep {
        name: "Diego Santos",
        email: "diego.santos@halyard.example",
        habit: Habit {
            label: "balanced",
            ask: 0.5,
            confront: 0.35,
            bail: 0.3,
            volunteer: 0.25,
            suggest: 0.55,
            disqualify: 0.35,
            confirm: 0.55,
        },
    },
];

/// The manager and the six reps as store records (manager first, so imports create the
/// manager before the reps that point at her).
pub fn reps() -> Vec<NewRep> {
    let mut out = vec![NewRep {
        name: MANAGER.to_string(),
        manager: None,
        team: Some(TEAM.to_string()),
        email: Some(MANAGER_EMAIL.to_string()),
    }];
    out.extend(REPS.iter().map(|r| NewRep {
        name: r.name.to_string(),
        manager: Some(MANAGER.to_string()),
        team: Some(TEAM.to_string()),
        email: Some(r.email.to_string()),
    }));
    out
}

/// The first word of a full name, as people address each other on calls.
pub fn first_name(full: &str) -> &str {
    full.split_whitespace().next().unwrap_or(full)
}
