//! Synthetic sales calls for benchmarks: realistic, deterministic, in every transcript format.
//!
//! Benchmarks need inputs that look like real calls (an hour of varied talk, a handful of
//! speakers, cues spread through the text, a closing that names a next step) without
//! shipping customer transcripts. This module builds such calls from a few hundred sentence
//! templates with slot fillers, driven by a tiny xorshift PRNG so the same seed always
//! yields the same bytes (no `rand` dependency, stable across platforms and releases).
//!
//! It serves the analyzer's `benches/analyze.rs` and this crate's `examples/gen_calls.rs`
//! (the `scripts/bench-vs-rg.sh` corpus); the PRNG, the styles and the renderer that
//! writes them are the ones the demo uses (`crate::rng`, `crate::style`, `crate::render`).

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::render::{self, Utt};
use crate::rng::Rng;
use crate::style::Style;

// ---------------------------------------------------------------------------------------
// Calls
// ---------------------------------------------------------------------------------------

/// One speaker turn of a generated call; times in seconds from the start.
#[derive(Debug, Clone)]
pub struct Turn {
    /// Index into [`Call::speakers`]; 0 is the seller.
    pub speaker: usize,
    /// When the turn starts.
    pub start: f64,
    /// When the turn ends.
    pub end: f64,
    /// The sentences of the turn, in order; written joined by spaces (see [`Call::utts`]).
    pub sentences: Vec<String>,
}

/// A generated call, independent of any file format.
#[derive(Debug, Clone)]
pub struct Call {
    /// Full names; index 0 is the seller, the rest are on the prospect's side.
    pub speakers: Vec<String>,
    /// The call date (put in file names so `nextstep` resolves weekdays).
    pub date: NaiveDate,
    /// The turns in time order.
    pub turns: Vec<Turn>,
    /// Seeds the renderer's [`Rng`] (Teams guids, which long turns are split, the Otter
    /// footer), so renders are deterministic.
    pub id_seed: u64,
}

impl Call {
    /// The seller's full name.
    pub fn seller(&self) -> &str {
        &self.speakers[0]
    }

    /// The call as the renderer's utterance list, one [`Utt`] per turn with its sentences
    /// joined: how a benchmark call reaches [`render::render`], which splits long turns
    /// into cues where Teams and Zoom would.
    pub fn utts(&self) -> Vec<Utt> {
        self.turns
            .iter()
            .map(|turn| Utt {
                speaker: self.speakers[turn.speaker].clone(),
                text: turn.sentences.join(" "),
                start: turn.start,
                end: turn.end,
            })
            .collect()
    }
}

/// One rendered call file, as the generator writes it and the benchmark reads it.
#[derive(Debug, Clone)]
pub struct CallFile {
    /// File name (with extension, date and style), unique per index.
    pub name: String,
    /// The format the contents are in.
    pub style: Style,
    /// The seller's full name, to pass as `--seller` / `CallContext::sellers`.
    pub seller: String,
    /// The call date, `YYYY-MM-DD`.
    pub date: String,
    /// The transcript bytes.
    pub contents: String,
}

/// Generates call number `index` of a corpus: style cycles through [`Style::ALL`], the
/// content depends only on `(seed, index, minutes)`.
pub fn call_file(seed: u64, index: usize, minutes: u32) -> CallFile {
    let style = Style::ALL[index % Style::ALL.len()];
    call_file_in(seed, index, minutes, style)
}

/// Like [`call_file`] but in a chosen style (for per-format benchmarks).
pub fn call_file_in(seed: u64, index: usize, minutes: u32, style: Style) -> CallFile {
    let call = generate(
        seed ^ (index as u64).wrapping_mul(0xA076_1D64_78BD_642F),
        minutes,
    );
    let contents = render(&call, style);
    CallFile {
        name: format!(
            "call-{:05}-{}-{}.{}",
            index + 1,
            call.date,
            style.name(),
            style.extension()
        ),
        style,
        seller: call.seller().to_string(),
        date: call.date.to_string(),
        contents,
    }
}

/// Speaking rate, words per second (≈ 150 words a minute, a typical conversational pace;
/// gives ≈ 50 KB of spoken text and ≈ 60 KB of file per hour).
const WORDS_PER_SECOND: f64 = 2.5;

/// Generates a call of about `minutes` minutes from `seed`.
pub fn generate(seed: u64, minutes: u32) -> Call {
    let mut rng = Rng::new(seed);
    let w = World::new(&mut rng);
    let total = f64::from(minutes.max(1)) * 60.0;
    let t = 1.0 + rng.unit() * 4.0;
    let mut b = Builder {
        rng,
        w,
        t,
        turns: Vec::new(),
    };

    // Opening, then the body by phase, then the closing (≈ 3 minutes reserved for it).
    b.small_talk();
    b.agenda();
    let closing_at = (total - 180.0).max(total * 0.8);
    while b.t < closing_at {
        let progress = b.t / total;
        match progress {
            p if p < 0.40 => b.discovery(),
            p if p < 0.72 => {
                if b.rng.percent(70) {
                    b.product()
                } else {
                    b.discovery()
                }
            }
            _ => match b.rng.below(10) {
                0..=3 => b.objection(),
                4..=5 => b.pricing(),
                6..=7 => b.product(),
                _ => b.discovery(),
            },
        }
        if b.rng.percent(12) {
            b.backchannel_pair();
        }
    }
    b.closing();

    let Builder { w, turns, .. } = b;
    Call {
        speakers: w.speakers,
        date: w.date,
        turns,
        id_seed: w.id_seed,
    }
}

