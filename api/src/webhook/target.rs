//! Where webhooks may go: http(s) URLs whose host is, and resolves only to, public addresses,
//! unless the settings name the host (`webhook_allowed_hosts`). Checked at registration and again
//! at every attempt, after resolution: the delivery client resolves through [`Guard`], so it
//! connects to the addresses that were checked (no window for DNS rebinding).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why a URL is refused.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("not a URL")]
    Malformed,
    #[error("only http and https URLs are allowed")]
    Scheme,
    #[error("URLs with a user name or password are not allowed")]
    Credentials,
    #[error("the URL has no host")]
    NoHost,
    #[error("the host does not resolve: {0}")]
    Unresolvable(String),
    #[error(
        "the host resolves to {0}, which is not a public address (an operator can allow the host \
         with the webhook_allowed_hosts setting)"
    )]
    NotPublic(IpAddr),
}

/// The hosts allowed to be non-public (lower case, as written in URLs, IPv6 without brackets).
#[derive(Clone, Debug, Default)]
pub struct AllowedHosts(Arc<[String]>);

impl AllowedHosts {
    pub fn new(hosts: &[String]) -> Self {
        Self(
            hosts
                .iter()
                .map(|h| h.trim().trim_matches(['[', ']']).to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        )
    }

    fn allows(&self, host: &str) -> bool {
        let host = host.trim_matches(['[', ']']).to_ascii_lowercase();
        self.0.contains(&host)
    }
}

/// Whether `ip` is an address webhooks must not reach: loopback, private, link-local (the cloud
/// metadata services among them), CGNAT, unspecified, multicast, broadcast, reserved or
/// documentation ranges, IPv6 unique-local (`fd00:ec2::254` too), and IPv4 inside IPv6.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96) reaches the IPv4 address it embeds.
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                let [a, b] = s[6].to_be_bytes();
                let [c, d] = s[7].to_be_bytes();
                return forbidden_v4(Ipv4Addr::new(a, b, c, d));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated) fec0::/10
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0 && s[1..6] == [0, 0, 0, 0, 0]) // IPv4-compatible ::a.b.c.d
                || v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, _, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254.0.0/16, with 169.254.169.254
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64.0.0/10
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240 // reserved
}

/// A parsed URL that passed the checks that need no resolution.
pub struct Checked {
    pub url: Url,
    host: String,
    port: u16,
}

/// Checks the form of a webhook URL and, when its host is an address, that address.
pub fn parse(raw: &str, allowed: &AllowedHosts) -> Result<Checked, Refusal> {
    let url = Url::parse(raw.trim()).map_err(|_| Refusal::Malformed)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Refusal::Scheme);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::Credentials);
    }
    let host = url.host_str().ok_or(Refusal::NoHost)?.to_owned();
    let port = url.port_or_known_default().ok_or(Refusal::NoHost)?;
    if !allowed.allows(&host)
        && let Ok(ip) = host.trim_matches(['[', ']']).parse::<IpAddr>()
        && is_forbidden(ip)
    {
        return Err(Refusal::NotPublic(ip));
    }
    Ok(Checked { url, host, port })
}

/// Checks a URL completely: its form, then every address its host resolves to.
pub async fn check(raw: &str, allowed: &AllowedHosts) -> Result<Url, Refusal> {
    let checked = parse(raw, allowed)?;
    resolve(&checked.host, checked.port, allowed).await?;
    Ok(checked.url)
}

/// The addresses of `host`, all of them public unless the host is allowed.
async fn resolve(
    host: &str,
    port: u16,
    allowed: &AllowedHosts,
) -> Result<Vec<SocketAddr>, Refusal> {
    let bare = host.trim_matches(['[', ']']);
    let addrs: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((bare, port))
            .await
            .map_err(|e| Refusal::Unresolvable(e.to_string()))?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(Refusal::Unresolvable("no address".to_owned()));
    }
    if !allowed.allows(host)
        && let Some(bad) = addrs.iter().find(|a| is_forbidden(a.ip()))
    {
        return Err(Refusal::NotPublic(bad.ip()));
    }
    Ok(addrs)
}

/// The delivery client's resolver: resolves and refuses what [`check`] refuses.
pub struct Guard(pub AllowedHosts);

impl Resolve for Guard {
    fn resolve(&self, name: Name) -> Resolving {
        let allowed = self.0.clone();
        Box::pin(async move {
            // The connector puts the URL's port on the addresses.
            let addrs = resolve(name.as_str(), 0, &allowed).await?;
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_public_addresses_are_forbidden() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
        ] {
            let parsed: IpAddr = ip.parse().unwrap_or_else(|e| panic!("{ip}: {e}"));
            assert!(is_forbidden(parsed), "{ip} should be forbidden");
        }
        for ip in ["93.184.215.14", "2606:4700::1111", "100.128.0.1"] {
            let parsed: IpAddr = ip.parse().unwrap_or_else(|e| panic!("{ip}: {e}"));
            assert!(!is_forbidden(parsed), "{ip} should be allowed");
        }
    }

    #[test]
    fn urls_are_http_without_credentials_and_public_unless_allowed() {
        let none = AllowedHosts::default();
        assert!(matches!(
            parse("ftp://example.org/", &none),
            Err(Refusal::Scheme)
        ));
        assert!(matches!(
            parse("https://u:p@example.org/", &none),
            Err(Refusal::Credentials)
        ));
        assert!(matches!(
            parse("http://127.0.0.1:9/x", &none),
            Err(Refusal::NotPublic(_))
        ));
        assert!(matches!(
            parse("http://[::1]/x", &none),
            Err(Refusal::NotPublic(_))
        ));
        let loopback = AllowedHosts::new(&["127.0.0.1".to_owned()]);
        assert!(parse("http://127.0.0.1:9/x", &loopback).is_ok());
        assert!(parse("https://example.org/hook", &none).is_ok());
    }
}
