//! Who the demo team sells to: four products, the industries that buy each, and
//! accounts and contacts with realistic names (some with accents, as real CRMs have).

use nextstep_core::NewAccount;

use crate::rng::Rng;

/// The product lines the team sells; each has its own discovery and product talk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductLine {
    /// Field-service scheduling and dispatch.
    Dispatch,
    /// Accounts-payable automation.
    Payables,
    /// Compliance training.
    Learn,
    /// Shift scheduling for hourly staff.
    Shifts,
}

impl ProductLine {
    /// The product name on deals and in calls.
    pub fn name(self) -> &'static str {
        match self {
            ProductLine::Dispatch => "Halyard Dispatch",
            ProductLine::Payables => "Halyard Payables",
            ProductLine::Learn => "Halyard Learn",
            ProductLine::Shifts => "Halyard Shifts",
        }
    }

    /// Annual price in dollars for `units` (technicians, invoices a month in hundreds,
    /// employees…), the basis of deal amounts and the price quoted on calls.
    pub fn annual_price(self, units: i64) -> i64 {
        let raw = match self {
            ProductLine::Dispatch => units * 540,
            ProductLine::Payables => 9_000 + units * 700,
            ProductLine::Learn => units * 96,
            ProductLine::Shifts => units * 66,
        };
        (raw / 500).max(6) * 500
    }
}

/// An industry the team sells into, with the words its people use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Industry {
    /// The CRM sector.
    pub sector: &'static str,
    /// What it buys.
    pub product: ProductLine,
    /// Company-name endings ("Facility Services").
    pub suffixes: &'static [&'static str],
    /// (plural, singular) names for the people the product serves.
    pub workers: &'static [(&'static str, &'static str)],
    /// (plural, singular) names for their locations.
    pub sites: &'static [(&'static str, &'static str)],
    /// The team that would use the product day to day.
    pub teams: &'static [&'static str],
    /// What they use today.
    pub systems: &'static [&'static str],
    /// The product feature reps show first.
    pub features: &'static [&'static str],
    /// A busy season the rollout must beat.
    pub seasons: &'static [&'static str],
    /// Head-count range of the accounts.
    pub employees: (i64, i64),
    /// Range of priced units (the `{n}` in calls).
    pub units: (i64, i64),
    /// What the industry is called in a sentence ("dental groups").
    pub plural: &'static str,
}

