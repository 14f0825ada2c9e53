//! The phrase banks: many wordings for every dialogue act, with `{placeholders}` filled
//! per deal and call (see `calls::Ctx`).
//!
//! Each bank is written to the README's rules so the analyzer can judge it without
//! guessing: asks are open questions, suggestions are closed ("shall we…"), promises
//! commit to a deliverable ("I'll send…"), negative signals use words a person would
//! say and the lexicon knows, and discovery and product talk carry distractors (a past
//! vendor's quote, a product that "sends a reminder every morning") that must *not* be
//! judged as steps. Nothing in discovery or product talk may commit to anything.

use nextstep_analyzer::{Kind, SignalType};

use super::market::ProductLine;

// ---------------------------------------------------------------------------------
// Opening and small talk.
// ---------------------------------------------------------------------------------

/// The seller's hello.
pub const SELLER_HELLO: &[&str] = &[
    "Hi {p}.",
    "Hey {p}!",
    "Morning, {p}.",
    "Good afternoon, {p}.",
    "Hello {p}.",
    "Hi {p}, {s} from {vendor} here.",
    "Hi {p}, it's {s}.",
];

/// What the seller says after hello.
pub const SELLER_OPENER: &[&str] = &[
    "Thanks for making the time today.",
    "Good to see you. Thanks for jumping on.",
    "Can you hear me okay?",
    "Thanks for taking the time.",
    "How's the week treating you so far?",
    "Thanks for squeezing me in.",
    "Thanks for hopping on. How are things in {city}?",
    "Thanks for making time, I know it's a busy stretch for you.",
    "Did you have a good weekend?",
    "How are things going over at {company}?",
    "I hope I'm not keeping you from lunch.",
];

/// The prospect's hello back.
pub const PROSPECT_HELLO: &[&str] = &[
    "Hi {s}.",
    "Hey {s}.",
    "Morning.",
    "Hi there.",
    "Hello.",
    "Hey, good to meet you.",
    "Hi {s}, yes, loud and clear.",
];

/// The prospect's small talk, with the seller's fitting replies.
pub const SMALL_TALK: &[Exchange] = &[
    (
        &["Sorry I'm a couple of minutes late, my last meeting ran over."],
        &["No worries at all.", "Not a problem, I know how it goes."],
    ),
    (
        &[
            "Busy, but good. We're in the middle of getting ready for {season}.",
            "Honestly, it's been a hectic week here in {city}.",
        ],
        &["I can imagine.", "I bet. I appreciate you making the time."],
    ),
    (
        &["I've got until the top of the hour, so we're good."],
        &["Perfect, I'll keep us on time.", "Great, that's plenty."],
    ),
    (
        &[
            "The weather in {city} finally turned, so everyone's in a better mood.",
            "It was lovely, thanks. We finally got out on the lake.",
        ],
        &["Glad to hear it.", "Oh, nice. Good to hear."],
    ),
    (
        &["All good here, just back from a trade show in Las Vegas."],
        &["How was it?", "Did you survive the casino carpet?"],
    ),
    (
        &[
            "The kids are back at school, so the house is quiet for once.",
            "Half the office is out with a cold, so it's quiet.",
        ],
        &["Ha, enjoy it while it lasts.", "Quiet is good."],
    ),
    (
        &[
            "Still snowing up here, believe it or not.",
            "It's pouring here, so I'm happy to be inside.",
        ],
        &["Oh wow. Stay warm.", "Ha, I don't envy you."],
    ),
    (
        &[
            "We just moved offices, so excuse the boxes behind me.",
            "My dog has decided this is his meeting too, so apologies in advance.",
        ],
        &["Ha, no problem at all.", "Totally fine."],
    ),
    (
        &[
            "I'm running on my third coffee, but good.",
            "Long week, but we're getting there.",
        ],
        &["I know the feeling.", "Ha, same here."],
    ),
];

/// First call: the seller's move into discovery.
pub const SELLER_TRANSITION: &[&str] = &[
    "Before I show you anything, would it be alright if I asked a few questions about how things work at {company} today?",
    "I'd love to start with your side first, if that's alright.",
    "I read the note you sent about your {team}. Can you tell me a bit more about what prompted it?",
    "Mind if I start with a few questions about your {team}?",
    "To make this useful for you, I'd like to understand how things work for your {team} today.",
    "So, I've looked at your website, but I'd rather hear it from you. How does your {team} run things today?",
];

/// The prospect's go-ahead for discovery.
pub const PROSPECT_GO_AHEAD: &[&str] = &[
    "Sure, go ahead.",
    "Of course.",
    "Yeah, fire away.",
    "Absolutely.",
];

/// Later calls: the seller picks up from last time.
pub const SELLER_RECAP: &[&str] = &[
    "Good to talk again, {p}. Last time you told me how your {team} works, so I wanted to pick up from there.",
    "Thanks for making time again. How did things land with your {team} after our last conversation?",
    "Great to see you again, {p}. Anything change on your side since we last spoke?",
    "Thanks for coming back to me, {p}. I know {boss} had a few questions, so I wanted to start there.",
    "Hi again, {p}. Where did the {team} end up after last week?",
    "Good to see you again, {p}. I've been looking forward to hearing what {boss} thought.",
    "Hey {p}. I wanted to make sure we covered the questions your {team} raised.",
    "Thanks for the time again, {p}. How has {season} prep been going?",
    "Hi {p}. Last time we ran out of time on the {feature}, so I'd like to finish that.",
];

/// The prospect's recap reply.
pub const PROSPECT_RECAP: &[&str] = &[
    "It went well. {boss} liked what we saw, and had a few questions.",
    "The {team} had a few questions about the {feature}.",
    "Not much has changed. We're still getting through the {season} prep.",
    "The team talked it over and they're curious, mostly about the rollout.",
    "{boss} asked me how long the setup takes, so that's on my mind.",
    "The {team} liked the {feature}. One of them asked if it works on older phones.",
    "Busy. {boss} was out all last week, so we're only catching up now.",
    "Honestly, it's been a scramble, but we've been talking about it internally.",
    "Good. I showed a couple of screenshots to the {team} and they had questions.",
    "{boss} read your email and wanted to hear more about the rollout.",
    "Pretty well. The {team} compared notes on Friday.",
];