// ---------------------------------------------------------------------------------------
// Slot fillers
// ---------------------------------------------------------------------------------------

const SELLER_FIRST: &[&str] = &[
    "Sam", "Alex", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Drew", "Jamie", "Quinn",
    "Avery", "Reese", "Skyler", "Hayden", "Rowan", "Emerson",
];
const SELLER_LAST: &[&str] = &[
    "Seller", "Porter", "Vance", "Brooks", "Hale", "Mercer", "Lowell", "Sutton", "Keller",
    "Ramsey", "Whitaker", "Calloway", "Prescott", "Harlow",
];
const PROSPECT_FIRST: &[&str] = &[
    "Dana", "Priya", "Marcus", "Elena", "Tom", "Grace", "Hiroshi", "Fatima", "Liam", "Sofia",
    "Raj", "Chloe", "Diego", "Nina", "Owen", "Mei", "Kwame", "Ingrid", "Pablo", "Leah", "Victor",
    "Anya", "Ben", "Olga",
];
const PROSPECT_LAST: &[&str] = &[
    "Nguyen", "Patel", "Okafor", "Rossi", "Kowalski", "Chen", "Tanaka", "Haddad", "Murphy",
    "Silva", "Iyer", "Dubois", "Garcia", "Novak", "Walsh", "Lin", "Mensah", "Larsen", "Moreno",
    "Cohen",
];
const COMPANIES: &[&str] = &[
    "Northwind",
    "Bluefin Logistics",
    "Acme Health",
    "Pinecrest Bank",
    "Redwood Retail",
    "Helix Bio",
    "Orbit Freight",
    "Summit Insurance",
    "Lumen Energy",
    "Harbor Foods",
    "Cobalt Media",
    "Vertex Manufacturing",
    "Greenleaf Schools",
    "Atlas Property",
    "Brightline Travel",
    "Crescent Labs",
];
const VENDORS: &[&str] = &[
    "Tallyo",
    "Flowdesk",
    "Clearpath",
    "Signalwise",
    "Ledgerly",
    "Routable",
];
const PRODUCTS: &[&str] = &[
    "the workflow hub",
    "the forecasting module",
    "the analytics suite",
    "the routing engine",
    "the onboarding portal",
    "the reporting layer",
];
const TOOLS: &[&str] = &[
    "spreadsheets",
    "Salesforce",
    "HubSpot",
    "an in-house tool",
    "SAP",
    "a legacy Access database",
    "Jira",
    "email and shared drives",
    "NetSuite",
    "Zendesk",
];
const RIVALS: &[&str] = &[
    "Brandfolio",
    "Quickstack",
    "Overlay",
    "Nimbus",
    "Paceline",
    "Orchard",
];
const TEAMS: &[&str] = &[
    "finance",
    "operations",
    "customer success",
    "the sales team",
    "IT",
    "procurement",
    "marketing",
    "support",
    "the warehouse crew",
    "HR",
    "the data team",
    "legal",
];
const ROLES: &[&str] = &[
    "CFO",
    "VP of operations",
    "head of IT",
    "procurement lead",
    "COO",
    "security team",
    "controller",
    "director of finance",
    "CTO",
    "head of customer success",
];
const FEATURES: &[&str] = &[
    "approval workflows",
    "role-based permissions",
    "the audit trail",
    "custom dashboards",
    "bulk import",
    "the mobile app",
    "single sign-on",
    "scheduled exports",
    "the API",
    "automated reconciliation",
    "the rules engine",
    "real-time alerts",
    "version history",
];
const INTEGRATIONS: &[&str] = &[
    "Slack",
    "Microsoft Teams",
    "Snowflake",
    "QuickBooks",
    "Workday",
    "Okta",
    "Google Drive",
    "ServiceNow",
    "Shopify",
];
const PAINS: &[&str] = &[
    "manual data entry",
    "month-end close",
    "duplicate records",
    "slow approvals",
    "reporting that's always a week late",
    "onboarding new hires",
    "tracking renewals",
    "handoffs between teams",
    "audit prep",
    "forecast accuracy",
    "customer churn",
    "copy-pasting between systems",
];
const DAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const CITIES: &[&str] = &[
    "Chicago", "Denver", "Austin", "Toronto", "London", "Berlin", "Lisbon", "Seattle", "Atlanta",
    "Dublin",
];
const INDUSTRIES: &[&str] = &[
    "logistics",
    "healthcare",
    "retail",
    "banking",
    "manufacturing",
    "insurance",
    "education",
    "media",
];
const METRICS: &[&str] = &[
    "time to close",
    "error rate",
    "hours per week",
    "ticket backlog",
    "cycle time",
    "cost per order",
    "net retention",
    "first response time",
];
const DOCS: &[&str] = &[
    "a proposal",
    "the pricing sheet",
    "a case study",
    "the security questionnaire",
    "an ROI analysis",
    "the slide deck",
    "a quote",
    "the implementation plan",
    "some references",
    "the one-pager",
];
const TIMES: &[&str] = &[
    "9 am", "10 am", "11 am", "1 pm", "2 pm", "3 pm", "4 pm", "noon",
];
const QUARTERS: &[&str] = &["Q1", "Q2", "Q3", "Q4", "next quarter", "this quarter"];

/// The per-call cast and setting that every template fills its slots from.
struct World {
    speakers: Vec<String>,
    company: &'static str,
    vendor: &'static str,
    product: &'static str,
    tool: &'static str,
    rival: &'static str,
    date: NaiveDate,
    id_seed: u64,
}