/// Every industry the demo accounts come from.
pub const INDUSTRIES: [Industry; 10] = [
    Industry {
        sector: "Facility services",
        product: ProductLine::Dispatch,
        suffixes: &["Facility Services", "Building Services", "Mechanical"],
        workers: &[
            ("technicians", "technician"),
            ("techs", "tech"),
            ("engineers", "engineer"),
        ],
        sites: &[("branches", "branch"), ("depots", "depot")],
        teams: &["dispatch leads", "dispatchers", "service managers"],
        systems: &[
            "a shared spreadsheet",
            "a whiteboard and group texts",
            "an old on-premise dispatch tool",
        ],
        features: &["dispatch board", "technician app", "route view"],
        seasons: &["summer", "the cooling season", "the winter rush"],
        employees: (80, 900),
        units: (25, 160),
        plural: "facility services companies",
    },
    Industry {
        sector: "Home services",
        product: ProductLine::Dispatch,
        suffixes: &[
            "Plumbing",
            "Heating and Air",
            "Home Services",
            "Pest Control",
        ],
        workers: &[
            ("technicians", "technician"),
            ("crews", "crew"),
            ("installers", "installer"),
        ],
        sites: &[("branches", "branch"), ("service areas", "service area")],
        teams: &["dispatchers", "office coordinators", "field supervisors"],
        systems: &[
            "a paper job board",
            "a shared spreadsheet",
            "a calendar app and phone texts",
        ],
        features: &["dispatch board", "crew app", "route view"],
        seasons: &["spring", "the summer peak", "heating season"],
        employees: (40, 400),
        units: (15, 90),
        plural: "home services companies",
    },
    Industry {
        sector: "Wholesale distribution",
        product: ProductLine::Payables,
        suffixes: &["Supply", "Distribution", "Wholesale"],
        workers: &[
            ("AP clerks", "AP clerk"),
            ("payables specialists", "payables specialist"),
        ],
        sites: &[("entities", "entity"), ("warehouses", "warehouse")],
        teams: &["AP team", "finance team", "controllers"],
        systems: &["NetSuite", "Sage Intacct", "Microsoft Dynamics"],
        features: &["approval inbox", "invoice matching", "payment run"],
        seasons: &["year end", "the audit", "the holiday peak"],
        employees: (120, 1500),
        units: (10, 60),
        plural: "distributors",
    },
    Industry {
        sector: "Manufacturing",
        product: ProductLine::Payables,
        suffixes: &["Manufacturing", "Components", "Fabrication", "Industries"],
        workers: &[("AP clerks", "AP clerk"), ("accountants", "accountant")],
        sites: &[("plants", "plant"), ("entities", "entity")],
        teams: &["AP team", "plant controllers", "finance team"],
        systems: &["SAP Business One", "Epicor", "NetSuite"],
        features: &["approval inbox", "three-way matching", "supplier directory"],
        seasons: &["year end", "the audit", "the new fiscal year"],
        employees: (150, 2500),
        units: (12, 70),
        plural: "manufacturers",
    },
    Industry {
        sector: "Outdoor retail",
        product: ProductLine::Payables,
        suffixes: &["Outdoor Gear", "Outfitters", "Mountain Supply"],
        workers: &[("AP clerks", "AP clerk"), ("bookkeepers", "bookkeeper")],
        sites: &[("stores", "store"), ("entities", "entity")],
        teams: &["finance team", "AP team", "store accountants"],
        systems: &["NetSuite", "QuickBooks Online", "Xero"],
        features: &["approval inbox", "invoice reading", "currency handling"],
        seasons: &["the holiday season", "ski season", "year end"],
        employees: (60, 600),
        units: (6, 30),
        plural: "outdoor retailers",
    },
    Industry {
        sector: "Dental",
        product: ProductLine::Learn,
        suffixes: &["Dental Group", "Dental Partners", "Family Dentistry"],
        workers: &[
            ("hygienists", "hygienist"),
            ("staff", "staff member"),
            ("assistants", "assistant"),
        ],
        sites: &[("clinics", "clinic"), ("offices", "office")],
        teams: &["office managers", "clinical leads", "HR team"],
        systems: &[
            "a spreadsheet per clinic",
            "paper binders",
            "Outlook calendars",
        ],
        features: &[
            "compliance dashboard",
            "course library",
            "certificate vault",
        ],
        seasons: &[
            "the state inspection",
            "license renewals",
            "the spring audit",
        ],
        employees: (60, 400),
        units: (50, 380),
        plural: "dental groups",
    },
    Industry {
        sector: "Senior living",
        product: ProductLine::Learn,
        suffixes: &["Senior Living", "Care Communities", "Assisted Living"],
        workers: &[
            ("caregivers", "caregiver"),
            ("nurses", "nurse"),
            ("aides", "aide"),
        ],
        sites: &[("communities", "community"), ("residences", "residence")],
        teams: &["executive directors", "nurse managers", "HR team"],
        systems: &[
            "paper sign-in sheets",
            "a spreadsheet per community",
            "our payroll system",
        ],
        features: &["compliance dashboard", "mobile app", "certificate vault"],
        seasons: &["the state survey", "open enrollment", "the annual survey"],
        employees: (150, 1800),
        units: (120, 900),
        plural: "senior living operators",
    },
    Industry {
        sector: "Credit unions",
        product: ProductLine::Learn,
        suffixes: &[
            "Credit Union",
            "Community Credit Union",
            "Federal Credit Union",
        ],
        workers: &[
            ("tellers", "teller"),
            ("staff", "staff member"),
            ("branch staff", "branch employee"),
        ],
        sites: &[("branches", "branch"), ("locations", "location")],
        teams: &["compliance team", "branch managers", "HR team"],
        systems: &[
            "our old LMS",
            "spreadsheets and email",
            "a vendor portal nobody likes",
        ],
        features: &["compliance dashboard", "course library", "exam report"],
        seasons: &["the NCUA exam", "the annual audit", "year end"],
        employees: (90, 700),
        units: (80, 650),
        plural: "credit unions",
    },
    Industry {
        sector: "Restaurants",
        product: ProductLine::Shifts,
        suffixes: &["Restaurant Group", "Hospitality", "Kitchens"],
        workers: &[
            ("servers and cooks", "server"),
            ("team members", "team member"),
            ("hourly staff", "hourly employee"),
        ],
        sites: &[("restaurants", "restaurant"), ("locations", "location")],
        teams: &["general managers", "shift leads", "area managers"],
        systems: &["a whiteboard in the back", "an Excel rota", "group chats"],
        features: &["shift marketplace", "manager app", "labor forecast"],
        seasons: &["patio season", "the holidays", "summer"],
        employees: (120, 1500),
        units: (100, 1200),
        plural: "restaurant groups",
    },
    Industry {
        sector: "Logistics",
        product: ProductLine::Shifts,
        suffixes: &["Logistics", "Freight", "Fulfillment"],
        workers: &[
            ("associates", "associate"),
            ("pickers and packers", "picker"),
            ("drivers", "driver"),
        ],
        sites: &[("warehouses", "warehouse"), ("sites", "site")],
        teams: &["site managers", "shift supervisors", "operations team"],
        systems: &[
            "an Excel rota",
            "a paper sign-up sheet",
            "our time clock software",
        ],
        features: &["shift marketplace", "supervisor app", "labor forecast"],
        seasons: &["peak season", "the holidays", "back to school"],
        employees: (200, 3000),
        units: (150, 1500),
        plural: "logistics companies",
    },
];