/// The manager's introduction when she joins a call.
pub const MANAGER_INTRO: &[&str] = &[
    "Hi {p}, I'm {mgr}, I lead the team here at {vendor}. Thanks for having me, I'll mostly listen today.",
    "Hello {p}, {mgr} here. I look after {s}'s team, and I've worked with a lot of our customers in your space.",
    "Hi everyone, {mgr} from {vendor}. Thanks for having me.",
];

/// The prospect's colleague introducing themselves.
pub const COLLEAGUE_INTRO: &[&str] = &[
    "Hi, {col} here. I run IT, so I'm mostly here for the technical side.",
    "Hello, I'm {col}. I look after the {team}, so {p} asked me to sit in.",
    "Hi all, {col}. I'll mostly be listening.",
];

// ---------------------------------------------------------------------------------
// Discovery: per product, a question and several answers.
// ---------------------------------------------------------------------------------

/// One discovery exchange: ways to ask the seller's question, and the prospect's
/// possible answers.
pub type Exchange = (&'static [&'static str], &'static [&'static str]);

/// Discovery for a product line: the exchanges in the order a seller would raise them,
/// and where each topic starts. Within a topic, an exchange is a follow-up to the one
/// before it and is only asked after it.
pub fn discovery(product: ProductLine) -> (&'static [Exchange], &'static [usize]) {
    match product {
        ProductLine::Dispatch => (DISPATCH_DISCOVERY, &[0, 1, 4, 5, 6]),
        ProductLine::Payables => (PAYABLES_DISCOVERY, &[0, 1, 2, 4, 5, 6]),
        ProductLine::Learn => (LEARN_DISCOVERY, &[0, 1, 2, 3, 4, 5]),
        ProductLine::Shifts => (SHIFTS_DISCOVERY, &[0, 2, 3, 4, 5]),
    }
}

const WHO_DECIDES_Q: &[&str] = &[
    "Who else would be involved in a decision like this?",
    "Who else would weigh in on something like this?",
    "Besides you, who has a say in a purchase like this?",
    "If you went ahead with something, who else would need to be comfortable with it?",
    "Who signs off on a tool like this at {company}?",
    "How do decisions like this usually get made at {company}?",
    "Who else cares about this problem as much as you do?",
    "Who would you need to bring along on something like this?",
    "Whose budget would this come out of?",
    "Is there anyone who'd push back on a change like this?",
    "How did the last purchase like this get approved?",
];

const WHO_DECIDES: &[&str] = &[
    "Me and {boss}, our {bossrole}. Anything over five thousand goes through {boss}.",
    "{boss} signs off, and IT looks at anything that touches customer data. The next step in our process is usually a security review, which takes a couple of weeks.",
    "{boss} has the final say. {boss} usually wants a business case before anything gets signed.",
    "Our {bossrole}, {boss}. And our finance team usually asks for three quotes on anything this size.",
    "Technically {boss}, our {bossrole}. In practice, if my {team} hate it, it's dead.",
    "It'd be me, {boss}, and someone from IT. {boss} trusts my judgement on the day-to-day stuff.",
];

const PAST_TRIES_Q: &[&str] = &[
    "Have you tried to fix this before?",
    "Have you looked at other tools?",
    "Is this the first time you've looked at something like this?",
    "What have you tried so far?",
    "Has anyone at {company} tried to solve this before?",
    "Did you look at anything else before us?",
];

const DISPATCH_DISCOVERY: &[Exchange] = &[
    (
        &[
            "How many {workers} are you scheduling, and how does a job get from the customer to the {worker} who does it?",
            "Walk me through it. A customer needs something fixed, then what happens?",
            "How does a job go from a customer phoning in to someone on site?",
        ],
        &[
            "About {n} {workers} across {nsites} {sites}. A customer emails or phones in, a dispatcher puts it in {system}, and then someone texts the {worker} the address.",
            "Roughly {n}. Jobs come in through the website or the front desk, and our coordinators slot them into {system} by hand.",
            "We've got {n} {workers} in the field. The office takes the job, it goes into {system}, and the {worker} finds out by text, usually.",
        ],
    ),
    (
        &[
            "And where does that break down?",
            "Where does it go wrong?",
            "What's the part that hurts the most?",
        ],
        &[
            "Mostly when things change during the day. A job runs long, somebody goes home sick, and two dispatchers end up rearranging the same schedule.",
            "Friday afternoons. Everyone wants their job done before the weekend, and we end up sending two {workers} to the same address.",
            "When one of the {workers} finishes early, nobody knows, so they sit in the van waiting for a text.",
        ],
    ),
    (
        &[
            "How often does that happen?",
            "How many times a month would you say?",
            "Is that a weekly thing or a rare thing?",
        ],
        &[
            "A few times a week. Last month we sent two {workers} to a site that had cancelled the day before, and nobody to a hospital with a chiller down.",
            "More than I'd like. Probably twice a week in {season}.",
            "Every week, without fail. In {season} it's every day.",
        ],
    ),
    (
        &[
            "What did the last mix-up cost you?",
            "What does a missed job cost you?",
            "When that happens, what's the damage?",
        ],
        &[
            "We gave the customer a month of service credit, so roughly eight thousand dollars, plus a very uncomfortable conversation with their facilities director.",
            "A customer we'd had for nine years. They moved their maintenance to someone else in the spring.",
            "Overtime, mostly. And a few angry reviews we didn't need.",
        ],
    ),
    (
        PAST_TRIES_Q,
        &[
            "We did, about two years ago. Our last vendor sent us a quote that went nowhere, it was priced per dispatcher and finance killed it.",
            "We had a demo from another vendor last spring, but their app needed a signal the whole time and half our jobs are in basements.",
            "Not seriously. {system} has been good enough until this year.",
        ],
    ),
    (
        &[
            "What would have to be different this time?",
            "What would a good outcome look like by {season}?",
            "If this worked, what would be different a year from now?",
        ],
        &[
            "It has to be live before {season}. And the {workers} have to like it, or they'll go straight back to texting.",
            "Simple enough that my dispatchers pick it up in a day. They're great people, but they're busy.",
            "No more Friday scrambles, and the {workers} knowing their day before they leave home.",
        ],
    ),
    (WHO_DECIDES_Q, WHO_DECIDES),
];

