//! The vocabulary of the synthetic dataset: where focal and partner cities come from, the themes plans
//! pick (with the SDGs and Urban Agenda partnerships a real plan would cite for them), and how often each
//! kind of activity, result or MoU status occurs. Weights follow the shape of the published summaries:
//! Chinese, Japanese, Indian and American focal cities; German, French, Italian and Spanish partners.

use entity::enums::{ActivityKind, DatePrecision, MouStatus, OrganizationKind, ResultKind};

/// Focal cities: the Asian, Australasian and American side of the programme, with relative weights.
pub const FOCAL_COUNTRIES: &[(&str, u32)] = &[
    ("CN", 30),
    ("IN", 10),
    ("JP", 10),
    ("KR", 6),
    ("ID", 5),
    ("VN", 5),
    ("TH", 4),
    ("MY", 3),
    ("PH", 3),
    ("SG", 1),
    ("AU", 3),
    ("NZ", 1),
    ("US", 8),
    ("CA", 4),
    ("MX", 5),
    ("BR", 6),
    ("AR", 3),
    ("CL", 2),
    ("CO", 3),
    ("PE", 2),
    ("EC", 1),
    ("CR", 1),
];

/// Partner cities: the European side, with relative weights.
pub const PARTNER_COUNTRIES: &[(&str, u32)] = &[
    ("DE", 14),
    ("FR", 12),
    ("IT", 12),
    ("ES", 10),
    ("PL", 7),
    ("NL", 5),
    ("BE", 3),
    ("PT", 4),
    ("SE", 3),
    ("AT", 3),
    ("CZ", 3),
    ("GR", 3),
    ("HU", 2),
    ("RO", 3),
    ("IE", 2),
    ("DK", 2),
    ("FI", 2),
    ("SK", 1),
    ("BG", 2),
    ("HR", 1),
    ("SI", 1),
    ("LT", 1),
    ("LV", 1),
    ("EE", 1),
    ("LU", 1),
    ("CY", 1),
    ("MT", 1),
];

/// A cooperation theme and what a plan citing it usually links: SDG goals and an Urban Agenda
/// partnership (by its key in `data/codelists/urban_agenda_partnerships.tsv`).
pub struct ThemeSpec {
    pub title: &'static str,
    pub description: &'static str,
    pub sdgs: &'static [i16],
    pub partnership: Option<&'static str>,
}

const fn theme(
    title: &'static str,
    description: &'static str,
    sdgs: &'static [i16],
    partnership: Option<&'static str>,
) -> ThemeSpec {
    ThemeSpec {
        title,
        description,
        sdgs,
        partnership,
    }
}

pub const THEMES: &[ThemeSpec] = &[
    theme(
        "Smart City & Digital Transition",
        "Open data platforms, digital public services and smart urban infrastructure.",
        &[9, 11],
        Some("digital-transition"),
    ),
    theme(
        "Green & Low-Carbon Development",
        "Carbon peaking plans, low-carbon districts and green finance.",
        &[7, 13],
        Some("energy-transition"),
    ),
    theme(
        "Circular Economy & Waste Management",
        "Waste sorting, recycling industries and circular business models.",
        &[12, 11],
        Some("circular-economy"),
    ),
    theme(
        "Sustainable Urban Mobility",
        "Public transport, cycling, electric vehicles and sustainable urban mobility plans.",
        &[11, 3],
        Some("urban-mobility"),
    ),
    theme(
        "Innovation & Start-up Ecosystems",
        "Incubators, science parks and exchange between innovation clusters.",
        &[9, 8],
        Some("jobs-and-skills-in-the-local-economy"),
    ),
    theme(
        "Health & Active Ageing",
        "Elderly care, e-health and healthy-city policies.",
        &[3],
        None,
    ),
    theme(
        "Water Management & Climate Resilience",
        "Sponge-city measures, flood protection and water quality.",
        &[6, 13],
        Some("climate-adaptation"),
    ),
    theme(
        "Cultural Heritage & Creative Industries",
        "Heritage regeneration, museums and creative clusters.",
        &[11, 8],
        Some("culture-cultural-heritage"),
    ),
    theme(
        "Sustainable Tourism",
        "Visitor management and tourism that benefits residents.",
        &[8, 12],
        Some("sustainable-tourism"),
    ),
    theme(
        "Energy Efficiency in Buildings",
        "Retrofitting public buildings and near-zero-energy standards.",
        &[7, 11],
        Some("building-decarbonisation"),
    ),
    theme(
        "Urban Regeneration & Housing",
        "Regeneration of old neighbourhoods and affordable housing.",
        &[11, 1],
        Some("housing"),
    ),
    theme(
        "Air Quality",
        "Monitoring networks and clean-air action plans.",
        &[3, 11],
        Some("air-quality"),
    ),
    theme(
        "Nature-Based Solutions & Urban Greening",
        "Green corridors, urban forests and biodiversity.",
        &[15, 11],
        Some("sustainable-use-of-land-and-nature-based-solutions"),
    ),
    theme(
        "Social Inclusion",
        "Integration of newcomers and services for vulnerable groups.",
        &[10, 1],
        Some("inclusion-of-migrants-and-refugees"),
    ),
    theme(
        "Urban Food Systems",
        "Short supply chains, food waste and urban agriculture.",
        &[2, 12],
        Some("food"),
    ),
    theme(
        "Education & Skills",
        "Vocational training, university partnerships and student exchange.",
        &[4, 8],
        Some("jobs-and-skills-in-the-local-economy"),
    ),
    theme(
        "Public Procurement of Innovation",
        "Innovation-oriented and green public procurement.",
        &[9, 12],
        Some("innovative-and-responsible-public-procurement"),
    ),
    theme(
        "Renewable Energy",
        "Solar, wind and district heating from renewable sources.",
        &[7],
        Some("energy-transition"),
    ),
    theme(
        "Industrial Design & Manufacturing",
        "Design-driven industry and advanced manufacturing.",
        &[9],
        None,
    ),
    theme(
        "Safe Public Spaces",
        "Safety by design in streets, squares and transport hubs.",
        &[16, 11],
        Some("security-in-public-spaces"),
    ),
    theme(
        "Gender Equality in the City",
        "Gender-responsive planning and services.",
        &[5],
        Some("cities-of-equality"),
    ),
    theme(
        "Ports, Logistics & Blue Economy",
        "Green ports, logistics hubs and maritime industries.",
        &[14, 9],
        None,
    ),
    theme(
        "Partnerships for Sustainable Development",
        "City networks and cooperation with international organisations.",
        &[17],
        None,
    ),
];

