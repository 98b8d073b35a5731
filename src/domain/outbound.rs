//! Where webhooks may go: to public addresses only, unless the operator lists the host in
//! `KLACHTEN_WEBHOOK_ALLOWED_HOSTS`. Otherwise a coordinator's subscription would make the
//! service a port scanner of its own network (the database, the cloud's metadata service),
//! with the delivery log reporting what answered.
//!
//! Addresses are judged as `IpAddr` values after the URL parser (which reads every IPv4
//! notation — decimal, octal, hexadecimal, shortened — as the address it means) or after
//! resolution, never by the text of the host.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// Why an address is not one to send to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Internal {
    Unspecified,
    Loopback,
    Private,
    LinkLocal,
    UniqueLocal,
    Multicast,
    /// Broadcast, documentation, benchmarking, shared (carrier-grade NAT), reserved and
    /// tunnel ranges: nothing a receiver on the internet lives at.
    Special,
}

impl Internal {
    fn as_str(self) -> &'static str {
        match self {
            Internal::Unspecified => "unspecified",
            Internal::Loopback => "loopback",
            Internal::Private => "private",
            Internal::LinkLocal => "link-local",
            Internal::UniqueLocal => "unique-local",
            Internal::Multicast => "multicast",
            Internal::Special => "special-purpose",
        }
    }
}

/// A receiver the service will not send to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The host is, or resolves to, an address that is not public.
    Internal { host: String, address: IpAddr, kind: Internal },
    /// The host's name could not be resolved.
    Unresolvable { host: String },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Internal { host, address, kind } => write!(
                f,
                "the receiver {host} is at {address}, a {} address; webhooks go to public \
                 addresses, or to hosts the operator lists in KLACHTEN_WEBHOOK_ALLOWED_HOSTS",
                kind.as_str()
            ),
            Refusal::Unresolvable { host } => {
                write!(f, "the receiver's host {host} could not be resolved")
            }
        }
    }
}

impl std::error::Error for Refusal {}

/// What kind of address this is, if it is not a public one. IPv6 addresses that carry an
/// IPv4 address (mapped, compatible, NAT64, 6to4) are judged by the IPv4 address.
pub fn internal(address: IpAddr) -> Option<Internal> {
    match address {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => internal_v4(v4),
            None => internal_v6(v6),
        },
    }
}

fn internal_v4(ip: Ipv4Addr) -> Option<Internal> {
    let [a, b, c, _] = ip.octets();
    Some(if ip.is_unspecified() || a == 0 {
        Internal::Unspecified
    } else if ip.is_loopback() {
        Internal::Loopback
    } else if ip.is_private() {
        Internal::Private
    } else if ip.is_link_local() {
        Internal::LinkLocal
    } else if ip.is_multicast() {
        Internal::Multicast
    } else if ip.is_broadcast()
        || ip.is_documentation()
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240
    {
        Internal::Special
    } else {
        return None;
    })
}

fn internal_v6(ip: Ipv6Addr) -> Option<Internal> {
    let s = ip.segments();
    Some(if ip.is_unspecified() {
        Internal::Unspecified
    } else if ip.is_loopback() {
        Internal::Loopback
    } else if s[0] & 0xfe00 == 0xfc00 {
        Internal::UniqueLocal
    } else if s[0] & 0xffc0 == 0xfe80 || s[0] & 0xffc0 == 0xfec0 {
        // fec0::/10, site-local, is deprecated but still routed inside some networks.
        Internal::LinkLocal
    } else if ip.is_multicast() {
        Internal::Multicast
    } else if (s[0] == 0x2001 && matches!(s[1], 0 | 0x0db8))
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0])
        || s[0] & 0xe000 != 0x2000
    {
        // Documentation, Teredo, discard-only, and anything outside global unicast 2000::/3.
        Internal::Special
    } else {
        return None;
    })
}

/// The IPv4 address an IPv6 address stands for: `::ffff:a.b.c.d` (mapped), `::a.b.c.d`
/// (compatible), `64:ff9b::a.b.c.d` (NAT64) and `2002:aabb:ccdd::/48` (6to4).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let v4 = |high: u16, low: u16| {
        Ipv4Addr::new((high >> 8) as u8, high as u8, (low >> 8) as u8, low as u8)
    };
    if ip.is_loopback() || ip.is_unspecified() {
        None
    } else if let Some(v4) = ip.to_ipv4() {
        Some(v4)
    } else if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        Some(v4(s[6], s[7]))
    } else if s[0] == 0x2002 {
        Some(v4(s[1], s[2]))
    } else {
        None
    }
}

/// Refuses an address that is not public.
pub fn check_address(host: &str, address: IpAddr) -> Result<(), Refusal> {
    match internal(address) {
        Some(kind) => Err(Refusal::Internal { host: host.to_owned(), address, kind }),
        None => Ok(()),
    }
}

/// Where a receiver's URL points, before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// The operator lists the host (and port): sent to whatever it resolves to.
    Allowed,
    /// An address literal (in any notation the URL parser reads).
    Address(IpAddr),
    /// A name to resolve; each address it resolves to is checked.
    Name(String),
}

/// Where `url` points. `localhost` and `*.localhost` are loopback by definition
/// (RFC 6761), and are never looked up.
pub fn destination(url: &url::Url, allowed: &AllowedHosts) -> Destination {
    if allowed.allows(url) {
        return Destination::Allowed;
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) => Destination::Address(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Destination::Address(IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name == "localhost" || name.ends_with(".localhost") {
                Destination::Address(IpAddr::V4(Ipv4Addr::LOCALHOST))
            } else if let Ok(ip) = name.parse::<IpAddr>() {
                Destination::Address(ip)
            } else {
                Destination::Name(name)
            }
        }
        None => Destination::Name(String::new()),
    }
}