const PAYABLES_DISCOVERY: &[Exchange] = &[
    (
        &[
            "Roughly how many invoices does your team process in a month?",
            "What kind of invoice volume are we talking about?",
            "How many invoices come through in a typical month?",
        ],
        &[
            "Around {volume}. Most of them come from suppliers and freight carriers.",
            "Somewhere around {volume}, and it spikes at month end.",
            "{volume}, give or take, across {nsites} {sites}.",
        ],
    ),
    (
        &[
            "And who handles those today?",
            "Who touches an invoice between the inbox and {system}?",
            "How does an invoice get from the supplier into {system} today?",
        ],
        &[
            "Two AP clerks, and me when it gets bad. Everything lands in a shared inbox, they key it into {system}, and approvals happen over email.",
            "A team of three. They print the invoices, walk them around for signatures, and then enter them in {system}.",
            "The clerks download the PDFs, type them into {system}, and chase approvers by email.",
        ],
    ),
    (
        &[
            "Where does it slow down?",
            "Where do invoices get stuck?",
            "What's the slowest part of that?",
        ],
        &[
            "Approvals. Invoices sit in someone's inbox for two weeks, and we miss early-payment discounts with our biggest suppliers.",
            "Month end. My clerks are here until nine, matching receipts against the PO by hand.",
            "The plant managers. They approve in batches once a week, if we're lucky.",
        ],
    ),
    (
        &[
            "What does that cost you?",
            "Do you know what the delays cost you?",
            "What would paying on time be worth?",
        ],
        &[
            "Two percent on about three million a year, so sixty thousand if we caught all of them. We probably catch half.",
            "Honestly, more than the clerks cost us. Our biggest supplier gives us two percent for paying inside ten days.",
            "A couple of suppliers put us on credit hold last year, so more than money.",
        ],
    ),
    (
        PAST_TRIES_Q,
        &[
            "One, last year. They wanted every supplier to log into their portal, which was never going to happen.",
            "Our previous controller ran a trial of something, but it never got past the setup.",
            "We tried the add-on that came with {system} years ago. It read about half the invoices right.",
        ],
    ),
    (
        &[
            "How do approvals work when someone is on vacation?",
            "What happens when an approver is out?",
            "Who covers approvals during holidays?",
        ],
        &[
            "They don't, mostly. Invoices wait until the person is back, and the supplier phones us asking where their money is.",
            "Someone forwards the email to whoever is around, and half the time it gets approved twice.",
            "I end up approving everything myself, which isn't how it should work.",
        ],
    ),
    (WHO_DECIDES_Q, WHO_DECIDES),
];

const LEARN_DISCOVERY: &[Exchange] = &[
    (
        &[
            "How do you track the required training across your {sites} today?",
            "Where does the training record live today?",
            "How do you know who's current on their required training?",
        ],
        &[
            "Each {site} manager tracks it their own way. Some use a spreadsheet, one uses a paper binder, and for two of them I have no clue.",
            "Mostly {system}. It works until someone leaves and their tracking leaves with them.",
            "Honestly, we find out when an inspector asks. Before that it's {system} and good intentions.",
        ],
    ),
    (
        &[
            "What happens when an inspector shows up?",
            "How do inspections usually go for you?",
            "What does audit week look like for you?",
        ],
        &[
            "Last time it took the {site} manager a whole day to find the certificates. We passed, but barely.",
            "A lot of running around. In the spring two {workers} had let a certification lapse and nobody noticed.",
            "Everyone stops working and digs through {system} for two days.",
        ],
    ),
    (
        &[
            "How many people are we talking about?",
            "How many people need training across the {sites}?",
            "What's the head count we'd be covering?",
        ],
        &[
            "About {n} across {nsites} {sites}, from the front desk to clinical.",
            "{n}, give or take. Turnover is high, so it changes every month.",
            "Roughly {n}, and we're opening another {site} in the autumn.",
        ],
    ),
    (
        &[
            "Have you tried an online platform before?",
            "Have you looked at other training tools?",
            "Is this your first go at moving training online?",
        ],
        &[
            "We did a free trial of another platform last year, but nobody logged in after the first week.",
            "Years ago. The courses were forty-five minutes long and generic, so nobody finished them.",
            "Our previous HR manager looked at a few, but then she left and it stalled.",
        ],
    ),
    (
        &[
            "What would make this a win for you by {season}?",
            "What does good look like for you, say, a year from now?",
            "If this went well, how would you know?",
        ],
        &[
            "Every certificate in one place, and nobody lapsing without us knowing.",
            "Walking into {season} without that sinking feeling. And my {team} getting their Sundays back.",
            "Nobody on my team chasing people for certificates ever again.",
        ],
    ),
    (WHO_DECIDES_Q, WHO_DECIDES),
];

const SHIFTS_DISCOVERY: &[Exchange] = &[
    (
        &[
            "How do you build the schedule today?",
            "Walk me through how a week's schedule gets made.",
            "Who builds the schedule, and with what?",
        ],
        &[
            "On {system}, and then I take a photo and text it to everyone.",
            "Each {site} does its own in {system}. It takes a manager most of Sunday afternoon.",
            "The {team} each do their own, in {system}, and nobody sees anyone else's.",
        ],
    ),
    (
        &[
            "What's the hardest part?",
            "Where does it hurt the most?",
            "What eats most of the managers' time?",
        ],
        &[
            "Swaps. Somebody can't make their Saturday shift, they text the manager, and the manager texts around until someone takes it.",
            "Last-minute gaps. Someone doesn't show, and we end up paying overtime to whoever picks up the phone.",
            "Keeping track of who's allowed to work what. Minors, certifications, that sort of thing.",
        ],
    ),
    (
        &[
            "How many people across how many {sites}?",
            "What's the head count, roughly?",
            "How big is the hourly team?",
        ],
        &[
            "{n} people across {nsites} {sites}, mostly part-time.",
            "About {n}, and in {season} we add another twenty percent in seasonal staff.",
            "Around {n}. Turnover means a third of them are new every year.",
        ],
    ),
    (
        &[
            "What does overtime look like?",
            "How much overtime do you end up paying?",
            "Is overtime something you watch closely?",
        ],
        &[
            "Higher than it should be. Nobody sees it coming until payroll runs.",
            "It's our second biggest cost after food. Or it feels that way.",
            "We try to. But by the time we see it, it's already been paid.",
        ],
    ),
    (
        PAST_TRIES_Q,
        &[
            "We had a pilot with another app two years ago, but the managers never used it.",
            "Our last vendor sent us a quote, but it was priced per location and we have a lot of small ones.",
            "Not really. {system} is free, and that's hard to argue with.",
        ],
    ),
    (WHO_DECIDES_Q, WHO_DECIDES),
];