impl World {
    fn new(rng: &mut Rng) -> World {
        let seller = format!("{} {}", rng.pick(SELLER_FIRST), rng.pick(SELLER_LAST));
        let mut speakers = vec![seller];
        let prospects = match rng.below(10) {
            0..=4 => 1,
            5..=8 => 2,
            _ => 3,
        };
        while speakers.len() < prospects + 1 {
            let name = format!("{} {}", rng.pick(PROSPECT_FIRST), rng.pick(PROSPECT_LAST));
            if !speakers
                .iter()
                .any(|s| s.split(' ').next() == name.split(' ').next())
            {
                speakers.push(name);
            }
        }
        let month = rng.between(1, 12);
        let day = rng.between(1, 28);
        World {
            speakers,
            company: rng.pick::<&str>(COMPANIES),
            vendor: rng.pick::<&str>(VENDORS),
            product: rng.pick::<&str>(PRODUCTS),
            tool: rng.pick::<&str>(TOOLS),
            rival: rng.pick::<&str>(RIVALS),
            date: NaiveDate::from_ymd_opt(2026, month as u32, day as u32)
                .expect("days 1 to 28 exist in every month"),
            id_seed: rng.next_u64(),
        }
    }

    fn first(&self, speaker: usize) -> &str {
        self.speakers[speaker].split(' ').next().unwrap_or("there")
    }
}

// ---------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------
//
// Slots: {p} a prospect's first name, {s} the seller's first name, {co} the prospect's
// company, {us} the seller's company, {prod} the product, {tool} the prospect's current
// tool, {rival} a competitor, {team} a team, {role} a stakeholder, {feat} a feature, {int}
// an integration, {pain} a pain point, {n} a small number, {big} a bigger number, {pct} a
// percentage, {day} a weekday, {month}, {city}, {ind} an industry, {metric}, {doc} a
// deliverable, {time} a time of day, {qtr} a quarter.

const SMALL_TALK_SELLER: &[&str] = &[
    "Hi {p}, thanks for making the time today.",
    "Good morning {p}, can you hear me okay?",
    "Hey {p}, great to finally meet you.",
    "How's your week going so far?",
    "I saw the weather in {city} has been rough this week.",
    "Did you have a good weekend?",
    "Thanks for squeezing this in before your {time} meeting.",
    "I hope the move to the new office went smoothly.",
    "I noticed {co} just announced the expansion, congratulations.",
    "Sorry, I was a minute late, my previous call ran over.",
    "Is this still a good time to talk?",
    "I really appreciate you taking the call.",
    "Before we dive in, how long have you been with {co}?",
    "I was in {city} last month for a conference, lovely city.",
    "Are you all back in the office these days or still mostly remote?",
    "I think we have about an hour, does that still work on your end?",
    "I love the background, is that the {city} skyline?",
    "How was the trip back from the offsite?",
    "It's been a busy quarter for everyone I talk to.",
    "Thanks for sending over the agenda ahead of time.",
];

const SMALL_TALK_PROSPECT: &[&str] = &[
    "Hi {s}, good to meet you too.",
    "Yeah, I can hear you fine.",
    "It's been a long week already, to be honest.",
    "Pretty good, thanks for asking.",
    "The weather has been awful, we had snow again yesterday.",
    "The weekend was nice, we went hiking with the kids.",
    "No worries at all, I just got out of another meeting myself.",
    "About {n} years now, I started on the {team} side.",
    "Mostly hybrid, we're in the office two days a week.",
    "Yes, an hour is fine, I have a hard stop at the top of the hour.",
    "Ha, yes, that's the view from our old office.",
    "Thanks, the expansion has kept us very busy.",
    "It's been a lot of travel lately.",
    "Sure, glad we could make it work.",
    "We're all a bit tired after the {month} push.",
    "Happy to be here, I've heard good things about {us}.",
    "My colleague should be joining in a minute or two.",
    "Doing well, thanks.",
];

const AGENDA_SELLER: &[&str] = &[
    "So what I was hoping to do today is learn a bit more about how {team} works today and then show you some of {prod}.",
    "I'd like to spend the first half understanding your process and the second half on the product, if that's alright.",
    "My goal for today is to understand whether there's a fit, and if there isn't, that's completely fine too.",
    "I have a few questions to start with, then I can share some of what we've built.",
    "Feel free to interrupt me at any point, this works best as a conversation.",
    "Is there anything specific you want to make sure we cover today?",
    "I know you spoke with my colleague briefly, so I'll try not to repeat too much.",
    "We work with a lot of {ind} companies, so some of this may sound familiar.",
    "I'll keep the slides to a minimum, I'd rather hear from you.",
    "By the end I'd like us both to know whether it's worth continuing the conversation.",
    "Let me know if the agenda needs to change.",
    "Does that plan work for you?",
];

const AGENDA_PROSPECT: &[&str] = &[
    "That works for me.",
    "Sounds good, let's do that.",
    "Sure, and I'd like to hear how you handle {feat}.",
    "Yes, the main thing for us is {pain}, so let's make sure we get to that.",
    "That's fine, I may need to drop a few minutes early though.",
    "Perfect, I'll bring in {p2} when we get to the technical part.",
    "Okay, go ahead.",
    "Great, I have a list of questions from the team as well.",
    "Makes sense.",
];