const NAME_STEMS: [&str; 96] = [
    "Brightwater",
    "Kestrel",
    "Tidewater",
    "Halvorsen",
    "Redwood",
    "Ironbridge",
    "Bluestem",
    "Copperline",
    "Granite Peak",
    "Northgate",
    "Silverleaf",
    "Harborview",
    "Foxglove",
    "Juniper",
    "Meridian",
    "Stonebrook",
    "Westfield",
    "Oakhurst",
    "Larkspur",
    "Cedar Ridge",
    "Pinecrest",
    "Riverbend",
    "Summit Lane",
    "Blue Heron",
    "Maple Hollow",
    "Evergreen",
    "Sawtooth",
    "Lakeshore",
    "Prairie Wind",
    "Highgate",
    "Elmstead",
    "Wildrose",
    "Baywood",
    "Clearwater",
    "Falcon Crest",
    "Windward",
    "Thornbury",
    "Marigold",
    "Ashford",
    "Bellhaven",
    "Coldspring",
    "Driftwood",
    "Eastlake",
    "Fairhaven",
    "Glenmoor",
    "Hawthorne",
    "Ivywood",
    "Kingsley",
    "Lindenwood",
    "Millbrook",
    "Northstar",
    "Orchard Park",
    "Palisade",
    "Quarry Hill",
    "Rosewood",
    "Sagebrush",
    "Tamarack",
    "Upland",
    "Valleyview",
    "Whitfield",
    "Yellowpine",
    "Alder Creek",
    "Birchwood",
    "Canyon Ridge",
    "Deer Park",
    "Emberly",
    "Fernhill",
    "Goldcrest",
    "Hollis",
    "Iron Creek",
    "Kittredge",
    "Lone Pine",
    "Mesa Verde",
    "Norwood",
    "Osprey",
    "Pemberton",
    "Red Cliff",
    "Seabright",
    "Trailhead",
    "Vireo",
    "Waverly",
    "Zephyr",
    "Allegheny",
    "Bramble",
    "Carrow",
    "Dunmore",
    "Easton",
    "Fulton",
    "Greystone",
    "Huxley",
    "Indigo Bay",
    "Jasper",
    "Keystone",
    "Ludlow",
    "Montclair",
    "Nighthawk",
];

/// City and state pairs for account locations and small talk.
pub const CITIES: [(&str, &str); 24] = [
    ("Bend", "OR"),
    ("Boise", "ID"),
    ("Tacoma", "WA"),
    ("Spokane", "WA"),
    ("Sacramento", "CA"),
    ("Fresno", "CA"),
    ("Reno", "NV"),
    ("Tucson", "AZ"),
    ("Albuquerque", "NM"),
    ("Denver", "CO"),
    ("Salt Lake City", "UT"),
    ("Omaha", "NE"),
    ("Des Moines", "IA"),
    ("Madison", "WI"),
    ("Columbus", "OH"),
    ("Louisville", "KY"),
    ("Nashville", "TN"),
    ("Raleigh", "NC"),
    ("Richmond", "VA"),
    ("Pittsburgh", "PA"),
    ("Hartford", "CT"),
    ("Portland", "ME"),
    ("Austin", "TX"),
    ("Tulsa", "OK"),
];