/// On a deal with no fit, the prospect says something in discovery that shows it.
pub fn poor_fit_reveal(product: ProductLine) -> &'static [&'static str] {
    match product {
        ProductLine::Dispatch => &[
            "To be fair, it's just me and three {workers}. I do most of the scheduling from my truck.",
            "I should say, our {workers} are all subcontractors. They pick their own jobs, we don't assign them.",
        ],
        ProductLine::Payables => &[
            "Honestly, we only get about forty invoices a month. It's mostly me and {system}.",
            "I should say, our parent company pays all our invoices from head office. We just forward them on.",
        ],
        ProductLine::Learn => &[
            "It's only eleven people, to be honest, in one office.",
            "I should say, our association already provides the courses for free, we just track who took them.",
        ],
        ProductLine::Shifts => &[
            "Our schedule barely changes, honestly. Same twelve people, same shifts, every week.",
            "I should say, we're unionised, and the roster is set by seniority once a year.",
        ],
    }
}

// ---------------------------------------------------------------------------------
// Product talk.
// ---------------------------------------------------------------------------------

/// The seller's product statements (no commitments, a few feature distractors).
pub fn product_talk(product: ProductLine) -> &'static [&'static str] {
    match product {
        ProductLine::Dispatch => &[
            "Each column on the board is one of your {workers} and each card is a job you drag between them.",
            "If a job runs long, the cards behind it turn amber and the board suggests who's closest and free.",
            "The {worker} gets the change in the phone app with the address and the job notes, so nobody is texting anymore.",
            "The app sends each {worker} a reminder every morning with their first three jobs.",
            "The platform sends you a summary every Monday with first-time fix rate and overtime by {site}.",
            "Customers get a text when the {worker} is on the way, with a map, so the office phone rings less.",
            "The {worker} can close out the job on the phone, with photos and a signature from the customer.",
            "Parts used on a job go straight onto the invoice, so nobody retypes anything.",
            "Skills are tagged per {worker}, so the board only suggests people who can actually do the job.",
            "You can see every {site} on one screen, or just your own.",
            "Dispatchers can drag a whole day from one {worker} to another when someone calls in sick.",
            "Recurring maintenance jobs are created on their own, months ahead, so nothing gets forgotten.",
            "The map view shows where everyone is, so the nearest free {worker} is obvious.",
            "Job notes and photos from last time show up on the next visit to the same site.",
            "Timesheets come straight from the jobs, so nobody fills one in on a Friday night.",
            "Overtime shows up on the board before it happens, not on the payslip.",
        ],
        ProductLine::Payables => &[
            "Invoices keep coming into the same inbox. We read them automatically, match them in {system}, and route each one to the right approver.",
            "Approvers can sign off straight from the email or from the mobile app.",
            "Anything the reader isn't sure about gets flagged for your clerks instead of guessed.",
            "The platform sends you a digest every Monday of everything waiting on approval, with discount deadlines at the top.",
            "When an approver is away, their invoices go to a backup automatically.",
            "Everything posts to {system} with the PDF attached, so the auditors can click straight through.",
            "Duplicate invoices get caught before anyone pays them twice.",
            "Each approver sees the invoice, the PO and the receipt side by side on one screen.",
            "Suppliers keep emailing invoices the way they do now, nothing changes on their side.",
            "Approval rules follow your limits, so anything over a threshold goes to {boss} automatically.",
            "Clerks see a queue of exceptions instead of a pile of PDFs.",
            "Every invoice keeps its history, who approved it and when, for the auditors.",
            "Payment runs go out from {system} the same way they do today.",
            "Vendors who send the same invoice twice get caught on the second one.",
            "Month end gets a checklist of what's still waiting, by approver.",
            "Coding suggestions learn from how your clerks coded the last invoices from that supplier.",
        ],
        ProductLine::Learn => &[
            "Most of our courses take ten to fifteen minutes, and they're written for {plural}, not hospitals.",
            "Each {site} gets a dashboard of who's current, who's due in the next thirty days and who's overdue.",
            "Staff get a text reminder two weeks before anything expires.",
            "Every completion stores a certificate you can find in seconds if an inspector walks in.",
            "New hires get their required courses assigned on day one, based on their role.",
            "The courses work on a phone, so people can do them on a break.",
            "You can upload your own policies and have people sign off that they read them.",
            "Managers see their own {site} only, and you see everything.",
            "When a state rule changes, the course is updated for you and reassigned where it matters.",
            "The {feature} shows what's expiring this month, by {site}, on one page.",
            "Certificates from outside courses can be uploaded and tracked alongside ours.",
            "Inspectors can get a read-only link to the records they ask for.",
            "Each role gets its own training plan, so a front-desk hire doesn't take clinical courses.",
            "Reminders go to the manager too when someone is about to lapse.",
            "Completion rates by {site} show up on one screen for your monthly meeting.",
            "The courses can be paused and picked up later, on any device.",
        ],
        ProductLine::Shifts => &[
            "Managers post the schedule from their phone, and everyone sees it in the app.",
            "When someone can't make a shift, they put it on the {feature} and anyone qualified can pick it up.",
            "Before anyone goes into overtime, the manager gets an alert.",
            "The labor forecast uses last year's sales to suggest how many people each shift needs.",
            "People set their availability once, and the schedule respects it.",
            "Swaps go through on their own when both people are qualified, so managers only see the exceptions.",
            "Rules for minors and breaks are built in, so the schedule won't let you break them.",
            "Hours flow to payroll at the end of the period without anyone retyping them.",
            "Each {site} can lend people to the one next door when it's short.",
            "The {feature} shows labor cost against sales for every shift.",
            "Managers can copy last week's schedule and just fix the gaps.",
            "Open shifts go out to everyone qualified at once, and the first yes gets it.",
            "People clock in from the app, and it checks they're actually on site.",
            "Time-off requests land in one place instead of in texts.",
            "The schedule warns you before you put someone on a clopen.",
            "New hires only see shifts they're trained for.",
        ],
    }
}