const DISCOVERY_Q: &[&str] = &[
    "Can you walk me through how {team} handles {pain} today?",
    "What does a typical week look like for your team?",
    "How are you tracking {metric} right now?",
    "Who else is involved when you make a decision like this?",
    "What made you take this call now rather than six months ago?",
    "How long has {pain} been a problem?",
    "What happens when something slips through the cracks?",
    "How many people touch a request before it's done?",
    "What are you using {tool} for at the moment?",
    "What do you like about {tool}, and what drives you crazy?",
    "If you could wave a magic wand, what would change first?",
    "How do you measure success for {team} this year?",
    "What would it mean for the business if {metric} improved by {pct} percent?",
    "Where does most of the manual work happen?",
    "How big is the team that would use this day to day?",
    "What have you already tried to fix this?",
    "How does {role} feel about the current process?",
    "What does the approval process look like on your side?",
    "Is there a budget set aside for this, or would it need to be created?",
    "What's driving the timeline you mentioned?",
    "How do you report on {metric} to leadership?",
    "What would happen if you did nothing for another year?",
    "How are handoffs between {team} and {team2} working?",
    "Which systems would this need to connect to?",
    "How important is {int} to the team?",
    "Tell me more about that.",
    "Can you give me an example from the last month?",
    "How much time do you think the team loses to that each week?",
    "What does the ideal process look like in your head?",
    "Who owns {pain} internally?",
    "What are the must-haves versus nice-to-haves?",
    "How did the evaluation with {rival} go?",
    "What's your biggest worry about changing tools?",
    "How many locations or business units are we talking about?",
    "What does your current contract with {tool} look like in terms of timing?",
    "How do new hires learn the process today?",
    "What would your {role} need to see to get behind this?",
    "Is this a top three priority for {co} this year?",
    "How do you handle exceptions today?",
    "What kind of reporting does leadership ask you for?",
    "Where do the numbers usually go wrong?",
    "How much of this is driven by compliance?",
    "What does {metric} look like today, roughly?",
    "How do you decide what gets worked on first?",
    "Why is that important to you personally?",
    "What would make this project a success in your eyes?",
    "How are you onboarding customers right now?",
    "What's the one thing you'd fix tomorrow if you could?",
    "How often does the team have to redo work?",
    "Who would be the day-to-day owner of a tool like this?",
    "How do you collaborate with {city} office on this?",
    "What happened the last time you rolled out a new system?",
];

const DISCOVERY_A: &[&str] = &[
    "Honestly, it's mostly {tool} and a lot of goodwill.",
    "We have about {big} requests a month, and each one goes through {n} people.",
    "The biggest issue is {pain}, it eats up most of {day} for the whole team.",
    "Right now we export everything into {tool} and reconcile it by hand.",
    "Our {role} asks for a report every {day} and it takes half a day to build.",
    "We tried {rival} two years ago but it never really got adopted.",
    "The team is {n} people today, and we're hiring {n2} more this year.",
    "It's been a problem since we grew past {big} customers.",
    "When something slips, we usually find out from the customer, which is the worst way.",
    "We track {metric} in a spreadsheet that three people edit.",
    "I'd say we lose {n} hours a week per person on {pain}.",
    "Leadership wants {metric} down by {pct} percent by the end of {qtr}.",
    "The handoff between {team} and {team2} is where things break.",
    "We need it to work with {int}, that's non-negotiable.",
    "Our contract with {tool} renews in {month}.",
    "The {role} signs off on anything over a certain amount.",
    "Compliance is a big part of it, we get audited every year.",
    "We have offices in {city} and {city2}, and they each do it differently.",
    "New hires take about {n} weeks to get comfortable with the process.",
    "There's no single source of truth, which is the real problem.",
    "I think if we fixed {pain}, the rest would mostly sort itself out.",
    "The numbers usually go wrong when someone forgets to update the sheet.",
    "It's a priority, but it competes with a few other projects.",
    "We built something in-house, but the person who wrote it left.",
    "Exceptions are handled over email, and nobody can find them later.",
    "I'd love for the team to stop copy-pasting between systems.",
    "Success for me would be the team going home on time at month-end.",
    "We're growing about {pct} percent a year, so this will only get worse.",
    "Our {role} is the one pushing for a change, actually.",
    "I personally spend too many evenings fixing reports.",
    "We have {n} business units and each one has its own process.",
    "The last rollout was painful, we underestimated the training.",
    "Honestly I'm not sure, I'd have to check with {team}.",
    "It depends on the month, but {metric} is usually our weak spot.",
    "The ideal would be one place where everyone sees the same status.",
    "Most of the manual work happens right before the {day} meeting.",
    "We looked at {rival} and a couple of others last year.",
    "Budget exists, but it would need to come out of the {team} line.",
    "The {city2} team is already asking for something like this.",
    "We redo maybe {pct} percent of the work because of errors.",
    "Day to day it would be {p2} and her team.",
    "It's more of a nice-to-have for {team}, but critical for {team2}.",
    "Mostly it's driven by growth, we just can't keep hiring to keep up.",
    "Right, and on top of that the data lives in {n} different places.",
    "Yeah, so we get the request, someone checks it, then it sits in a queue.",
    "I'd say the must-haves are {feat} and {int}.",
    "Our biggest worry is the migration, we have years of history in {tool}.",
    "We need something live before {month}, that's when the new contracts start.",
    "That's a fair question, we never really measured it.",
    "Probably around {big} records, give or take.",
];

