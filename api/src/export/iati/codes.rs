//! The IATI code lists this export uses, in one place: what a plan's own values become in IATI's
//! vocabulary (<https://iatistandard.org/en/iati-standard/203/codelists/>).

use entity::enums::{OrganizationKind, ParticipantRole, StatementKind};

/// OrganisationRole 1: the programme is EU-funded, so the publisher funds every plan.
pub const ROLE_FUNDING: &str = "1";

/// OrganisationRole of a plan participant.
pub fn role(role: ParticipantRole) -> &'static str {
    match role {
        ParticipantRole::Focal | ParticipantRole::Partner | ParticipantRole::Stakeholder => "4",
        ParticipantRole::Funder => ROLE_FUNDING,
        ParticipantRole::ProgrammeTeam => "3",
    }
}

/// OrganisationType of an organization.
pub fn organisation_type(kind: OrganizationKind) -> &'static str {
    match kind {
        OrganizationKind::Municipality | OrganizationKind::District => "11",
        OrganizationKind::University => "80",
        OrganizationKind::Company => "70",
        OrganizationKind::Agency => "10",
        OrganizationKind::Hospital | OrganizationKind::Network | OrganizationKind::Other => "90",
    }
}

/// DescriptionType of a statement list: 1 general (the focus), 2 objectives, 4 other.
pub fn description_type(kind: StatementKind) -> &'static str {
    match kind {
        StatementKind::Focus => DESCRIPTION_GENERAL,
        StatementKind::Objective => "2",
        StatementKind::Challenge => DESCRIPTION_OTHER,
    }
}

pub const DESCRIPTION_GENERAL: &str = "1";
pub const DESCRIPTION_OTHER: &str = "4";

/// ActivityStatus.
pub const STATUS_PIPELINE: &str = "1";
pub const STATUS_IMPLEMENTATION: &str = "2";

/// ActivityDateType.
pub const DATE_PLANNED_START: &str = "1";
pub const DATE_ACTUAL_START: &str = "2";
pub const DATE_PLANNED_END: &str = "3";

/// ContactType 1: general enquiries.
pub const CONTACT_GENERAL: &str = "1";

/// Sector vocabulary 1 (OECD DAC CRS purpose codes), 43030: urban development and management.
pub const SECTOR_VOCABULARY_DAC: &str = "1";
pub const SECTOR_URBAN_DEVELOPMENT: &str = "43030";

/// TagVocabulary 2: SDG goals; 3: SDG targets.
pub const TAG_SDG_GOAL: &str = "2";
pub const TAG_SDG_TARGET: &str = "3";

/// GeographicVocabulary G1: GeoNames ids.
pub const LOCATION_GEONAMES: &str = "G1";
/// The coordinate system of `point/pos` (latitude longitude, WGS 84).
pub const SRS_WGS84: &str = "http://www.opengis.net/def/crs/EPSG/0/4326";
/// GeographicLocationReach 1: the activity takes place there.
pub const LOCATION_REACH_ACTIVITY: &str = "1";
/// GeographicExactness 1: exact (the city's own coordinates).
pub const EXACTNESS_EXACT: &str = "1";
/// GeographicLocationClass 2: populated place.
pub const LOCATION_CLASS_POPULATED_PLACE: &str = "2";

/// DocumentCategory A09: memorandum of understanding.
pub const DOCUMENT_MOU: &str = "A09";

/// RelatedActivityType 3: sibling (another plan sharing an activity or MoU).
pub const RELATED_SIBLING: &str = "3";

/// ResultType 1: output; IndicatorMeasure 5: qualitative (a result is delivered or not).
pub const RESULT_OUTPUT: &str = "1";
pub const MEASURE_QUALITATIVE: &str = "5";

/// FileFormat (IANA media type) of a linked document, from its URL.
pub fn document_format(url: &str) -> &'static str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    if path.to_ascii_lowercase().ends_with(".pdf") {
        "application/pdf"
    } else {
        "text/html"
    }
}

/// A plan's slug as the part of an `iati-identifier` after the publisher's prefix. IATI forbids
/// `/ & | ?` and whitespace in identifiers; anything beyond ASCII letters, digits, `-` and `.` is
/// written as `_` and its UTF-8 bytes in hex (and `_` itself as `_5F`), so that two slugs never
/// share an identifier and the same slug always gets the same one.
pub fn identifier_part(slug: &str) -> String {
    let mut out = String::with_capacity(slug.len());
    for c in slug.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("_{b:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participant_roles_map_to_organisation_roles() {
        assert_eq!(role(ParticipantRole::Focal), "4");
        assert_eq!(role(ParticipantRole::Partner), "4");
        assert_eq!(role(ParticipantRole::Stakeholder), "4");
        assert_eq!(role(ParticipantRole::Funder), "1");
        assert_eq!(role(ParticipantRole::ProgrammeTeam), "3");
    }

    #[test]
    fn organization_kinds_map_to_organisation_types() {
        assert_eq!(organisation_type(OrganizationKind::Municipality), "11");
        assert_eq!(organisation_type(OrganizationKind::District), "11");
        assert_eq!(organisation_type(OrganizationKind::University), "80");
        assert_eq!(organisation_type(OrganizationKind::Company), "70");
        assert_eq!(organisation_type(OrganizationKind::Agency), "10");
        assert_eq!(organisation_type(OrganizationKind::Hospital), "90");
        assert_eq!(organisation_type(OrganizationKind::Network), "90");
        assert_eq!(organisation_type(OrganizationKind::Other), "90");
    }

    #[test]
    fn statement_kinds_map_to_description_types() {
        assert_eq!(description_type(StatementKind::Focus), "1");
        assert_eq!(description_type(StatementKind::Objective), "2");
        assert_eq!(description_type(StatementKind::Challenge), "4");
    }

    #[test]
    fn document_format_follows_the_url_path() {
        assert_eq!(document_format("https://x.eu/a/mou.PDF"), "application/pdf");
        assert_eq!(
            document_format("https://x.eu/mou.pdf?v=2#p3"),
            "application/pdf"
        );
        assert_eq!(document_format("https://x.eu/mou"), "text/html");
        assert_eq!(document_format("https://x.eu/pdf?f=mou.html"), "text/html");
    }

    #[test]
    fn identifier_part_keeps_slugs_and_encodes_the_rest_injectively() {
        assert_eq!(identifier_part("guangzhou-2017"), "guangzhou-2017");
        assert_eq!(identifier_part("a/b c&d"), "a_2Fb_20c_26d");
        assert_eq!(identifier_part("são"), "s_C3_A3o");
        assert_ne!(identifier_part("a_2F"), identifier_part("a/"));
        assert_eq!(identifier_part("a_2F"), "a_5F2F");
    }
}
