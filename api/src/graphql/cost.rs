//! What a field costs in async-graphql's complexity, which `query_max_complexity` bounds before
//! anything runs. A field costs 1 plus its selections; a list multiplies its selections by the
//! number of items it can return: a page by its size, an unpaginated list by [`LIST_WEIGHT`].
//! Referenced from `#[graphql(complexity = "…")]` on every list field.

use super::pagination::{DEFAULT_PAGE, MAX_PAGE};

/// The length assumed for a list without a page size (a plan's themes, an activity's cities).
pub const LIST_WEIGHT: usize = 10;

/// A page of `first` (or `last`, default [`DEFAULT_PAGE`]) items. The size is clamped to
/// 1..=[`MAX_PAGE`]: the resolver refuses sizes outside 0..=`MAX_PAGE` anyway, and a negative or
/// zero size must not make the selections free.
pub fn page(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let size = first.max(last).unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    items(usize::try_from(size).unwrap_or(1), child_complexity)
}

/// An unpaginated list.
pub fn list(child_complexity: usize) -> usize {
    items(LIST_WEIGHT, child_complexity)
}

/// A list of `n` items, as many as asked for (`nodes(ids:)`).
pub fn items(n: usize, child_complexity: usize) -> usize {
    n.max(1).saturating_mul(child_complexity).saturating_add(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_costs_its_size_times_its_selections() {
        assert_eq!(page(Some(5), None, 3), 16);
        assert_eq!(page(None, Some(5), 3), 16);
        assert_eq!(page(None, None, 3), 61);
    }

    #[test]
    fn sizes_out_of_range_are_clamped() {
        assert_eq!(page(Some(i32::MAX), None, 3), 301);
        assert_eq!(page(Some(-5), None, 3), 4);
        assert_eq!(page(Some(0), None, 3), 4);
        assert_eq!(items(usize::MAX, 3), usize::MAX);
    }

    #[test]
    fn every_list_costs_at_least_its_field_and_selections() {
        for child in [0, 1, 7] {
            assert!(list(child) > child);
            assert!(page(Some(1), None, child) > child);
            assert!(items(0, child) > child);
        }
    }
}