/// The prospect's questions during product talk and the seller's answers.
pub fn product_questions(product: ProductLine) -> &'static [Exchange] {
    match product {
        ProductLine::Dispatch => &[
            (
                &[
                    "So if two dispatchers move the same job at the same time, what happens?",
                    "What if two people change the same job at once?",
                ],
                &[
                    "The second one sees it's already been moved, by whom and when. There's only ever one version of the board.",
                ],
            ),
            (
                &[
                    "Does it work offline? Some of our jobs have no signal.",
                    "What happens in a basement with no signal?",
                ],
                &[
                    "The app keeps the day's jobs on the phone and syncs when it's back online.",
                    "It keeps working, and everything syncs once the phone finds a signal.",
                ],
            ),
            (
                &[
                    "Can it handle emergency jobs that jump the queue?",
                    "What about emergencies?",
                ],
                &["It can. You flag it as urgent and the board shows who can get there fastest."],
            ),
            (
                &[
                    "Does it talk to QuickBooks?",
                    "How does it connect to our accounting?",
                ],
                &[
                    "It does. A completed job goes straight to invoicing.",
                    "There's a standard connector, so finished jobs turn into invoices without retyping.",
                ],
            ),
            (
                &[
                    "Can customers book their own appointments?",
                    "Is there anything the customer sees?",
                ],
                &[
                    "They get a link to pick a window, and it lands on the board for a dispatcher to confirm.",
                ],
            ),
        ],
        ProductLine::Payables => &[
            (
                &[
                    "How accurate is the reading? We get some pretty ugly PDFs.",
                    "What about scanned invoices?",
                ],
                &[
                    "On typical invoices about ninety-five percent of fields come through clean, and anything it isn't sure about gets flagged.",
                    "Scans work too. Anything it can't read with confidence goes to a clerk to check.",
                ],
            ),
            (
                &[
                    "Does it handle currencies? About a third of ours are in euros.",
                    "We pay some suppliers in other currencies. Is that a problem?",
                ],
                &[
                    "It reads the currency off the invoice and uses the exchange rates you keep in {system}.",
                ],
            ),
            (
                &[
                    "And the approvers, do they have to log into yet another system?",
                    "Do approvers need another login?",
                ],
                &["No, they approve from the email or the mobile app."],
            ),
            (
                &[
                    "How long does the {system} connection take to set up?",
                    "Is the {system} integration a big project?",
                ],
                &[
                    "Usually a few days. It's a standard connector, and our team does the setup with yours.",
                ],
            ),
            (
                &[
                    "Can it handle credit notes?",
                    "What about partial payments and credit notes?",
                ],
                &["Yes, they're matched to the original invoice and posted the same way."],
            ),
        ],
        ProductLine::Learn => &[
            (
                &[
                    "Can the {site} managers see only their own {site}?",
                    "Who sees what?",
                ],
                &[
                    "Permissions are by location. You'd see all of them, each manager sees their own.",
                ],
            ),
            (
                &[
                    "Do the courses count toward continuing education hours?",
                    "Are the courses accredited?",
                ],
                &[
                    "Most of them count for continuing education, and the certificate shows the hours.",
                ],
            ),
            (
                &[
                    "What happens when someone leaves?",
                    "Do we lose the records when people leave?",
                ],
                &["Their history stays, so you still have it for an audit."],
            ),
            (
                &[
                    "Can people do it in Spanish?",
                    "Is it available in other languages?",
                ],
                &[
                    "The core courses are in English and Spanish, and a few more languages for the common ones.",
                ],
            ),
            (
                &["How long do the courses take?", "Are the courses long?"],
                &[
                    "Most take ten to fifteen minutes.",
                    "Short. The longest is about twenty minutes, most are under fifteen.",
                ],
            ),
        ],
        ProductLine::Shifts => &[
            (
                &[
                    "Does it connect to our time clock?",
                    "What about our time clock?",
                ],
                &["It does, so actual hours flow back and you can compare them to the schedule."],
            ),
            (
                &[
                    "Can managers approve swaps from their phone?",
                    "Do managers have to be at a computer?",
                ],
                &[
                    "Managers do everything from the app, or you can let qualified swaps go through on their own.",
                ],
            ),
            (
                &[
                    "What about people who don't have smartphones?",
                    "Not everyone has a smartphone. Does that matter?",
                ],
                &["They get texts, and managers can still print the week."],
            ),
            (
                &[
                    "Does it handle tips and split shifts?",
                    "Can it do split shifts?",
                ],
                &["Split shifts yes, and tips are tracked separately so payroll stays clean."],
            ),
            (
                &[
                    "How do people see their schedule?",
                    "Where do staff find their shifts?",
                ],
                &["In the app, or by text if they prefer. Changes show up right away."],
            ),
        ],
    }
}

/// The prospect's neutral acknowledgements.
pub const PROSPECT_NEUTRAL: &[&str] = &[
    "Right.",
    "Mm-hm.",
    "Interesting.",
    "Okay, I'm with you.",
    "Huh. Okay.",
    "I see.",
];

/// The prospect saying something good (settles an earlier negative signal).
pub const PROSPECT_POSITIVE: &[&str] = &[
    "Nice. Our {team} would love that.",
    "Okay, that's helpful.",
    "I like that.",
    "That makes sense.",
    "That's exactly what we need before {season}.",
    "Oh, that's great.",
    "Okay, that looks good.",
    "That would solve a lot for us, honestly. I like it.",
    "Oh, I can see this working for the {team}.",
    "That answers it, thanks.",
    "Huh, that's impressive.",
    "That sounds promising.",
    "I love that.",
    "That's what we need, honestly.",
    "That would work for the {team}.",
    "Okay, that helps a lot.",
    "Very helpful, thanks.",
    "This is great, honestly.",
];

// ---------------------------------------------------------------------------------
// Pressure: what the seller says before a negative signal, the signal itself, and the
// ways of answering it.
// ---------------------------------------------------------------------------------

/// What the seller says that draws each kind of negative signal.
pub fn pressure_context(t: SignalType) -> &'static [&'static str] {
    match t {
        SignalType::Objection => &[
            "For your size you'd be on our Growth tier. That's {price} a year, including onboarding.",
            "All in, with the integration and training, it comes to {price} a year.",
            "For {scope} it comes to {price} a year.",
        ],
        SignalType::Confusion => &[
            "Under the hood the engine is constraint-based, so the optimizer rebalances the whole horizon whenever a skill tag or an SLA window changes.",
            "It's event-driven, so every state change fires the policy engine, which re-evaluates your rules against the entitlement matrix.",
            "The allocation layer federates your role hierarchy into the permission graph, and the sync is idempotent.",
        ],
        SignalType::Doubt => &[
            "Most teams your size are fully live in about three weeks.",
            "Adoption is the easy part. People pick it up in a day.",
            "We've rolled this out for plenty of {plural} like yours.",
        ],
        SignalType::Disinterest => &[
            "And there's a whole analytics suite on top, with forecasting and benchmarks against other {plural}.",
            "We also have an add-on for customer feedback surveys.",
            "You'd also get our partner marketplace with about forty integrations.",
        ],
        SignalType::Stall => &[],
    }
}

