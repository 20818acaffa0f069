//! A whole activity: every element the plan calls for, in the schema's order, with its text
//! escaped.

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::activity::activity;
use super::fixtures::{at, full, plan, publisher};
use super::xml::Xml;
use crate::export::bundle::PlanBatch;
use crate::export::document as doc;

/// Names of the elements at `depth` (1: the root), in document order.
fn names_at(xml: &str, depth: usize) -> Vec<String> {
    let mut reader = Reader::from_str(xml);
    let (mut level, mut names) = (0, Vec::new());
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                level += 1;
                if level == depth {
                    names.push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
                }
            }
            Event::Empty(e) if level + 1 == depth => {
                names.push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
            }
            Event::End(_) => level -= 1,
            Event::Eof => return names,
            _ => {}
        }
    }
}

fn written(p: &doc::Plan, batch: &PlanBatch) -> String {
    let mut x = Xml::new();
    activity(&mut x, p, batch, &publisher(), at(2024, 6, 1));
    x.into_string()
}

#[test]
fn an_activity_has_its_elements_in_schema_order() {
    let (p, batch) = full();
    let xml = written(&p, &batch);
    let expected = [
        "iati-identifier",
        "reporting-org",
        "title",
        "description",
        "description",
        "description",
        "participating-org",
        "participating-org",
        "participating-org",
        "activity-status",
        "activity-date",
        "activity-date",
        "contact-info",
        "recipient-country",
        "location",
        "location",
        "location",
        "sector",
        "tag",
        "tag",
        "document-link",
        "related-activity",
        "result",
    ];
    assert_eq!(names_at(&xml, 2), expected, "{xml}");
    let start = xml.find("<location>").expect("a location");
    let end = start + xml[start..].find("</location>").expect("its end") + "</location>".len();
    assert_eq!(
        names_at(&xml[start..end], 2),
        [
            "location-reach",
            "location-id",
            "name",
            "point",
            "exactness",
            "location-class"
        ]
    );
}

#[test]
fn an_activity_says_what_the_plan_holds() {
    let (p, batch) = full();
    let xml = written(&p, &batch);
    for piece in [
        "<iati-activity last-updated-datetime=\"2024-03-01T12:00:00Z\" xml:lang=\"en\">",
        "<iati-identifier>XI-IATI-EC_FPI-guang_20zhou</iati-identifier>",
        "<reporting-org ref=\"XI-IATI-EC_FPI\" type=\"15\"><narrative>EC &amp; FPI</narrative>",
        "<title><narrative>Guangzhou &amp; &lt;friends&gt;</narrative></title>",
        "<description type=\"1\"><narrative>Design: A platform\n\nSecond focus</narrative>",
        "<description type=\"2\"><narrative>Launch projects</narrative>",
        "<description type=\"4\"><narrative>Market entry\n\nPeriod of cooperation: May 2017 (a follow-up)</narrative>",
        "<participating-org ref=\"XI-IATI-EC_FPI\" type=\"15\" role=\"1\">",
        "<participating-org type=\"11\" role=\"4\"><narrative>Guangzhou municipality</narrative>",
        "<participating-org type=\"90\" role=\"3\"><narrative>IUC team</narrative>",
        "<activity-status code=\"2\"/>",
        "<activity-date type=\"2\" iso-date=\"2017-05-01\"><narrative>May 2017</narrative>",
        "<activity-date type=\"3\" iso-date=\"2020-03-31\"><narrative>March 2020</narrative>",
        "<contact-info type=\"1\"><email>a@b.eu</email></contact-info>",
        "<recipient-country code=\"CN\" percentage=\"100\"/>",
        "<location-id vocabulary=\"G1\" code=\"1809858\"/><name><narrative>Guangzhou</narrative></name>",
        "<pos>23.11667 113.25</pos>",
        "<name><narrative>Nowhere</narrative></name><location-class code=\"2\"/>",
        "<sector vocabulary=\"1\" code=\"43030\" percentage=\"100\"/>",
        "<tag vocabulary=\"2\" code=\"9\"><narrative>Industry</narrative></tag>",
        "<tag vocabulary=\"3\" code=\"11.a\"/>",
        "<document-link format=\"application/pdf\" url=\"https://x.eu/mou.pdf\"><title><narrative>Health</narrative></title><category code=\"A09\"/><document-date iso-date=\"2019-09-10\"/>",
        "<related-activity ref=\"XI-IATI-EC_FPI-bologna\" type=\"3\"/>",
        "<result type=\"1\"><title><narrative>Hydrogen R&amp;D</narrative></title><description><narrative>Joint project</narrative></description><indicator measure=\"5\">",
    ] {
        assert!(xml.contains(piece), "missing {piece} in {xml}");
    }
}

#[test]
fn a_bare_plan_still_has_the_required_elements() {
    let p = plan();
    let batch = PlanBatch {
        plans: vec![],
        cities: HashMap::new(),
        organizations: HashMap::new(),
        related: HashMap::new(),
    };
    let xml = written(&p, &batch);
    assert_eq!(
        names_at(&xml, 2),
        [
            "iati-identifier",
            "reporting-org",
            "title",
            "description",
            "participating-org",
            "activity-status",
            "activity-date",
            "location",
            "sector",
        ]
    );
    assert!(xml.contains(
        "<description type=\"1\"><narrative>Urban Cooperation Action Plan of Guangzhou.</narrative>"
    ));
    assert!(xml.contains("<activity-date type=\"2\" iso-date=\"2020-02-01\"></activity-date>"));
}