/// Given names of prospects; a few with accents, as real contact lists have.
pub const FIRST_NAMES: [&str; 60] = [
    "Renée",
    "José",
    "Zoë",
    "Søren",
    "Chloé",
    "Björn",
    "Inés",
    "François",
    "Łukasz",
    "Siobhán",
    "Ana",
    "Tom",
    "Greg",
    "Linda",
    "Raj",
    "Samantha",
    "Megan",
    "Aisha",
    "Daniel",
    "Olivia",
    "Kevin",
    "Tanya",
    "Paula",
    "Erik",
    "Hiroshi",
    "Mei",
    "Fatima",
    "Omar",
    "Grace",
    "Peter",
    "Laura",
    "Nadia",
    "Sam",
    "Ruth",
    "Victor",
    "Elena",
    "Jonas",
    "Maya",
    "Ben",
    "Carla",
    "Derek",
    "Ingrid",
    "Kofi",
    "Lucía",
    "Mateo",
    "Nora",
    "Owen",
    "Priscilla",
    "Quentin",
    "Rosa",
    "Stefan",
    "Teresa",
    "Umar",
    "Vera",
    "Wes",
    "Yara",
    "Zach",
    "Hélène",
    "Andrés",
    "Noémie",
];

/// Family names of prospects.
pub const LAST_NAMES: [&str; 50] = [
    "Ortega",
    "Becker",
    "Lindqvist",
    "Marsh",
    "Mehta",
    "Lee",
    "Nakamura",
    "Álvarez",
    "Müller",
    "Dubois",
    "Kowalski",
    "O'Brien",
    "García",
    "Novak",
    "Haddad",
    "Okoye",
    "Jensen",
    "Rossi",
    "Schmidt",
    "Brennan",
    "Walsh",
    "Chen",
    "Patel",
    "Singh",
    "Moreau",
    "Fernández",
    "Sjöberg",
    "Holloway",
    "Grant",
    "Rahman",
    "Donnelly",
    "Kim",
    "Nguyen",
    "Abbott",
    "Castillo",
    "Dalton",
    "Ellison",
    "Fischer",
    "Gallagher",
    "Hughes",
    "Ivanova",
    "Jovanović",
    "Keller",
    "Lambert",
    "Mendoza",
    "Nilsen",
    "Park",
    "Quinlan",
    "Reyes",
    "Søndergaard",
];

/// Job titles of the people who sign.
pub const BOSS_ROLES: [&str; 8] = [
    "CFO",
    "COO",
    "VP of Operations",
    "controller",
    "CEO",
    "director of operations",
    "head of finance",
    "VP of People",
];

/// One demo account: the store record plus what calls need to talk about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// The store record.
    pub record: NewAccount,
    /// Index into [`INDUSTRIES`].
    pub industry: usize,
    /// The city people on its calls are in.
    pub city: &'static str,
    /// The name people use on calls ("Brightwater").
    pub short: String,
}

/// `count` accounts with distinct names spread over the industries.
pub fn accounts(rng: &mut Rng, count: usize) -> Vec<Account> {
    let mut stems: Vec<&str> = NAME_STEMS.to_vec();
    // Fisher–Yates, so each seed gets its own names.
    for i in (1..stems.len()).rev() {
        let j = rng.below(i + 1);
        stems.swap(i, j);
    }
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let industry = i % INDUSTRIES.len();
        let ind = &INDUSTRIES[industry];
        let stem = stems[i % stems.len()];
        let suffix = rng.pick(ind.suffixes);
        let name = if i < stems.len() {
            format!("{stem} {suffix}")
        } else {
            format!("{stem} {suffix} {}", i / stems.len() + 1)
        };
        let (city, state) = *rng.pick(&CITIES);
        let employees = rng.range(ind.employees.0, ind.employees.1);
        let revenue = (employees as f64 * (0.08 + rng.unit() * 0.22) * 10.0).round() / 10.0;
        let parent = rng
            .chance(0.1)
            .then(|| format!("{} Holdings", rng.pick(&NAME_STEMS)));
        out.push(Account {
            record: NewAccount {
                name,
                sector: Some(ind.sector.to_string()),
                year_established: Some(rng.range(1954, 2019) as i32),
                revenue_millions: Some(revenue),
                employees: Some(employees),
                location: Some(format!("{city}, {state}")),
                parent,
            },
            industry,
            city,
            short: stem.to_string(),
        });
    }
    out
}