/// The prospect's negative signals, by type.
pub fn negative(t: SignalType) -> &'static [&'static str] {
    match t {
        SignalType::Objection => &[
            "Hmm. That's well above what we budgeted.",
            "That's more than double what we pay for {system} today.",
            "Honestly, that's steep for a team our size.",
            "That's a lot of money for us right now.",
            "We set aside maybe half that. I can't justify that to {boss}.",
            "Ouch. That's over our budget for this year.",
            "We're pretty happy with our current setup, to be honest.",
        ],
        SignalType::Confusion => &[
            "Sorry, I'm not really following.",
            "You lost me there, honestly.",
            "I'm a bit confused. How is that different from what we do now?",
            "That's a little over my head.",
            "Hmm. I'm still a bit lost, honestly.",
            "I don't understand what that does for us.",
        ],
        SignalType::Doubt => &[
            "I'm not convinced our {workers} would actually use it.",
            "Honestly, I'm skeptical. We've been burned before by tools like this.",
            "I'm worried it won't hold up with our volume.",
            "I'm not sure this is worth the switch for us.",
            "Three weeks? I doubt that, with our setup.",
            "{boss} would never approve a rollout before {season}.",
            "I'm wary of another big rollout, honestly.",
        ],
        SignalType::Disinterest => &[
            "Honestly, I don't see the value of that for a team our size.",
            "That's not really what we need.",
            "I can't see us using half of this.",
            "I don't think we need any of that.",
            "Our people wouldn't use it, to be honest.",
            "That's not relevant for us.",
        ],
        SignalType::Stall => STALL,
    }
}

/// The prospect's vague deferrals (no date, so no step).
pub const STALL: &[&str] = &[
    "Let me think about it and get back to you.",
    "I need to run it by {boss} first.",
    "Honestly, I'll have to sleep on it.",
    "We'll be in touch.",
    "Let me talk it over with the team and I'll let you know.",
    "Give me some time to mull it over.",
    "I'll keep you posted.",
    "This was useful. Let me have a think and I'll come back to you.",
];

/// The seller acknowledging a signal without naming it.
pub const SELLER_ACK: &[&str] = &[
    "I hear you.",
    "I understand.",
    "That's fair.",
    "Fair enough.",
    "Understood.",
    "Totally understand.",
    "Sure, I get that.",
    "Okay.",
];

/// The seller moving on after an unnamed signal (no naming, no offer).
pub const SELLER_MOVE_ON: &[&str] = &[
    "Let's park that for a second.",
    "Let me ask you something else.",
    "Okay, switching gears for a moment.",
    "Good to know.",
];

/// The seller naming the difficulty, by signal type.
pub fn confront(t: SignalType) -> &'static [&'static str] {
    match t {
        SignalType::Confusion => &[
            "It looks like I may have confused you.",
            "I think I've lost you there.",
            "It sounds like that was confusing, and that's on me.",
            "Sorry, it seems like I lost you.",
        ],
        SignalType::Doubt => &[
            "It sounds like you're not convinced.",
            "I'm sensing some hesitation.",
            "It seems like you have some real doubts about this.",
            "I get the sense you're not sold yet.",
        ],
        SignalType::Objection => &[
            "It seems like we've hit a wall on budget.",
            "It sounds like price is the real sticking point.",
            "It looks like the budget is a problem here.",
            "I'm sensing the price isn't working for you.",
        ],
        SignalType::Disinterest => &[
            "It sounds like this isn't a priority for you right now.",
            "I get the feeling this isn't landing for you.",
            "It sounds like I haven't shown you anything you need yet.",
            "I get the sense you're not impressed so far.",
        ],
        SignalType::Stall => &[
            "It sounds like something is holding you back.",
            "I get the feeling the timing isn't right.",
            "I'm sensing some hesitation about this.",
        ],
    }
}

/// The seller's question after naming the difficulty.
pub fn confront_question(t: SignalType) -> &'static [&'static str] {
    match t {
        SignalType::Confusion => &[
            "Which part lost you?",
            "Where did I lose you?",
            "What part didn't land?",
        ],
        SignalType::Doubt => &[
            "What's behind that?",
            "What's on your mind?",
            "Can you tell me more about that?",
        ],
        SignalType::Objection => &[
            "Is that a deal-breaker, or something we can work through?",
            "Is it the total, or the timing of the spend?",
        ],
        SignalType::Disinterest => &["Am I reading that right?", "Is that fair to say?"],
        SignalType::Stall => &[
            "What is it?",
            "What would have to be true for this to go ahead?",
            "Am I off base?",
        ],
    }
}

/// The prospect opening up after being asked (no new negative words).
pub fn open_up(t: SignalType) -> &'static [&'static str] {
    match t {
        SignalType::Confusion => &[
            "Honestly, yes. The engine part went right past me.",
            "A little. I just want to know what my {team} would see on a Monday morning.",
        ],
        SignalType::Doubt => &[
            "Honestly, it's the rollout more than the product. Our last rollout took six months.",
            "Fair. The last tool we bought sat on a shelf, and I took the heat for it.",
        ],
        SignalType::Objection => &[
            "Honestly, it's the timing of the spend more than the amount. Our budget resets after {season}.",
            "It's the total. {boss} gave me a number and this is above it.",
        ],
        SignalType::Disinterest => &[
            "Honestly, yes. The scheduling part is interesting, the rest we'd never touch.",
            "Kind of. We have bigger fires this quarter.",
        ],
        SignalType::Stall => &[
            "Honestly, we're in the middle of a reorganisation, so nothing new starts before {season}.",
            "It's {boss}. Nothing gets approved until the new budget.",
        ],
    }
}

