//! Counting what each key holds at once (exports streaming per caller, WebSocket connections per
//! address and per token, refusals held per address): a count per key, taken by a [`Hold`] and
//! given back when it drops. Apart from the throttle because it limits how many at once, not how
//! many a minute, and the WebSocket routes use it on their own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Things held at once per key (exports streaming, WebSocket connections open), each counted
/// until its [`Hold`] drops.
pub struct Holds<K>(Arc<Mutex<HashMap<K, usize>>>);

impl<K> Clone for Holds<K> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<K> Default for Holds<K> {
    fn default() -> Self {
        Self(Arc::default())
    }
}

/// One thing counted against its key until dropped.
pub struct Hold<K: std::hash::Hash + Eq> {
    holds: Holds<K>,
    key: K,
}

impl<K: std::hash::Hash + Eq + Copy> Holds<K> {
    /// Counts one more for `key`, or `None` when it holds `max` already (`0`: no limit).
    pub fn hold(&self, key: K, max: usize) -> Option<Hold<K>> {
        let mut held = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = held.entry(key).or_insert(0);
        if max != 0 && *count >= max {
            return None;
        }
        *count += 1;
        Some(Hold {
            holds: self.clone(),
            key,
        })
    }

    #[cfg(test)]
    pub(super) fn is_empty(&self) -> bool {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }
}

impl<K: std::hash::Hash + Eq> Drop for Hold<K> {
    fn drop(&mut self) {
        let mut held = self.holds.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = held.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                held.remove(&self.key);
            }
        }
    }
}