pub const PLAN_CYCLES: &[&str] = &[
    "IUC Asia",
    "IUC LAC",
    "IUC North America",
    "IURC",
    "IURC Asia & Australasia",
];

pub const CHALLENGES: &[&str] = &[
    "Rapid urbanisation puts pressure on land, housing and infrastructure",
    "Ageing population and rising demand for care services",
    "Air pollution and congestion from growing car traffic",
    "Industrial restructuring and the need for new skills",
    "Climate risks: heat waves, floods and water scarcity",
    "Fragmented governance between city, province and national levels",
];

pub const OBJECTIVES: &[&str] = &[
    "Exchange good practice and build long-term partnerships between the cities",
    "Develop pilot projects that can be scaled up in both regions",
    "Connect universities, companies and clusters of the partner cities",
    "Align local action with the SDGs and the EU Urban Agenda",
    "Prepare joint applications for European and national funding",
];

pub const ACTIVITY_KINDS: &[(ActivityKind, u32)] = &[
    (ActivityKind::Mission, 14),
    (ActivityKind::StudyVisit, 12),
    (ActivityKind::Meeting, 14),
    (ActivityKind::OnlineMeeting, 16),
    (ActivityKind::Forum, 6),
    (ActivityKind::Conference, 6),
    (ActivityKind::Workshop, 14),
    (ActivityKind::Training, 6),
    (ActivityKind::Pilot, 4),
    (ActivityKind::Matchmaking, 4),
    (ActivityKind::MouSigning, 2),
    (ActivityKind::Other, 2),
];

/// How precisely activity dates are published; `None` is an undated activity.
pub const DATE_PRECISIONS: &[(Option<DatePrecision>, u32)] = &[
    (Some(DatePrecision::Day), 35),
    (Some(DatePrecision::Month), 50),
    (Some(DatePrecision::Quarter), 5),
    (Some(DatePrecision::Year), 8),
    (None, 2),
];

pub const RESULT_KINDS: &[(ResultKind, u32)] = &[
    (ResultKind::Mou, 30),
    (ResultKind::JointProject, 25),
    (ResultKind::VirtualLab, 8),
    (ResultKind::Cluster, 8),
    (ResultKind::JointRdCentre, 7),
    (ResultKind::Publication, 12),
    (ResultKind::Other, 10),
];

pub const MOU_STATUSES: &[(MouStatus, u32)] = &[
    (MouStatus::Planned, 22),
    (MouStatus::Negotiating, 15),
    (MouStatus::Signed, 48),
    (MouStatus::Expired, 8),
    (MouStatus::Terminated, 4),
    (MouStatus::Cancelled, 3),
];

/// The institutions every city acts through: a name pattern (`{}` is the city) and its kind.
pub const ORGANIZATIONS: &[(&str, OrganizationKind)] = &[
    ("Municipal Government of {}", OrganizationKind::Municipality),
    ("University of {}", OrganizationKind::University),
    ("{} Development Agency", OrganizationKind::Agency),
    ("{} Central Hospital", OrganizationKind::Hospital),
    ("{} Innovation Park Company", OrganizationKind::Company),
];

pub const MONTHS: [&str; 12] = [
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