/// The seller addressing the problem once it is on the table.
pub fn address(t: SignalType, product: ProductLine) -> &'static [&'static str] {
    match t {
        SignalType::Confusion => match product {
            ProductLine::Dispatch => &[
                "Let me put it another way. When someone goes home sick, the board shows who can cover, and you drag the job over. That's it.",
            ],
            ProductLine::Payables => &[
                "Put simply, the invoice comes in, the right person approves it from their phone, and it lands in {system}.",
            ],
            ProductLine::Learn => &[
                "Put simply, every certificate is in one place and you get a warning before anything lapses.",
            ],
            ProductLine::Shifts => {
                &["Put simply, people swap shifts in the app and the manager just approves."]
            }
        },
        SignalType::Doubt => &[
            "That's exactly why onboarding is included. We set it up with your {team}, and we don't leave until it's running.",
            "That's fair. Most of our customers start with one {site}, and nobody else moves until that one works.",
        ],
        SignalType::Objection => &[
            "That's fair. A lot of our customers start with one {site} and grow from there.",
            "Understood. There's a smaller starting point, with just the core features.",
        ],
        SignalType::Disinterest => &[
            "Then let's focus on the scheduling part only and forget the rest.",
            "That's fair. The core of it is the part you described in the beginning.",
        ],
        SignalType::Stall => &["That makes sense.", "Understood, that's helpful to know."],
    }
}

// ---------------------------------------------------------------------------------
// Disqualifying.
// ---------------------------------------------------------------------------------

/// The seller saying there may be no fit.
pub const NO_FIT: &[&str] = &[
    "Honestly, {p}, maybe there isn't a good fit here.",
    "I'd rather be straight with you. I don't think we're the right fit for you.",
    "I'm not sure we're a good fit, to be honest.",
    "It sounds like we're probably not the right solution for you.",
    "Honestly, we're not the right partner for this.",
];

/// Why there is no fit.
pub const NO_FIT_REASON: &[&str] = &[
    "{product} is built for teams much bigger than yours, and you'd be paying for a lot you'd never use.",
    "You'd be paying for a lot of {product} that you'd never touch.",
    "What you have today sounds like it does the job at your size.",
];

/// The prospect agreeing there is no fit.
pub const PROSPECT_AGREES_NO_FIT: &[&str] = &[
    "Yeah, I was starting to think the same.",
    "That's fair. I appreciate you being straight with me.",
    "Honestly, that's a relief to hear.",
    "I had a feeling. Thanks for saying it.",
];

/// The seller closing a disqualified call.
pub const SELLER_AFTER_NO_FIT: &[&str] = &[
    "I'd rather tell you now than waste your time.",
    "Good luck with {season}, and thanks for being open with me.",
    "Thanks for being so open about it.",
];

// ---------------------------------------------------------------------------------
// The close.
// ---------------------------------------------------------------------------------

/// The seller wrapping up before the close.
pub const SELLER_WRAP: &[&str] = &[
    "{p}, that's most of what I wanted to cover today.",
    "I'm conscious of time.",
    "That's the core of it.",
    "Okay, I think that covers the main pieces.",
    "That's really helpful, thank you.",
    "Great. I know we're close to time.",
    "I appreciate you walking me through all of that.",
    "Okay, that gives me a good picture.",
];

/// Open questions that invite the prospect to name what happens next.
pub const ASK: &[&str] = &[
    "What would you like to do from here?",
    "Where do we go from here?",
    "How would you like to proceed?",
    "What do you see as the next step on your side?",
    "What should happen next, from your point of view?",
    "Where would you like to take it from here?",
    "How do you see this moving forward?",
    "What would you suggest we do next?",
    "So where does that leave us?",
    "What would need to happen next for you?",
    "How would you suggest we get {boss} involved?",
    "What's the best way forward from your side?",
    "So, what's next for you?",
    "What would you want to happen after today?",
];

/// The prospect asking the seller what happens now (the seller's answer defines the step).
pub const WHAT_NOW: &[&str] = &[
    "So what happens now?",
    "Okay. What's next?",
    "So where do we go from here?",
    "What do we do now?",
];

/// The prospect stating or asking for a step, by kind (a frame with a kind word, so
/// they are steps whether or not the seller asked).
pub fn prospect_step(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Demo => &[
            "Could you do a demo for my {team} {when}?",
            "I'd like my {team} to see a demo, ideally {when}.",
            "Can you walk my {team} through it {when}?",
            "Let's set up a demo for {boss} and the {team} {when}.",
            "I want {boss} to see it in action. Can we do that {when}?",
        ],
        Kind::Meeting => &[
            "Let's get {boss} on a call {when}.",
            "I'd like to bring {boss} into a meeting with you {when}.",
            "Can we book an hour with you and my {team} {when}?",
            "Let's set up a call with our IT lead {when}.",
        ],
        Kind::Quote => &[
            "Send me a quote for {scope}.",
            "Can you get me pricing for the {nsites} {sites}?",
            "I need a firm number for {scope} by {day}.",
            "Could you send over a revised quote that starts with one {site}?",
        ],
        Kind::Proposal => &[
            "Could you put together a proposal for the first two {sites}?",
            "We'd want a written proposal we can take to {boss}.",
            "Send me a rollout plan for our {site} in {city}.",
            "I'd like a business case I can take to {boss} {when}.",
        ],
        Kind::Trial => &[
            "I'd like a pilot with one {site}, starting {when}.",
            "Can we get a trial for the {team}?",
            "We'd want to run a two-week pilot at our {site} in {city}.",
            "Let's try it with one {site} first, as a pilot.",
        ],
        Kind::Introduction => &[
            "I'll introduce you to {boss}, our {bossrole}, this week.",
            "Let me loop in {boss} from finance and set up an intro.",
            "I can put you in touch with our IT lead {when}.",
        ],
        Kind::Information => &[
            "Send me a couple of case studies from other {plural}.",
            "Can you send over the security documentation for our IT team?",
            "I'd like something in writing I can share with {boss}.",
            "Could you send me the integration details for {system}?",
        ],
        Kind::Contract => &[
            "Send over the order form and I'll get it signed.",
            "We're ready to sign, so send me the contract.",
            "Let's get the paperwork going this week.",
            "Can you send the agreement to {boss} {when}?",
        ],
        Kind::FollowUp => &[
            "Check back with me on the {nth}.",
            "Let's reconnect on {day} after {boss} is back.",
            "Call me on the {nth}, once the new budget is out.",
        ],
        Kind::Other => &["Could you send me a data export from the trial?"],
    }
}

