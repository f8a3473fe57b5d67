//! The client's address behind reverse proxies (`TRUSTED_PROXIES`).
//!
//! Anyone can send `Forwarded` or `X-Forwarded-For`, so those headers count only when the peer
//! (the TCP connection's other end) is a proxy the operator listed. Each trusted proxy appends the
//! address it received the request from; reading the chain from the right and skipping the
//! trusted hops gives the first address no trusted proxy vouches for beyond: the client. Whatever
//! a client writes to the left of that is ignored, which is what makes a spoofed header harmless.
//!
//! One header is read, the one the proxy writes (`TRUSTED_PROXY_HEADER`): reading both would let a
//! client send the one the proxy leaves alone.

use std::{fmt, net::IpAddr, str::FromStr};

/// Which header the trusted proxies write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1` (nginx's `$proxy_add_x_forwarded_for`, HAProxy's `forwardfor`).
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client, for=proxy1`.
    Forwarded,
}

impl ForwardedHeader {
    pub fn name(self) -> &'static str {
        match self {
            ForwardedHeader::XForwardedFor => "x-forwarded-for",
            ForwardedHeader::Forwarded => "forwarded",
        }
    }
}

impl FromStr for ForwardedHeader {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "x-forwarded-for" => Ok(ForwardedHeader::XForwardedFor),
            "forwarded" => Ok(ForwardedHeader::Forwarded),
            other => Err(format!(
                "{other:?} is neither X-Forwarded-For nor Forwarded"
            )),
        }
    }
}

/// An address or a CIDR range (`10.0.0.0/8`, `fd00::/8`, `192.0.2.7`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    base: IpAddr,
    prefix: u8,
}

impl Network {
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.base, canonical(address)) {
            (IpAddr::V4(base), IpAddr::V4(address)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(base) & mask == u32::from(address) & mask
            }
            (IpAddr::V6(base), IpAddr::V6(address)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(base) & mask == u128::from(address) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Network {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        let value = value.trim();
        let (address, prefix) = match value.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (value, None),
        };
        let base = canonical(
            address
                .parse::<IpAddr>()
                .map_err(|_| format!("{value:?} is not an address or a CIDR range"))?,
        );
        let width = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= width)
                .ok_or_else(|| format!("{value:?}: the prefix length is 0 to {width}"))?,
            None => width,
        };
        Ok(Network { base, prefix })
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.base, self.prefix)
    }
}

/// The proxies whose forwarding header is believed; empty (the default) believes none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    networks: Vec<Network>,
    header: Option<ForwardedHeader>,
}

impl TrustedProxies {
    /// `list` is comma-separated (`TRUSTED_PROXIES`); `header` the one they write.
    pub fn parse(list: &str, header: ForwardedHeader) -> Result<Self, String> {
        let networks = list
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(Network::from_str)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrustedProxies {
            header: Some(header).filter(|_| !networks.is_empty()),
            networks,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.networks.is_empty()
    }

    /// The header read from trusted peers, if any peer is trusted.
    pub fn header(&self) -> Option<ForwardedHeader> {
        self.header
    }

    pub fn networks(&self) -> &[Network] {
        &self.networks
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.networks.iter().any(|n| n.contains(address))
    }

    /// The client's address, given the peer's and the values of the forwarding header (each
    /// occurrence of the header, in order). A hop that is not an address (`unknown`, an
    /// obfuscated name) ends the walk: the client is then the last address a trusted proxy gave.
    pub fn client_address<'a>(
        &self,
        peer: IpAddr,
        header_values: impl Iterator<Item = &'a str>,
    ) -> IpAddr {
        let peer = canonical(peer);
        let Some(header) = self.header else {
            return peer;
        };
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = header_values
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .filter(|hop| !hop.is_empty())
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let address = match header {
                ForwardedHeader::XForwardedFor => parse_node(hop),
                ForwardedHeader::Forwarded => forwarded_for(hop).and_then(parse_node),
            };
            let Some(address) = address else {
                break;
            };
            client = address;
            if !self.trusts(address) {
                break;
            }
        }
        client
    }
}

/// An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, as a dual-stack socket reports IPv4 peers)
/// is the IPv4 address, for matching and for counting.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// The `for=` parameter of one RFC 7239 element (`for=192.0.2.60;proto=https;by=…`).
fn forwarded_for(element: &str) -> Option<&str> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("for")
            .then(|| value.trim().trim_matches('"'))
    })
}

/// A node as proxies write it: `192.0.2.60`, `192.0.2.60:4711`, `2001:db8::1`, `[2001:db8::1]:4711`.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim().trim_matches('"');
    if let Ok(address) = node.parse::<IpAddr>() {
        return Some(canonical(address));
    }
    let host = if let Some(rest) = node.strip_prefix('[') {
        rest.split_once(']')?.0
    } else {
        node.rsplit_once(':')?.0
    };
    host.parse::<IpAddr>().ok().map(canonical)
}

/// The client's address: the peer's, or behind a proxy of `TRUSTED_PROXIES` the one its header gives.
pub fn client_address(req: &actix_web::HttpRequest) -> String {
    let Some(peer) = req.peer_addr() else {
        return "unknown".to_owned();
    };
    let ctx = req.app_data::<actix_web::web::Data<crate::context::ApiContext>>();
    let Some((proxies, name)) = ctx.and_then(|ctx| {
        let proxies = &ctx.settings.trusted_proxies;
        proxies.header().map(|header| (proxies, header.name()))
    }) else {
        return peer.ip().to_string();
    };
    let values = req.headers().get_all(name).filter_map(|v| v.to_str().ok());
    proxies.client_address(peer.ip(), values).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    fn proxies(list: &str) -> TrustedProxies {
        TrustedProxies::parse(list, ForwardedHeader::XForwardedFor).expect("a proxy list")
    }

    #[test]
    fn networks_match_their_range_only() {
        let net: Network = "10.1.0.0/16".parse().expect("a network");
        assert!(net.contains(ip("10.1.200.3")));
        assert!(!net.contains(ip("10.2.0.1")));
        assert!(net.contains(ip("::ffff:10.1.0.9")), "a mapped IPv4 peer");
        let one: Network = "192.0.2.7".parse().expect("a network");
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let v6: Network = "fd00::/8".parse().expect("a network");
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        let all: Network = "0.0.0.0/0".parse().expect("a network");
        assert!(all.contains(ip("203.0.113.5")));
        assert!("10.0.0.0/33".parse::<Network>().is_err());
        assert!("proxy.local".parse::<Network>().is_err());
        assert!(TrustedProxies::parse("10.0.0.1, nope", ForwardedHeader::Forwarded).is_err());
    }

    #[test]
    fn with_no_trusted_proxy_the_headers_change_nothing() {
        let none = TrustedProxies::default();
        let peer = ip("198.51.100.4");
        assert_eq!(none.client_address(peer, ["1.2.3.4"].into_iter()), peer);
    }

    #[test]
    fn an_untrusted_peer_cannot_name_another_client() {
        let trusted = proxies("10.0.0.0/8");
        let peer = ip("198.51.100.4");
        assert_eq!(
            trusted.client_address(peer, ["10.0.0.1, 1.2.3.4"].into_iter()),
            peer
        );
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let trusted = proxies("10.0.0.0/8, 127.0.0.1");
        let peer = ip("127.0.0.1");
        // The client wrote "6.6.6.6" itself; the outer proxy (10.0.0.2) appended what it saw.
        let chain = ["6.6.6.6, 203.0.113.9", "10.0.0.2"];
        assert_eq!(
            trusted.client_address(peer, chain.into_iter()),
            ip("203.0.113.9")
        );
        // Only trusted hops: the left-most is as far as anyone vouches.
        assert_eq!(
            trusted.client_address(peer, ["10.0.0.3, 10.0.0.2"].into_iter()),
            ip("10.0.0.3")
        );
        // No header at all: the proxy itself.
        assert_eq!(trusted.client_address(peer, [].into_iter()), peer);
        // Junk from a trusted proxy ends the walk at the last address it gave.
        assert_eq!(
            trusted.client_address(peer, ["203.0.113.9, unknown, 10.0.0.2"].into_iter()),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn rfc_7239_elements_give_their_for_parameter() {
        let trusted =
            TrustedProxies::parse("127.0.0.1", ForwardedHeader::Forwarded).expect("a proxy list");
        let value = r#"for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711""#;
        assert_eq!(
            trusted.client_address(ip("127.0.0.1"), [value].into_iter()),
            ip("2001:db8:cafe::17")
        );
        assert_eq!(
            trusted.client_address(ip("127.0.0.1"), ["for=\"198.51.100.1:80\""].into_iter()),
            ip("198.51.100.1")
        );
    }
}