const PRODUCT_SELLER: &[&str] = &[
    "So this is the main dashboard, everything {team} needs is on one screen.",
    "Let me show you how {feat} works in practice.",
    "What most {ind} customers do first is connect {int} so the data flows in automatically.",
    "Here you can see each request, who owns it, and how long it has been waiting.",
    "The nice thing about {feat} is that nobody has to chase approvals by email.",
    "One of our customers in {city} cut their {metric} by {pct} percent in the first quarter.",
    "This view is what your {role} would look at every {day}.",
    "If something stalls, the owner gets a nudge after {n} days.",
    "You can set this up without IT, it's all point and click.",
    "The import takes your existing {tool} data, so you don't start from scratch.",
    "We built {feat} because customers kept asking for it.",
    "Everything you see here is also available through the API.",
    "Let me pull up an example that looks more like your setup.",
    "You can filter by team, by region, or by owner.",
    "This is where {pain} usually disappears, because the handoff is automatic.",
    "The audit log records every change, which your auditors will appreciate.",
    "We support {int} out of the box, and a dozen other connectors.",
    "Permissions are by role, so {team} only sees what they need.",
    "Most teams are live in about {n} weeks.",
    "Here's how a new hire would see their first task.",
    "This report rebuilds itself every night, so the {day} meeting is just a click.",
    "If you compare this with {tool}, the difference is that the status is always current.",
    "I'll share my screen so you can see it live.",
    "Can you see my screen okay?",
    "The mobile app mirrors all of this, for people on the road.",
    "We also have a sandbox where your team can try things without breaking anything.",
    "You mentioned {pain}, so let me show you the part that addresses that directly.",
    "This is the rules engine, where you define who approves what.",
    "Each step can have a deadline, and escalations are configurable.",
    "Customers usually start with one team and expand after a couple of months.",
    "The dashboards are fully customisable, you can drag widgets around.",
    "We do single sign-on with Okta, Azure and Google.",
    "Here's the forecast view that {role}s tend to like.",
    "It handles about {big} transactions a day for our larger customers.",
    "What I'd point out here is the exception queue, which replaces the email threads.",
    "The data stays in your region, we host in the EU and the US.",
    "You can export anything to {tool} if people still want their spreadsheets.",
    "Our support team answers within {n} hours on the standard plan.",
    "We ship updates every two weeks, and customers get them automatically.",
    "This is a bit of a detour, but the version history has saved a few customers from disasters.",
    "The onboarding team sets up the first workflows with you.",
    "Does this look roughly like how your process works?",
    "Is this the kind of thing you had in mind?",
    "How would your team react to seeing this?",
    "Any questions so far?",
    "Which part of this is most relevant for {team}?",
    "I'll pause there for a second.",
    "So that's the core workflow, end to end.",
    "Another customer of ours, a {ind} company, uses this for exactly the {pain} problem.",
    "We can also set up alerts in {int} whenever something is overdue.",
];

const PRODUCT_REACTION: &[&str] = &[
    "That's pretty slick.",
    "Okay, that's helpful.",
    "How does that work with {int}?",
    "Can you set different approval limits per team?",
    "What happens to the data we already have in {tool}?",
    "Is the audit trail exportable?",
    "Would our {role} be able to see everything, or just summaries?",
    "How long does the setup usually take?",
    "Do we need IT involved for that part?",
    "That looks a lot cleaner than what we have.",
    "I like that the status is visible to everyone.",
    "Hmm, I'm not sure our team would use the mobile app.",
    "What does the reporting look like for {metric}?",
    "Can it handle {big} records without slowing down?",
    "How is that different from what {rival} does?",
    "That would save {p2} a lot of time.",
    "Yeah, this is roughly how it works for us.",
    "I'm a bit confused about how the rules get triggered.",
    "Sorry, can you go back to the previous screen?",
    "Where does the data live, by the way?",
    "So who would maintain the workflows after go-live?",
    "Okay, and is there a limit on the number of users?",
    "Interesting, we hadn't thought about the escalation part.",
    "This is the part our {team} team would care about most.",
    "Can we customise the fields?",
    "How do you handle permissions for contractors?",
    "Makes sense so far.",
    "Right, that's the piece we're missing today.",
    "Does it support single sign-on?",
    "What if someone is on vacation, does the approval get stuck?",
    "I can see this working for {team}.",
    "It looks good, but I'd want to see it with our own data.",
];

const PRODUCT_ANSWER: &[&str] = &[
    "Good question, the short answer is yes.",
    "It's configurable per team, so {team} can have different limits from {team2}.",
    "We migrate your history as part of onboarding, usually in a few days.",
    "Most customers are set up within {n} weeks, and IT is only needed for single sign-on.",
    "The data lives in our EU or US region, your choice.",
    "There's no limit on users on the business plan.",
    "Delegation handles vacations, the approval goes to a backup automatically.",
    "The main difference from {rival} is that we don't charge per workflow.",
    "Yes, every field can be customised, and you can add your own.",
    "Contractors get a restricted role with access to just their tasks.",
    "The workflows are maintained by an admin on your side, usually someone in {team}.",
    "Yes, it exports to CSV and to {int}.",
    "It scales fine, our largest customer runs about {big} thousand records.",
    "Let me go back, sorry, I moved too quickly there.",
    "The rules fire whenever a field changes, so there's no schedule to manage.",
    "Summaries by default, but you can give the {role} full access.",
    "We have a native connector for {int}, it takes about ten minutes to set up.",
    "That part is included, there's no extra charge.",
];

