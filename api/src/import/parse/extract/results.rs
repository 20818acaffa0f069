//! The expected results cell: a numbered list (or list items), each with a kind by keyword, the
//! organizations it names and, for an MoU, its subject.

use super::names::{mou_parties_named, mou_subject, organizations};
use super::{earliest_at, find_whole, find_word, issue, marker_at, strip_marker};
use crate::import::model::{ParseIssue, ParsedResult};
use entity::enums::{IssueEntity, ResultKind, Severity};

/// The expected results: a numbered list ("1. … 2. …", "1) …", "a) …"), numbering continuing across
/// paragraphs, or one result per block (`<li>`, `<p>`) when nothing is numbered. Positions follow
/// the published numbers; a list that skips or repeats numbers is renumbered, with an issue.
pub fn expected_results(blocks: &[String], issues: &mut Vec<ParseIssue>) -> Vec<ParsedResult> {
    let (mut style, mut last) = (None, None::<u16>);
    let mut marks: Vec<Vec<(usize, u16, usize)>> = Vec::with_capacity(blocks.len());
    for block in blocks {
        let mut found = Vec::new();
        for (i, _) in block.char_indices() {
            if i > 0 && !block[..i].ends_with(char::is_whitespace) {
                continue;
            }
            let Some((kind, value, len)) = marker_at(block, i) else {
                continue;
            };
            // A number is a marker only where the list can go on: "1." to start, then the next
            // number (skips of two tolerated), so "SDG 11. " or "with 2) options" inside a result stay text.
            let accepted = match last {
                None => value == 1 || (i == 0 && (1..=3).contains(&value)),
                Some(prev) => {
                    style == Some(kind) && value > prev && value <= prev.saturating_add(3)
                }
            };
            if accepted {
                (style, last) = (Some(kind), Some(value));
                found.push((i, value, len));
            }
        }
        marks.push(found);
    }
    let numbered = marks.iter().any(|m| !m.is_empty());
    let mut items: Vec<(Option<u16>, String)> = Vec::new();
    for (block, found) in blocks.iter().zip(&marks) {
        if !numbered {
            items.push((None, strip_marker(block).to_owned()));
            continue;
        }
        let head = block[..found.first().map_or(block.len(), |m| m.0)].trim();
        match items.last_mut() {
            _ if head.is_empty() => {}
            Some((_, text)) => {
                text.push(' ');
                text.push_str(head);
            }
            None => {
                let msg = "text before the first numbered result was not read as a result";
                issues.push(issue(
                    IssueEntity::ExpectedResult,
                    "expected_results",
                    Severity::Info,
                    "unnumbered-text",
                    msg,
                    Some(head),
                ));
            }
        }
        for (k, &(start, value, len)) in found.iter().enumerate() {
            let end = found.get(k + 1).map_or(block.len(), |m| m.0);
            items.push((Some(value), block[start + len..end].trim().to_owned()));
        }
    }
    let published: Vec<String> = items
        .iter()
        .filter_map(|(n, _)| n.map(|n| n.to_string()))
        .collect();
    if items.iter().any(|(_, text)| text.is_empty()) {
        let msg = "a numbered result without text was left out";
        issues.push(issue(
            IssueEntity::ExpectedResult,
            "expected_results",
            Severity::Info,
            "empty-result",
            msg,
            None,
        ));
        items.retain(|(_, text)| !text.is_empty());
    }
    if items
        .iter()
        .enumerate()
        .any(|(k, (n, _))| n.is_some_and(|n| usize::from(n) != k + 1))
    {
        let msg = "the published numbering is not 1, 2, 3 …; results were renumbered in order";
        let shown = published.join(", ");
        issues.push(issue(
            IssueEntity::ExpectedResult,
            "expected_results",
            Severity::Info,
            "renumbered-result",
            msg,
            Some(&shown),
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for (k, (_, description)) in items.into_iter().enumerate() {
        let kind = result_kind(&description);
        out.push(ParsedResult {
            position: u16::try_from(k + 1).unwrap_or(u16::MAX),
            kind,
            organizations: organizations(&description),
            mou_subject: if kind == ResultKind::Mou {
                mou_subject(&description)
            } else {
                None
            },
            mou_parties_named: kind == ResultKind::Mou && mou_parties_named(&description),
            description,
        });
    }
    out
}

/// Kind by keyword, the earliest mention winning ("MoUs … on cooperation" is an MoU, "joint
/// publication on the cluster" a publication).
pub fn result_kind(text: &str) -> ResultKind {
    use ResultKind as K;
    let lower = text.to_lowercase();
    let mut best = earliest_at(
        &lower,
        &[
            (K::Mou, &["memorand", "letter of intent"][..]),
            (
                K::JointRdCentre,
                &[
                    "r&d cent",
                    "r & d cent",
                    "research cent",
                    "research and development cent",
                ],
            ),
            (K::Cluster, &["cluster"]),
            (
                K::Publication,
                &[
                    "publication",
                    "publish",
                    "report",
                    "handbook",
                    "guidebook",
                    "brochure",
                    "white paper",
                ],
            ),
            (
                K::JointProject,
                &[
                    "cooperation project",
                    "joint project",
                    "r&d project",
                    "pilot",
                    "collaborative project",
                ],
            ),
        ],
    );
    let mut consider = |kind, at: Option<usize>| {
        if let Some(at) = at.filter(|&at| best.is_none_or(|(b, _)| at < b)) {
            best = Some((at, kind));
        }
    };
    consider(K::Mou, find_whole(&lower, "mou"));
    // "Virtual Industry Design Lab": "virtual" then "lab" within the same phrase.
    let virtual_lab = find_word(&lower, "virtual").filter(|&v| {
        let tail = &lower[v..];
        let window = tail
            .char_indices()
            .nth(60)
            .map_or(tail, |(i, _)| &tail[..i]);
        find_word(window, "lab").is_some_and(|lab| !window[..lab].contains(". "))
    });
    consider(K::VirtualLab, virtual_lab);
    best.map_or(K::Other, |(_, kind)| kind)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn blocks(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn result_kinds_follow_the_earliest_keyword() {
        use ResultKind as K;
        for (text, kind) in [
            ("Memorandum of understanding with Lyon", K::Mou),
            ("Joint publication on the cluster's results", K::Publication),
            (
                "Virtual Industry Design Lab with Bologna University",
                K::VirtualLab,
            ),
            ("Joint research centre on hydrogen", K::JointRdCentre),
            ("Exchange of good practice", K::Other),
            ("Mould-resistant materials", K::Other),
        ] {
            assert_eq!(result_kind(text), kind, "{text}");
        }
    }

    #[test]
    fn numbered_results_are_split_on_consecutive_markers_only() {
        let mut issues = Vec::new();
        let results = expected_results(
            &blocks(&[
                "1. Report on SDG 11. Indicators 2) to follow",
                "2. MoU on energy",
                "in the field of heat",
            ]),
            &mut issues,
        );
        let texts: Vec<(u16, &str)> = results
            .iter()
            .map(|r| (r.position, r.description.as_str()))
            .collect();
        assert_eq!(
            texts,
            [
                (1, "Report on SDG 11. Indicators 2) to follow"),
                (2, "MoU on energy in the field of heat")
            ]
        );
        assert!(issues.is_empty());
        let results = expected_results(&blocks(&["a) cluster b) pilot project"]), &mut issues);
        assert_eq!(
            results.iter().map(|r| r.kind).collect::<Vec<_>>(),
            [ResultKind::Cluster, ResultKind::JointProject]
        );
    }
}
