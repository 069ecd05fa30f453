//! Downloads reach public tile services only, not this machine or the networks behind it
//! (server-side request forgery, OWASP SSRF Prevention Cheat Sheet). A template is checked
//! when it is planned ([`check_template`]), and every address of every request actually made
//! is checked again when it is resolved ([`PublicOnly`], the download's resolver), so that
//! neither the template's spelling nor a name that resolves differently later (DNS rebinding)
//! reaches a private address. Redirects stay off (`fetch::run`).
//!
//! Why by hand: the rules are a short list over `std::net`'s own predicates; no well-kept
//! crate checks ureq's resolved addresses for us.

use crate::domain::Refusal;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// Whether `ip` is this machine, a private, shared, link-local, multicast or unspecified
/// address, in IPv4, IPv6, or IPv4 inside IPv6 (`::ffff:127.0.0.1`, `::127.0.0.1`, NAT64's
/// `64:ff9b::7f00:1`, 6to4's `2002:7f00:1::`).
pub fn is_private(ip: IpAddr) -> bool {
    fn v4(v4: Ipv4Addr) -> bool {
        let [a, b, ..] = v4.octets();
        v4.is_loopback()
            || v4.is_private()
            || v4.is_link_local()
            || v4.is_unspecified()
            || v4.is_broadcast()
            || v4.is_multicast()
            || a == 0
            || (a == 100 && (64..128).contains(&b))
            || (a == 192 && b == 0)
            || a >= 240
    }
    match ip {
        IpAddr::V4(ip) => v4(ip),
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(v4)
                || v6.to_ipv4().is_some_and(v4)
                // NAT64 (RFC 6052): the IPv4 address in the last 32 bits.
                || (v6.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0] && {
                    let s = v6.segments();
                    v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8))
                })
                // 6to4 (RFC 3056): the IPv4 address in bits 16 to 48.
                || (first == 0x2002 && {
                    let s = v6.segments();
                    v4(Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8))
                })
        }
    }
}

/// Checks the authority of a tile URL template (`https://host:port/...`): no user name or
/// password (`user@host`, `tiles.example.org@127.0.0.1` reads as user `tiles.example.org`),
/// no placeholder in the host (`127.0.0.{z}` names a different host per tile), and a host
/// that does not resolve to a private address. Returns the host.
///
/// # Errors
/// Which of these the template breaks, in words for its author.
pub fn check_template(url: &str) -> Result<String, Refusal> {
    let authority = url.split_once("://").map_or("", |(_, rest)| {
        rest.split(['/', '?', '#']).next().unwrap_or("")
    });
    if authority.contains('@') {
        return Err(Refusal::new(
            "basemap.url_credentials",
            format!(
                "the tile URL may not carry a user name or password before its host (given {authority:?})"
            ),
        ));
    }
    if authority.replace("{s}", "a").contains(['{', '}']) {
        return Err(Refusal::new(
            "basemap.url_placeholder",
            format!("the tile URL's host may hold no placeholder but {{s}} (given {authority:?})"),
        ));
    }
    let authority = authority.replace("{s}", "a");
    // `[::1]:8080` keeps its brackets; `tiles.example.org:8080` loses its port.
    let host = match authority.strip_prefix('[') {
        Some(rest) => format!("[{}]", rest.split(']').next().unwrap_or("")),
        None => authority.split(':').next().unwrap_or("").to_owned(),
    }
    .to_ascii_lowercase();
    Ok(host)
}

/// The addresses `host` resolves to (itself, for an address), on the URL's default port.
pub fn resolve(host: &str, https: bool) -> Vec<IpAddr> {
    use std::net::ToSocketAddrs;
    let name = host.trim_start_matches('[').trim_end_matches(']');
    match name.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => (name, if https { 443 } else { 80 })
            .to_socket_addrs()
            .map(|a| a.map(|a| a.ip()).collect())
            .unwrap_or_default(),
    }
}

/// The download's resolver: the system's, refusing any name with a private address among
/// those it resolves to (every request's, at the moment it is made).
#[derive(Debug, Default)]
pub struct PublicOnly(DefaultResolver);

impl Resolver for PublicOnly {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let found = self.0.resolve(uri, config, timeout)?;
        let addresses: Vec<SocketAddr> = found.iter().copied().collect();
        if addresses.iter().any(|a| is_private(a.ip())) {
            return Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "{} is this server or on a private network: the server does not download from there unless its operator allows it (--allow-private-tile-services)",
                    uri.host().unwrap_or("the host")
                ),
            )));
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_this_machine_or_a_private_network_is_private() {
        for ip in [
            "127.0.0.1",
            "127.0.0.7",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "::1",
            "::",
            "::ffff:0.0.0.0",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "fd00::1",
            "fe80::1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::1",
        ] {
            assert!(is_private(ip.parse().expect(ip)), "{ip}");
        }
        for ip in ["8.8.8.8", "200.45.1.9", "2800:3f0:4002::200e"] {
            assert!(!is_private(ip.parse().expect(ip)), "{ip}");
        }
    }

    #[test]
    fn a_template_may_not_hide_its_host() {
        for (url, says) in [
            ("http://user@127.0.0.1/{z}/{x}/{y}.png", "user name"),
            (
                "http://tiles.example.org@127.0.0.1/{z}/{x}/{y}.png",
                "user name",
            ),
            ("http://u:p@tiles.example.org/{z}/{x}/{y}.png", "user name"),
            ("http://127.0.0.{z}/{x}/{y}.png", "placeholder"),
            ("http://{x}.example.org/{z}/{y}.png", "placeholder"),
        ] {
            let refused = check_template(url).expect_err(url);
            assert!(refused.detail.contains(says), "{url}: {refused}");
        }
        assert_eq!(
            check_template("https://{s}.tiles.example.org:8443/{z}/{x}/{y}.png"),
            Ok("a.tiles.example.org".to_owned())
        );
        assert_eq!(
            check_template("http://[::ffff:0.0.0.0]/{z}/{x}/{y}.png"),
            Ok("[::ffff:0.0.0.0]".to_owned())
        );
        // Numbers a resolver reads as an address are resolved as it does.
        assert!(
            resolve("2130706433", false)
                .iter()
                .all(|ip| is_private(*ip))
        );
    }

    #[test]
    fn each_request_s_resolved_address_is_checked_when_it_is_made() {
        // What a name that resolved elsewhere at planning (DNS rebinding) meets: refused
        // before any connection, whatever the spelling.
        let agent = ureq::Agent::with_parts(
            ureq::Agent::config_builder().proxy(None).build(),
            ureq::unversioned::transport::DefaultConnector::new(),
            PublicOnly::default(),
        );
        for url in [
            "http://127.0.0.1:9/0/0/0.png",
            "http://[::ffff:127.0.0.1]:9/0/0/0.png",
            "http://[::1]:9/0/0/0.png",
        ] {
            match agent.get(url).call() {
                Err(ureq::Error::Io(e)) => {
                    assert_eq!(e.kind(), std::io::ErrorKind::PermissionDenied, "{url}: {e}");
                }
                other => panic!("{url}: {other:?}"),
            }
        }
    }
}