/// Answers to an open ask that name a step by its kind alone (the analyzer accepts a
/// bare kind in the turn right after an ask, as people answer that way).
pub fn ask_answer(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Demo => &["I think the {team} should see it. A demo for them {when} would be ideal."],
        Kind::Meeting => &["Honestly, I have to present this to our {bossrole} {when}."],
        Kind::Trial => &["Probably a pilot with one {site} first."],
        Kind::Proposal => &["A proposal for the first two {sites}, I think."],
        _ => &[],
    }
}

/// The seller suggesting a step (a closed question or a "let's"), by kind.
pub fn suggest(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Demo => &[
            "Shall we set up a demo with your {team} {when}?",
            "How about we walk your {team} through it {when}?",
            "Would it make sense to do a demo for {boss} {when}?",
            "Let's set up a demo for your {team}, say {when}.",
        ],
        Kind::Meeting => &[
            "Would it make sense to get {boss} on a call {when}?",
            "Let's book thirty minutes with you and {boss} {when}.",
            "Why don't we get together with your IT lead {when}?",
            "I suggest we set up a working session with your {team} {when}.",
        ],
        Kind::Trial => &[
            "I recommend we start a two-week pilot with one {site}.",
            "Shall we set up a trial for your {team}, starting {when}?",
            "What if we ran a pilot at your {site} in {city}?",
        ],
        Kind::FollowUp => &[
            "Why don't we touch base again {when}?",
            "Let's check in {when} and see where things stand.",
            "How about we reconnect {when}, once {boss} is back?",
        ],
        _ => &[],
    }
}

/// The seller promising to produce or send something (volunteering when unasked).
pub fn promise(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Proposal => &[
            "I'll put together a proposal for the {nsites} {sites} and send it over by {day}.",
            "What I'd like to do is draft a rollout plan for your first {site}.",
            "Let me write up a business case you can take to {boss}.",
            "I'm going to send over an ROI analysis {when}.",
            "I'll draft a proposal with the rollout in phases, one {site} at a time.",
        ],
        Kind::Quote => &[
            "I'll send you a quote for {scope} {when}.",
            "Let me work up some numbers for {boss}.",
            "I can get you pricing for the {nsites} {sites} by {day}.",
            "I'll put together a quote with the onboarding included.",
        ],
        Kind::Information => &[
            "I'll send you a few case studies from {plural} your size.",
            "Let me send over a one-pager you can forward to {boss}.",
            "I'll email you the security documentation for your IT team.",
            "I'll send over a couple of customer references you can talk to.",
            "I'll send you a short overview of the {feature} after the call.",
        ],
        Kind::Contract => &[
            "I'll send over the order form so it's ready when you are.",
            "Let me get the contract drafted and over to you {when}.",
            "I'll send the agreement over {when} so legal can have a look.",
        ],
        _ => &[],
    }
}

/// The seller reaching for a deliverable to get past a hard moment (a bail-out when
/// the moment is unnamed).
pub fn bail_offer(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Proposal => &[
            "Why don't I put together a proposal with some numbers, so you can see how it pays for itself?",
            "Let me write up a business case that shows the payback, for {boss}.",
            "I'll put together an ROI analysis so you can see the savings in black and white.",
            "What I'd like to do is draft a smaller proposal, just one {site} to start.",
        ],
        Kind::Quote => &[
            "Tell you what, I'll put together a sharper number and get it over to you this week.",
            "Let me see what I can do and send you a better price by {day}.",
            "I can get you a revised quote for a smaller rollout by {day}.",
            "I'll send over a discount offer for the first year.",
        ],
        Kind::Information => &[
            "Let me send you a few case studies from {plural} who had the same question.",
            "I'll send over a one-pager that explains it more simply.",
            "How about I send you a short recording that explains it more simply?",
            "I'll pull together a short comparison with what you have today.",
            "Let me send you some customer references, they can tell you how it went.",
        ],
        _ => &[],
    }
}

/// The prospect agreeing to the seller's step (hesitant agreement counts).
pub const AGREE: &[&str] = &[
    "Sure, that works.",
    "Yes, that works for me.",
    "Okay, let's do that.",
    "Sounds good.",
    "Sure, send it over.",
    "Hmm, okay.",
    "Yeah, that would be great.",
    "Fine by me.",
    "Alright, go ahead.",
    "Okay, sure.",
    "Yes, please.",
    "{day} works for me.",
];

/// Polite answers that commit to nothing.
pub const NONCOMMITTAL: &[&str] = &[
    "If you want.",
    "I guess, if you think it helps.",
    "Whatever you think is best.",
    "Maybe. We'll see.",
    "You don't have to do that, but if you like.",
    "I suppose so.",
    "Up to you.",
    "Could be. No promises.",
    "I mean, sure, if you want to.",
];

/// The prospect turning a suggested step down.
pub const DECLINE: &[&str] = &[
    "Not yet, I think.",
    "I don't think so, not at this point.",
    "Let's hold off on that for now.",
];

/// The seller taking on a deliverable already on the table (anaphora only, so it
/// defines no new step).
pub const SELLER_TAKES_DELIVERABLE: &[&str] = &[
    "Will do.",
    "Absolutely. I'll get that over to you by {day}.",
    "Consider it done.",
    "Of course. I'll have it to you by {day}.",
    "Happy to. I'll get it to you {when}.",
];

/// The seller taking on a meeting, demo or trial already on the table (logistics only).
pub const SELLER_TAKES_MEETING: &[&str] = &[
    "Happy to. I'll send the invite.",
    "Perfect. I'll set it up.",
    "Great, I'll send a calendar invite.",
    "Sounds good. Who else should be on the invite?",
    "Perfect, I'll lock it in.",
    "Will do.",
];

/// The seller accepting a stall without naming it or offering anything.
pub const SELLER_ACCEPTS_STALL: &[&str] = &[
    "Of course, take your time.",
    "Understood.",
    "No rush at all.",
    "Sure thing.",
];

/// The seller's goodbye.
pub const SELLER_BYE: &[&str] = &[
    "Thanks, {p}. Talk soon.",
    "Thanks again, {p}. Enjoy the rest of your week.",
    "Appreciate your time, {p}.",
    "Thanks, {p}. Take care.",
];

/// The prospect's goodbye (one is the "jump to my next call" distractor).
pub const PROSPECT_BYE: &[&str] = &[
    "Thanks, {s}. Bye now.",
    "Take care, {s}.",
    "Thanks for your time, {s}.",
    "Cheers, {s}.",
    "I need to jump to my next call. Thanks, {s}.",
    "I have to run, they need me downstairs. Thanks, {s}.",
];
