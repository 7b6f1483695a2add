//! Where bantin may send requests. Pages point anywhere: an image on `169.254.169.254` (cloud
//! metadata), `127.0.0.1:6379` or a router on `192.168.1.1` would turn the scraper into a
//! probe of the machine's own network. Internal addresses are refused unless a configured
//! source itself lives on that host; the check runs on the URL's literal address, on every
//! address a name resolves to (so DNS cannot smuggle one in) and on each redirect.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// Whether `ip` is on the machine or its private networks rather than the internet:
/// loopback, RFC 1918 private, carrier-grade NAT, link-local (cloud metadata lives there),
/// unspecified, broadcast, multicast, IPv6 unique-local, and IPv4 inside IPv6.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_internal(IpAddr::V4(v4)),
            None => {
                v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_unique_local()
                    || v6.is_unicast_link_local()
                    || v6.is_multicast()
            }
        },
    }
}

/// The hosts whose internal addresses may be reached: those of the configured sources.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    trusted: Arc<Vec<String>>,
}

impl Policy {
    pub fn new(trusted_hosts: &[String]) -> Policy {
        Policy { trusted: Arc::new(trusted_hosts.iter().map(|h| normalize(h)).collect()) }
    }

    fn trusts(&self, host: &str) -> bool {
        self.trusted.iter().any(|t| *t == normalize(host))
    }

    /// `Err(reason)` when `url` names an internal address literally and its host is not a
    /// configured source's. Names are checked when they resolve ([`Policy::resolver`]).
    pub fn check(&self, url: &Url) -> Result<(), String> {
        let ip = match url.host() {
            Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
            _ => return Ok(()),
        };
        if is_internal(ip) && !self.trusts(url.host_str().unwrap_or_default()) {
            return Err(format!("{ip} is an internal address and no configured source is on it"));
        }
        Ok(())
    }

    /// A DNS resolver that drops internal addresses of names no source is configured on.
    pub fn resolver(&self) -> Arc<dyn Resolve> {
        Arc::new(Resolver { policy: self.clone() })
    }
}

fn normalize(host: &str) -> String {
    host.trim_start_matches('[').trim_end_matches(']').trim_end_matches('.').to_ascii_lowercase()
}

struct Resolver {
    policy: Policy,
}

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept: Vec<SocketAddr> =
                if policy.trusts(&host) { found } else { found.into_iter().filter(|a| !is_internal(a.ip())).collect() };
            if kept.is_empty() {
                let refused: Box<dyn std::error::Error + Send + Sync> =
                    format!("{host} resolves only to internal addresses").into();
                return Err(refused);
            }
            let addrs: Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses() {
        for ip in [
            "127.0.0.1",
            "127.0.0.3",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["203.113.131.1", "8.8.8.8", "2001:4860::8888", "172.32.0.1", "100.128.0.1"] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn literal_internal_addresses_only_for_configured_hosts() {
        let policy = Policy::new(&["127.0.0.1".into(), "portal.example".into()]);
        let check = |u: &str| policy.check(&Url::parse(u).unwrap());
        assert!(check("http://127.0.0.1:8080/a.jpg").is_ok(), "a source lives there");
        assert!(check("http://127.0.0.3/a.jpg").is_err());
        assert!(check("http://169.254.169.254/latest/meta-data/").is_err());
        assert!(check("http://[::1]/").is_err());
        assert!(check("http://0x7f.0.0.3/").is_err(), "an address however it is written");
        assert!(check("https://portal.example/a.jpg").is_ok(), "names are checked when they resolve");
    }
}
