//! Unit tests of the allowances (per key, by cost, unlimited, IPv6 networks), the export slots and
//! the `Retry-After` rounding. Kept apart so that `mod.rs` is the throttle alone.

use super::*;

fn throttle(adjust: impl FnOnce(&mut Settings)) -> Throttle {
    let mut settings = Settings::default();
    adjust(&mut settings);
    Throttle::new(&settings)
}

fn anonymous(address: [u8; 4]) -> Account {
    Account {
        class: Class::Anonymous,
        key: Key::Address(IpAddr::from(address)),
    }
}

#[tokio::test]
async fn a_key_is_refused_past_its_allowance_and_others_are_not() {
    let t = throttle(|s| s.rate_limit_anonymous = 2);
    let (a, b) = (anonymous([192, 0, 2, 1]), anonymous([192, 0, 2, 2]));
    assert!(t.admit(&a).await.is_ok() && t.admit(&a).await.is_ok());
    let refused = t.admit(&a).await.err();
    assert!(refused.is_some_and(|l| (29..=30).contains(&l.retry_after_secs())));
    assert!(t.admit(&b).await.is_ok());
    assert_eq!(t.refused_total(), 1);
}

#[tokio::test]
async fn costly_operations_spend_the_budget_sooner() {
    let t = throttle(|s| s.cost_budget_anonymous = 100);
    let caller = anonymous([192, 0, 2, 1]);
    assert!(t.charge(&caller, 60).await.is_ok());
    assert!(t.charge(&caller, 60).await.is_err());
    assert!(t.charge(&caller, 30).await.is_ok());
    // More than the whole budget costs the whole budget, once it is full again.
    let other = anonymous([192, 0, 2, 9]);
    assert!(t.charge(&other, 1_000_000).await.is_ok());
    assert!(t.charge(&other, 1).await.is_err());
}

#[tokio::test]
async fn zero_means_no_limit() {
    let t = throttle(|s| s.rate_limit_anonymous = 0);
    let caller = anonymous([192, 0, 2, 1]);
    for _ in 0..10_000 {
        assert!(t.admit(&caller).await.is_ok());
    }
}

#[test]
fn ipv6_clients_share_their_network_allowance() {
    let a: IpAddr = "2001:db8:1:2:aaaa::1"
        .parse()
        .unwrap_or(IpAddr::from([0; 4]));
    let b: IpAddr = "2001:db8:1:2:bbbb::9"
        .parse()
        .unwrap_or(IpAddr::from([0; 4]));
    assert_eq!(address_key(a), address_key(b));
    assert_eq!(
        address_key(IpAddr::from([192, 0, 2, 1])),
        IpAddr::from([192, 0, 2, 1])
    );
}

#[test]
fn a_caller_streams_at_most_its_exports_and_a_finished_one_frees_its_slot() {
    let t = throttle(|s| s.max_exports_per_caller = 1);
    let (a, b) = (anonymous([192, 0, 2, 1]), anonymous([192, 0, 2, 2]));
    let first = t.export_slot(&a);
    assert!(first.is_ok());
    assert!(t.export_slot(&a).is_err());
    assert!(t.export_slot(&b).is_ok());
    drop(first);
    assert!(t.export_slot(&a).is_ok());
    assert!(t.exports.is_empty());
}

#[test]
fn retry_after_rounds_up_to_whole_seconds() {
    let secs = |ms| {
        Limited {
            retry_after: Duration::from_millis(ms),
        }
        .retry_after_secs()
    };
    assert_eq!((secs(0), secs(200), secs(1000), secs(1001)), (1, 1, 1, 2));
}
