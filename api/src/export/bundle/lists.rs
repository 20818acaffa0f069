//! Id lists of one fixed length. A batch's `IN (…)` lists would otherwise differ in length from
//! batch to batch, and every length is another statement the driver prepares and caches per
//! connection: memory (and parse work) that grew with the data exported. Padded with their last
//! id, the lists give every export query one shape whatever the batch holds.

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Select};

/// Ids per list.
pub const LENGTH: usize = 1000;

/// `ids`, sorted and deduplicated, in lists of exactly [`LENGTH`] (none when there is no id).
pub fn fixed_lists(ids: impl IntoIterator<Item = i64>) -> Vec<Vec<i64>> {
    let ids: Vec<i64> = ids
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    ids.chunks(LENGTH)
        .map(|chunk| {
            let mut list = chunk.to_vec();
            if let Some(&last) = chunk.last() {
                list.resize(LENGTH, last);
            }
            list
        })
        .collect()
}

/// The rows of `query` whose `column` is one of `ids`, one query per list. When `query` orders by
/// `column` first, the rows come in that order (the lists are in ascending order).
pub async fn rows_in<E: EntityTrait, C: ConnectionTrait>(
    conn: &C,
    query: Select<E>,
    column: E::Column,
    ids: impl IntoIterator<Item = i64>,
) -> Result<Vec<E::Model>, DbErr> {
    let mut rows = Vec::new();
    for list in fixed_lists(ids) {
        rows.extend(query.clone().filter(column.is_in(list)).all(conn).await?);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_have_one_length_and_hold_each_id_once_in_order() {
        assert!(fixed_lists([]).is_empty());
        let lists = fixed_lists([5, 3, 5, 1]);
        assert_eq!(lists.len(), 1);
        assert_eq!(lists[0].len(), LENGTH);
        assert_eq!(&lists[0][..4], &[1, 3, 5, 5]);
        assert!(lists[0][3..].iter().all(|&id| id == 5));
        let many = fixed_lists(0..(LENGTH as i64 * 2 + 1));
        assert_eq!(many.len(), 3);
        assert!(many.iter().all(|l| l.len() == LENGTH));
        assert_eq!(many[2][0], LENGTH as i64 * 2);
        let distinct: BTreeSet<i64> = many.iter().flatten().copied().collect();
        assert_eq!(distinct.len(), LENGTH * 2 + 1);
    }
}