const OBJECTION_PROSPECT: &[&str] = &[
    "To be honest, this looks expensive for a team our size.",
    "I'm worried about the migration, we have years of data in {tool}.",
    "We already use {tool} for most of this, so I'm not sure we need another system.",
    "My concern is adoption, the last tool we rolled out nobody used.",
    "Our {role} will ask why we can't just build this ourselves.",
    "The timing is tricky, we're in the middle of a reorg.",
    "{rival} quoted us quite a bit less last year.",
    "I'm not convinced the team would change their habits.",
    "Security is going to have a lot of questions.",
    "We don't have budget for this until {qtr}.",
    "It seems like a lot of work to set up.",
    "I'm not sure this solves {pain}, it feels more like a reporting tool.",
    "Honestly, I don't know if {team2} would go for it.",
    "It's a bit over our budget, if I'm being honest.",
    "I wonder if we're too small for something like this.",
    "We've been burned by long implementations before.",
    "How do I justify this to finance when {tool} is basically free?",
    "I'm a bit skeptical about the {pct} percent number.",
];

const OBJECTION_SELLER: &[&str] = &[
    "That's fair, and I'd rather hear it now than later.",
    "It sounds like cost is a real concern, can you tell me more about what you'd compare it to?",
    "Most teams your size start small and expand once they see results.",
    "Adoption is the right thing to worry about, what made the last rollout fail?",
    "The migration is on us, we've moved data out of {tool} many times.",
    "What would your {role} need to see to feel comfortable?",
    "Is the concern the price itself, or the value compared to what you have?",
    "I understand, timing matters, when would be a better moment?",
    "We can send the security documentation ahead of any review.",
    "If we couldn't show a clear return, I wouldn't expect you to buy it.",
    "It seems like I haven't shown you the part that matters for {pain} yet.",
    "Fair enough, {rival} is cheaper, and they're a good product for some teams.",
    "What would it cost you to build and maintain this in-house?",
    "I hear some hesitation, what's behind it?",
    "I'm sensing this might not be the top priority right now, is that right?",
    "Let me ask it differently, what would have to be true for this to be worth it?",
    "That's a reasonable worry, and most of our customers had it too.",
    "Would it help to talk to a customer who had the same concern?",
];

const PRICING_SELLER: &[&str] = &[
    "On pricing, it's per seat, and for a team of {n} it would land around {big} a month.",
    "There's an annual plan and a monthly plan, the annual one is about {pct} percent less.",
    "Implementation is a one-time fee, and it covers the data migration.",
    "Most customers in {ind} go for the business tier.",
    "I'd rather understand the value first before we get deep into numbers.",
    "The price includes support and all the integrations, there are no add-ons.",
    "We can phase the rollout so the cost ramps with adoption.",
    "Discounts are usually tied to multi-year terms.",
];

const PRICING_PROSPECT: &[&str] = &[
    "Okay, that's within the range I expected.",
    "That's more than we pay for {tool} today.",
    "What's included in the implementation fee?",
    "Is there any flexibility on the annual price?",
    "I'd need to see that broken down per team.",
    "That seems reasonable if it really saves the hours we talked about.",
    "Our {role} will want to see it against the {rival} numbers.",
    "Good to know, we usually prefer annual billing anyway.",
    "Hmm, that's a bit steep for us.",
];

const BACKCHANNEL: &[&str] = &[
    "Right.",
    "Mm-hmm.",
    "Yeah.",
    "Okay.",
    "Got it.",
    "Sure.",
    "Interesting.",
    "That makes sense.",
    "I see.",
    "Yep.",
    "Exactly.",
    "Right, right.",
    "Totally.",
    "Fair enough.",
    "Oh, okay.",
    "Uh-huh.",
    "Yeah, yeah.",
    "Good point.",
    "Understood.",
    "Of course.",
];

const FILLERS: &[&str] = &[
    "So, ",
    "Yeah, so ",
    "And ",
    "Honestly, ",
    "Okay, ",
    "Um, ",
    "I mean, ",
    "Well, ",
    "Right, so ",
    "And then ",
    "Basically, ",
    "You know, ",
];

// ---------------------------------------------------------------------------------------
// Building the dialogue
// ---------------------------------------------------------------------------------------

/// Accumulates turns while advancing the call clock.
struct Builder {
    rng: Rng,
    w: World,
    t: f64,
    turns: Vec<Turn>,
}

impl Builder {
    /// A random prospect-side speaker index.
    fn prospect(&mut self) -> usize {
        1 + self.rng.below(self.w.speakers.len() - 1)
    }

    /// Fills the `{slot}`s of a template.
    fn fill(&mut self, template: &str, speaker: usize) -> String {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let slot = &rest[open + 1..open + close];
            self.slot(slot, speaker, &mut out);
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        out
    }

