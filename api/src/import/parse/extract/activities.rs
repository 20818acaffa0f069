//! The activities cell: "→" bullets (or list items), each with its leading date, a kind by keyword,
//! a title, a place and the organizations it names.

use super::names::{first_sentence, organizations, place, truncate};
use super::{capitalise, earliest, find_whole, find_word, issue, strip_marker};
use crate::domain::partial_date::PartialDate;
use crate::import::model::{ParseIssue, ParsedActivity};
use entity::enums::{ActivityKind, IssueEntity, Severity};

/// An activity's title is its first sentence, cut here when the sentence runs on.
const MAX_ACTIVITY_TITLE_CHARS: usize = 200;

/// One activity per bullet, in published order; bullets with nothing after the date are left out
/// (with one issue for the cell, however many there are).
pub fn activities(blocks: &[String], issues: &mut Vec<ParseIssue>) -> Vec<ParsedActivity> {
    let mut out = Vec::new();
    let mut empty: Vec<String> = Vec::new();
    for bullet in bullets(blocks, issues) {
        let (date, rest) = match PartialDate::leading(&bullet) {
            Some((date, rest)) => (Some(date), rest.trim()),
            None => (None, bullet.trim()),
        };
        if rest.is_empty() {
            empty.push(if bullet.is_empty() {
                "→".to_owned()
            } else {
                bullet.clone()
            });
            continue;
        }
        if date.is_none() {
            let msg = "an activity without a leading date was kept undated";
            let (entity, severity) = (IssueEntity::Activity, Severity::Info);
            issues.push(issue(
                entity,
                "activities",
                severity,
                "undated-activity",
                msg,
                Some(rest),
            ));
        }
        let kind = activity_kind(rest);
        let place = if kind == ActivityKind::OnlineMeeting {
            Some("online".to_owned())
        } else {
            place(rest)
        };
        out.push(ParsedActivity {
            date,
            kind,
            title: truncate(&capitalise(first_sentence(rest)), MAX_ACTIVITY_TITLE_CHARS),
            description: rest.to_owned(),
            place,
            organizations: organizations(rest),
        });
    }
    if let Some(first) = empty.first() {
        let msg = format!(
            "{} empty bullet(s) in the activities were left out",
            empty.len()
        );
        let (entity, severity) = (IssueEntity::Activity, Severity::Info);
        issues.push(issue(
            entity,
            "activities",
            severity,
            "empty-bullet",
            msg,
            Some(first),
        ));
    }
    out
}

/// The bullets of the cell: split on "→" when the cell uses arrows (a block without an arrow then
/// continues the bullet before it, as the sample's continuation rows do), else one bullet per block
/// (`<li>`, `<p>`).
fn bullets(blocks: &[String], issues: &mut Vec<ParseIssue>) -> Vec<String> {
    if !blocks.iter().any(|b| b.contains('→')) {
        return blocks.iter().map(|b| strip_marker(b).to_owned()).collect();
    }
    let mut bullets: Vec<String> = Vec::new();
    for block in blocks {
        let mut pieces = block.split('→');
        let head = pieces.next().unwrap_or_default().trim();
        match bullets.last_mut() {
            _ if head.is_empty() => {}
            Some(last) => {
                last.push(' ');
                last.push_str(head);
            }
            // Text before the first arrow introduces the list; it is no activity.
            None => {
                let msg = "text before the first → bullet was not read as an activity";
                let (entity, severity) = (IssueEntity::Activity, Severity::Info);
                issues.push(issue(
                    entity,
                    "activities",
                    severity,
                    "unbulleted-text",
                    msg,
                    Some(head),
                ));
            }
        }
        bullets.extend(pieces.map(|p| p.trim().to_owned()));
    }
    bullets
}

/// Kind by keyword. An MoU signing and anything online win outright; otherwise the keyword that
/// comes first wins, since bullets lead with what happened ("mission and meetings", "visit … and
/// co-organize the … Forum").
pub fn activity_kind(text: &str) -> ActivityKind {
    use ActivityKind as K;
    let lower = text.to_lowercase();
    let signed = ["signed", "signing", "signature"]
        .iter()
        .any(|w| find_word(&lower, w).is_some())
        || find_whole(&lower, "sign").is_some();
    if signed && (find_whole(&lower, "mou").is_some() || find_word(&lower, "memorand").is_some()) {
        return K::MouSigning;
    }
    const ONLINE: &[&str] = &[
        "online",
        "webinar",
        "video",
        "virtual meeting",
        "virtually",
        "teleconference",
        "zoom",
    ];
    if ONLINE.iter().any(|w| find_word(&lower, w).is_some()) {
        return K::OnlineMeeting;
    }
    const RULES: &[(ActivityKind, &[&str])] = &[
        (K::Mission, &["mission", "delegation"]),
        (K::StudyVisit, &["study visit", "study tour", "visit"]),
        (K::Forum, &["forum"]),
        (
            K::Conference,
            &["conference", "seminar", "symposium", "summit", "congress"],
        ),
        (K::Workshop, &["workshop"]),
        (K::Training, &["training"]),
        (K::Pilot, &["pilot"]),
        (
            K::Matchmaking,
            &["matchmaking", "match-making", "matching event", "b2b"],
        ),
        (K::Meeting, &["meeting", "round table", "roundtable"]),
    ];
    earliest(&lower, RULES).unwrap_or(K::Other)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn blocks(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn activity_kinds_follow_the_leading_keyword() {
        use ActivityKind as K;
        for (text, kind) in [
            ("mission and meetings with European cities", K::Mission),
            ("Online meeting Bologna – Guangzhou", K::OnlineMeeting),
            ("meeting held by video conference", K::OnlineMeeting),
            (
                "representatives visit Guangzhou and co-organize the Forum",
                K::StudyVisit,
            ),
            ("Forum on smart cities with site visits", K::Forum),
            (
                "MoU signed by both mayors during the mission",
                K::MouSigning,
            ),
            ("seminar on circular economy", K::Conference),
            ("workshop on pilot projects", K::Workshop),
            ("matching event for SMEs", K::Matchmaking),
            ("bilateral meeting of the mayors", K::Meeting),
            ("significant progress on the MoU text", K::Other),
        ] {
            assert_eq!(activity_kind(text), kind, "{text}");
        }
    }

    #[test]
    fn arrows_split_bullets_and_text_without_an_arrow_continues_the_last_one() {
        let mut issues = Vec::new();
        let cell = [
            "Activities so far:",
            "→ April 2019: mission to Rome → May 2019: workshop",
            "Details follow.",
            "→",
            "June 2019: forum",
            "→",
        ];
        let acts = activities(&blocks(&cell), &mut issues);
        let texts: Vec<&str> = acts.iter().map(|a| a.description.as_str()).collect();
        assert_eq!(
            texts,
            ["mission to Rome", "workshop Details follow.", "forum"]
        );
        assert_eq!(acts[2].date.as_ref().map(|d| d.text()), Some("June 2019"));
        assert_eq!(acts[1].title, "Workshop Details follow");
        assert_eq!(
            issues.iter().map(|i| i.code.as_str()).collect::<Vec<_>>(),
            ["unbulleted-text", "empty-bullet"]
        );
    }
}