/// `KLACHTEN_WEBHOOK_ALLOWED_HOSTS`: hosts (`host`, any port) or host and port
/// (`host:port`, `[::1]:8080`) webhooks may go to whatever their address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedHosts(Vec<(String, Option<u16>)>);

impl AllowedHosts {
    /// Whether the URL's host and port are listed. Hosts compare as the URL parser writes
    /// them, so `2130706433` and `127.0.0.1` are one host.
    pub fn allows(&self, url: &url::Url) -> bool {
        let (Some(host), port) = (url.host_str(), url.port_or_known_default()) else {
            return false;
        };
        self.0.iter().any(|(h, p)| h == host && (p.is_none() || *p == port))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromStr for AllowedHosts {
    type Err = String;

    /// A comma-separated list; blanks around entries are ignored.
    fn from_str(list: &str) -> Result<AllowedHosts, String> {
        let entries = list.split(',').map(str::trim).filter(|e| !e.is_empty());
        entries.map(allowed_host).collect::<Result<_, _>>().map(AllowedHosts)
    }
}

fn allowed_host(entry: &str) -> Result<(String, Option<u16>), String> {
    let invalid = || format!("'{entry}' is not a host or host:port (IPv6 in brackets)");
    let url = url::Url::parse(&format!("http://{entry}/")).map_err(|_| invalid())?;
    if url.path() != "/" || url.query().is_some() || !url.username().is_empty() {
        return Err(invalid());
    }
    let host = url.host_str().ok_or_else(invalid)?.to_owned();
    // The parser drops a port that is the scheme's default; it was given all the same.
    let explicit = entry
        .rsplit_once(':')
        .is_some_and(|(_, port)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()));
    Ok((host, if explicit { url.port().or(Some(80)) } else { None }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn only_public_addresses_are_receivers() {
        for public in ["93.184.215.14", "8.8.8.8", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8"] {
            assert_eq!(internal(ip(public)), None, "{public}");
        }
        for (address, kind) in [
            ("127.0.0.1", Internal::Loopback),
            ("127.255.0.9", Internal::Loopback),
            ("::1", Internal::Loopback),
            ("0.0.0.0", Internal::Unspecified),
            ("0.1.2.3", Internal::Unspecified),
            ("::", Internal::Unspecified),
            ("10.0.0.1", Internal::Private),
            ("172.16.5.4", Internal::Private),
            ("192.168.1.1", Internal::Private),
            ("169.254.169.254", Internal::LinkLocal),
            ("fe80::1", Internal::LinkLocal),
            ("fd00:ec2::254", Internal::UniqueLocal),
            ("fc00::1", Internal::UniqueLocal),
            ("224.0.0.1", Internal::Multicast),
            ("ff02::1", Internal::Multicast),
            ("255.255.255.255", Internal::Special),
            ("100.64.0.1", Internal::Special),
            ("192.0.2.1", Internal::Special),
            ("2001:db8::1", Internal::Special),
            // IPv4 inside IPv6: mapped, compatible, NAT64, 6to4.
            ("::ffff:127.0.0.1", Internal::Loopback),
            ("::ffff:169.254.169.254", Internal::LinkLocal),
            ("::127.0.0.1", Internal::Loopback),
            ("::10.0.0.1", Internal::Private),
            ("64:ff9b::a00:1", Internal::Private),
            ("2002:a9fe:a9fe::1", Internal::LinkLocal),
        ] {
            assert_eq!(internal(ip(address)), Some(kind), "{address}");
        }
    }

    #[test]
    fn every_notation_of_an_address_is_the_address() {
        let allowed = AllowedHosts::default();
        let to = |url: &str| destination(&url::Url::parse(url).unwrap(), &allowed);
        for url in [
            "http://2130706433/",
            "http://0x7f000001/",
            "http://0177.0.0.1/",
            "http://0x7f.1/",
            "http://127.1/",
            "http://[::ffff:7f00:1]/",
            "http://localhost:22/",
            "http://LocalHost./",
            "http://db.localhost/",
        ] {
            let Destination::Address(address) = to(url) else { panic!("{url}: {:?}", to(url)) };
            assert_eq!(internal(address), Some(Internal::Loopback), "{url}");
        }
        assert_eq!(to("https://pms.example.nl/x"), Destination::Name("pms.example.nl".into()));
        assert!(check_address("h", ip("10.0.0.1")).unwrap_err().to_string().contains("private"));
    }

    #[test]
    fn the_operator_lists_hosts_that_may_be_internal() {
        let allowed: AllowedHosts =
            " 127.0.0.1:9000, relay.intern , [::1]:80,localhost".parse().unwrap();
        let allows = |url: &str| allowed.allows(&url::Url::parse(url).unwrap());
        assert!(allows("http://127.0.0.1:9000/hook"));
        assert!(allows("http://2130706433:9000/hook"));
        assert!(!allows("http://127.0.0.1:9001/hook"));
        assert!(allows("https://relay.intern/x") && allows("http://RELAY.intern:8080/x"));
        assert!(allows("http://[::1]/x") && !allows("https://[::1]/x"));
        assert!(allows("http://localhost:22/"));
        assert!(!allows("http://relay.intern.evil.nl/x"));
        assert_eq!(
            destination(&url::Url::parse("http://127.0.0.1:9000/").unwrap(), &allowed),
            Destination::Allowed
        );
        assert!("".parse::<AllowedHosts>().unwrap().is_empty());
        for bad in ["http://x", "a/b", "user@host", "::1", "host:port"] {
            assert!(bad.parse::<AllowedHosts>().is_err(), "{bad}");
        }
    }
}