    fn slot(&mut self, slot: &str, speaker: usize, out: &mut String) {
        let r = &mut self.rng;
        let w = &self.w;
        match slot {
            // The person addressed: a prospect when the seller speaks, else the seller.
            "p" => {
                let who = if speaker == 0 {
                    1 + r.below(w.speakers.len() - 1)
                } else {
                    0
                };
                out.push_str(w.first(who));
            }
            "p2" => {
                let other = PROSPECT_FIRST[r.below(PROSPECT_FIRST.len())];
                out.push_str(if w.speakers.len() > 2 {
                    w.first(2)
                } else {
                    other
                });
            }
            "s" => out.push_str(w.first(0)),
            "co" => out.push_str(w.company),
            "us" => out.push_str(w.vendor),
            "prod" => out.push_str(w.product),
            "tool" => out.push_str(w.tool),
            "rival" => out.push_str(w.rival),
            "team" | "team2" => out.push_str(r.pick::<&str>(TEAMS)),
            "role" => out.push_str(r.pick::<&str>(ROLES)),
            "feat" => out.push_str(r.pick::<&str>(FEATURES)),
            "int" => out.push_str(r.pick::<&str>(INTEGRATIONS)),
            "pain" => out.push_str(r.pick::<&str>(PAINS)),
            "day" => out.push_str(r.pick::<&str>(DAYS)),
            "month" => out.push_str(r.pick::<&str>(MONTHS)),
            "city" | "city2" => out.push_str(r.pick::<&str>(CITIES)),
            "ind" => out.push_str(r.pick::<&str>(INDUSTRIES)),
            "metric" => out.push_str(r.pick::<&str>(METRICS)),
            "doc" => out.push_str(r.pick::<&str>(DOCS)),
            "time" => out.push_str(r.pick::<&str>(TIMES)),
            "qtr" => out.push_str(r.pick::<&str>(QUARTERS)),
            "n" | "n2" => {
                let _ = write!(out, "{}", r.between(2, 12));
            }
            "big" => {
                let _ = write!(out, "{}", r.between(4, 90) * 10);
            }
            "pct" => {
                let _ = write!(out, "{}", r.between(2, 12) * 5);
            }
            other => out.push_str(other),
        }
    }

    /// A sentence from `pool`, sometimes with a spoken filler in front.
    fn sentence(&mut self, pool: &[&str], speaker: usize) -> String {
        let template = *self.rng.pick(pool);
        let mut s = self.fill(template, speaker);
        if self.rng.percent(15) && !template.starts_with('{') {
            let filler = *self.rng.pick(FILLERS);
            let mut lowered = filler.to_string();
            let mut chars = s.chars();
            if let Some(c) = chars.next() {
                // Keep "I" and names capitalised; lower-case other sentence starts.
                let keep = c == 'I' && chars.clone().next().is_none_or(|n| !n.is_alphabetic());
                let proper = s.split(' ').next().is_some_and(|w| {
                    self.w.speakers.iter().any(|n| n.starts_with(w))
                        || [self.w.company, self.w.vendor, self.w.tool, self.w.rival]
                            .iter()
                            .any(|n| n.starts_with(w))
                });
                if keep || proper {
                    lowered.push(c);
                } else {
                    lowered.extend(c.to_lowercase());
                }
                lowered.push_str(chars.as_str());
                s = lowered;
            }
        }
        s
    }

    /// Adds a turn of `count` sentences from `pool`.
    fn say(&mut self, speaker: usize, pool: &[&str], count: usize) {
        let sentences: Vec<String> = (0..count.max(1))
            .map(|_| self.sentence(pool, speaker))
            .collect();
        self.push(speaker, sentences);
    }

    /// Adds a turn with fixed sentences (already filled).
    fn push(&mut self, speaker: usize, sentences: Vec<String>) {
        let words: usize = sentences.iter().map(|s| s.split_whitespace().count()).sum();
        let rate = WORDS_PER_SECOND * (0.85 + 0.3 * self.rng.unit());
        let duration = (words as f64 / rate).max(0.6);
        let start = self.t;
        let end = start + duration;
        self.turns.push(Turn {
            speaker,
            start,
            end,
            sentences,
        });
        self.t = end + 0.2 + self.rng.unit() * 1.3;
    }

    /// Adds a scripted turn, filling its templates.
    fn script(&mut self, speaker: usize, templates: &[&str]) {
        let sentences = templates.iter().map(|t| self.fill(t, speaker)).collect();
        self.push(speaker, sentences);
    }

    fn small_talk(&mut self) {
        for _ in 0..self.rng.between(2, 4) {
            let n = self.rng.between(1, 2);
            self.say(0, SMALL_TALK_SELLER, n);
            let p = self.prospect();
            let n = self.rng.between(1, 2);
            self.say(p, SMALL_TALK_PROSPECT, n);
        }
    }

    fn agenda(&mut self) {
        let n = self.rng.between(2, 4);
        self.say(0, AGENDA_SELLER, n);
        let p = self.prospect();
        let n = self.rng.between(1, 2);
        self.say(p, AGENDA_PROSPECT, n);
    }

    fn discovery(&mut self) {
        let mut q = Vec::new();
        if self.rng.percent(40) {
            q.push(self.sentence(BACKCHANNEL, 0));
        }
        q.push(self.sentence(DISCOVERY_Q, 0));
        if self.rng.percent(20) {
            q.push(self.sentence(DISCOVERY_Q, 0));
        }
        self.push(0, q);
        let p = self.prospect();
        let n = self.rng.between(1, 5);
        self.say(p, DISCOVERY_A, n);
        if self.w.speakers.len() > 2 && self.rng.percent(25) {
            let other = self.prospect();
            let n = self.rng.between(1, 3);
            self.say(other, DISCOVERY_A, n);
        }
    }

    fn product(&mut self) {
        let n = self.rng.between(2, 6);
        self.say(0, PRODUCT_SELLER, n);
        let p = self.prospect();
        if self.rng.percent(30) {
            self.say(p, BACKCHANNEL, 1);
            return;
        }
        let n = self.rng.between(1, 2);
        self.say(p, PRODUCT_REACTION, n);
        if self.rng.percent(60) {
            let n = self.rng.between(1, 3);
            self.say(0, PRODUCT_ANSWER, n);
            if self.rng.percent(50) {
                self.say(p, BACKCHANNEL, 1);
            }
        }
    }

    fn objection(&mut self) {
        let p = self.prospect();
        let n = self.rng.between(1, 2);
        self.say(p, OBJECTION_PROSPECT, n);
        let n = self.rng.between(1, 3);
        self.say(0, OBJECTION_SELLER, n);
        let n = self.rng.between(1, 3);
        self.say(p, DISCOVERY_A, n);
    }

    fn pricing(&mut self) {
        let n = self.rng.between(1, 3);
        self.say(0, PRICING_SELLER, n);
        let p = self.prospect();
        let n = self.rng.between(1, 2);
        self.say(p, PRICING_PROSPECT, n);
    }

    fn backchannel_pair(&mut self) {
        let p = self.prospect();
        self.say(p, BACKCHANNEL, 1);
        self.say(0, BACKCHANNEL, 1);
    }

    /// Ends the call with one of several closings; most name a next step, some stall.
    fn closing(&mut self) {
        let p = self.prospect();
        self.script(
            0,
            &["We're coming up on time, so I want to be respectful of that."],
        );
        match self.rng.below(10) {
            // The seller asks; the prospect names the step and the seller accepts it.
            0 | 1 => {
                self.script(0, &["Where do we go from here?"]);
                self.script(
                    p,
                    &[
                        "I think the next step is a pilot with {team}.",
                        "Can you send me {doc} so I can share it with our {role}?",
                    ],
                );
                self.script(0, &["Absolutely, I'll get that over to you by {day}."]);
                self.script(p, &["Perfect, thanks {s}."]);
            }
            // The seller tells the step and checks it.
            2 | 3 => {
                self.script(
                    0,
                    &[
                        "So here's what I suggest.",
                        "I'll send you a proposal by {day}, and let's book thirty minutes next week to go through it with your {role}.",
                        "Does that work for you?",
                    ],
                );
                self.script(p, &["Sounds good, send it over."]);
            }
            // The prospect asks for a demo for a wider group.
            4 => {
                self.script(0, &["What would you like to do next?"]);
                self.script(
                    p,
                    &[
                        "Could you show us a demo for the whole {team} team?",
                        "Maybe next {day}?",
                    ],
                );
                self.script(0, &["Sure, how does {day} at {time} work?"]);
                self.script(p, &["That works, I'll send the invite to the team."]);
            }
            // The prospect is ready for paperwork.
            5 => {
                self.script(0, &["What's next on your side?"]);
                self.script(
                    p,
                    &[
                        "Honestly, we've seen enough.",
                        "Send over the order form and we'll get it signed before {month}.",
                    ],
                );
                self.script(0, &["Will do, it'll be in your inbox today."]);
            }
            // An introduction to the economic buyer.
            6 => {
                self.script(0, &["How would you suggest we proceed?"]);
                self.script(
                    p,
                    &[
                        "I'd like to loop in our {role}.",
                        "Can we set up a call with her next week?",
                    ],
                );
                self.script(0, &["Of course, would {day} at {time} work?"]);
                self.script(p, &["Let me check, but that should be fine."]);
            }
            // The seller volunteers work nobody asked for.
            7 => {
                self.script(
                    0,
                    &[
                        "I'll put together a custom demo and an ROI analysis for you.",
                        "I'll have it to you by {day}.",
                    ],
                );
                self.script(p, &["If you want, sure."]);
            }
            // A stall, and the seller names it.
            8 => {
                self.script(0, &["What would you like to do from here?"]);
                self.script(
                    p,
                    &[
                        "Honestly, we need to think it over and discuss it internally.",
                        "We'll get back to you.",
                    ],
                );
                self.script(
                    0,
                    &[
                        "It sounds like something is holding you back.",
                        "What would have to be true for this to move forward?",
                    ],
                );
                self.script(
                    p,
                    &[
                        "Mostly the budget, to be honest.",
                        "Let's talk again in {month}.",
                    ],
                );
            }
            // A trial.
            _ => {
                self.script(0, &["What do you see as the next step?"]);
                self.script(
                    p,
                    &[
                        "Can we get a trial account for {n} people on {team}?",
                        "Two weeks would be enough.",
                    ],
                );
                self.script(0, &["Yes, I'll set that up today."]);
                self.script(p, &["Great, looking forward to it."]);
            }
        }
        self.script(0, &["Thanks again for your time, {p}."]);
        self.script(p, &["Thank you, talk soon."]);
    }
}

// ---------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------

/// Writes `call` in `style` through the crate's one renderer ([`render::render`]), with
/// cue ids and splits drawn from `call.id_seed` so the same call gives the same bytes.
pub fn render(call: &Call, style: Style) -> String {
    render::render(style, &call.utts(), call.date, &mut Rng::new(call.id_seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A benchmark call written in each style is read back as that style's format with
    /// its turns intact (same speakers and text, in order; long turns may be split into
    /// several cues, which `turns` joins again), so the benchmarks measure real parsing.
    #[test]
    fn every_style_reads_back_as_its_format_with_the_turns_intact() {
        for seed in [1, 0x5EED_CA11] {
            let call = generate(seed, 60);
            let want: Vec<(String, String)> = call
                .utts()
                .into_iter()
                .map(|u| (u.speaker, u.text))
                .collect();
            for style in Style::ALL {
                let name = style.name();
                let text = render(&call, style);
                let transcript = nextstep_transcript::parse(text.as_bytes(), None)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(transcript.format, style.format(), "{name}");
                assert!(transcript.utterances.len() >= call.turns.len(), "{name}");
                let got: Vec<(String, String)> = transcript
                    .turns()
                    .into_iter()
                    .map(|u| (u.speaker.unwrap_or_default(), u.text))
                    .collect();
                assert_eq!(got, want, "{name}");
            }
        }
    }
}
