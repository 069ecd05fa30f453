//! `trama serve --tls`: HTTPS in a room with no internet. Browsers run service workers (the
//! draw page's reload while the Wi-Fi is down) only on HTTPS pages, and no public certificate
//! authority can vouch for a laptop at `192.168.…` with no internet. So the laptop is its own
//! authority: a certificate authority made once and kept in the data folder, which a
//! programme's tablets trust once (the wall shows how), and a certificate for the laptop's
//! names and addresses issued from it at every start.
//!
//! The authority can vouch for the room only: its name constraints (RFC 5280 §4.2.1.10)
//! permit the names it was made for, `localhost`, `.local` names and private addresses, so a
//! tablet that trusts it trusts nothing more should the laptop's key be taken. Its key is
//! the one secret on disk (`ca.key`, readable by its owner only); the laptop's key lives in
//! memory for as long as the server runs.
//!
//! Shapes: files in `<data folder>/tls/`: `ca.crt` and `ca.key` (PEM), `ca.name` (the
//! authority's common name on its first line, which certificates are issued under, then the
//! DNS names it may vouch for, one a line). Certificates and keys are made by
//! rcgen, served by rustls (ring).

use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

/// How long the room's authority is valid (five years: a programme's tablets trust it once).
const AUTHORITY_DAYS: i64 = 5 * 365;
/// How long the laptop's certificate is valid: issued afresh at every start, within the 398
/// days browsers accept.
const LAPTOP_DAYS: i64 = 397;

/// Why HTTPS cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("the room's certificate authority in {0}: {1}")]
    Files(String, std::io::Error),
    #[error("making a certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("the TLS configuration: {0}")]
    Config(#[from] rustls::Error),
    #[error(
        "the room's certificate authority was made for other names and cannot vouch for {0}: \
         add it to the tablets as a new authority (delete the tls folder and start again) or \
         leave the name out"
    )]
    NotCovered(String),
}

/// The room's certificate authority: its certificate (what tablets install) and what it
/// signs the laptop's certificates with.
pub struct RoomAuthority {
    certificate_pem: String,
    certificate_der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
    /// The DNS names it may vouch for (and their subdomains).
    permitted_names: Vec<String>,
}

impl RoomAuthority {
    /// The authority kept in `dir`, or a new one made there for `names` (the laptop's names
    /// and any given with `--tls-name`) when there is none.
    ///
    /// # Errors
    /// `Files` when the folder cannot be read or written, `Certificate` when a kept file is
    /// not a certificate or key rcgen reads.
    pub fn open_or_make(dir: &Path, names: &[String]) -> Result<Self, TlsError> {
        let files = |e| TlsError::Files(dir.display().to_string(), e);
        let (key_path, cert_path, name_path) =
            (dir.join("ca.key"), dir.join("ca.crt"), dir.join("ca.name"));
        // All three, or a new authority (a start cut short while making one left some).
        if key_path.exists() && cert_path.exists() && name_path.exists() {
            let key = KeyPair::from_pem(&std::fs::read_to_string(&key_path).map_err(files)?)?;
            let pem = std::fs::read_to_string(&cert_path).map_err(files)?;
            let common_name = std::fs::read_to_string(&name_path).map_err(files)?;
            let permitted: Vec<String> = common_name.lines().skip(1).map(str::to_owned).collect();
            let params = authority_params(common_name.lines().next().unwrap_or(""), &permitted)?;
            return Ok(Self {
                certificate_der: der_of(&pem)?,
                certificate_pem: pem,
                issuer: Issuer::new(params, key),
                permitted_names: permitted,
            });
        }
        std::fs::create_dir_all(dir).map_err(files)?;
        let key = KeyPair::generate()?;
        let permitted: Vec<String> = permitted_names(names);
        let common_name = format!(
            "Trama – {} ({})",
            names
                .iter()
                .find(|n| n.parse::<IpAddr>().is_err() && *n != "localhost")
                .map_or("taller", String::as_str),
            OffsetDateTime::now_utc().date()
        );
        let params = authority_params(&common_name, &permitted)?;
        let certificate = params.self_signed(&key)?;
        let mut name_file = common_name;
        for name in &permitted {
            name_file.push('\n');
            name_file.push_str(name);
        }
        // The key last: its presence says the other two are whole.
        write_whole(&cert_path, &certificate.pem(), false).map_err(files)?;
        write_whole(&name_path, &name_file, false).map_err(files)?;
        write_whole(&key_path, &key.serialize_pem(), true).map_err(files)?;
        Ok(Self {
            certificate_pem: certificate.pem(),
            certificate_der: certificate.der().clone(),
            issuer: Issuer::new(params, key),
            permitted_names: permitted,
        })
    }

    /// The authority's certificate, PEM: what a tablet installs (`/tls/ca.crt`).
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// A TLS configuration serving a new certificate for `names` (DNS names and IP
    /// addresses), issued by this authority, HTTP/1.1 only.
    ///
    /// # Errors
    /// `NotCovered` for a DNS name outside the authority's constraints; `Certificate`,
    /// `Config` as rcgen and rustls say.
    pub fn server_config(&self, names: &[String]) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        for name in names {
            if name.parse::<IpAddr>().is_err() && !covered(&self.permitted_names, name) {
                return Err(TlsError::NotCovered(name.clone()));
            }
        }
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(names.to_vec())?;
        params.distinguished_name.push(
            DnType::CommonName,
            names.first().map_or("trama", String::as_str),
        );
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::days(1);
        params.not_after = now + Duration::days(LAPTOP_DAYS);
        let certificate = params.signed_by(&key, &self.issuer)?;
        let chain = vec![certificate.der().clone(), self.certificate_der.clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// What the server needs to serve HTTPS in the room: the TLS configuration with the laptop's
/// certificate, and the authority's certificate tablets install.
pub struct RoomTls {
    pub config: Arc<rustls::ServerConfig>,
    pub authority_pem: String,
    /// The authority certificate's SHA-256 fingerprint, to compare on the tablet before
    /// trusting it (it is downloaded over plain HTTP).
    pub fingerprint: String,
}

impl RoomTls {
    /// The authority kept in `dir` (made when missing) and a certificate from it for `names`.
    ///
    /// # Errors
    /// As [`RoomAuthority::open_or_make`] and [`RoomAuthority::server_config`].
    pub fn for_names(dir: &Path, names: &[String]) -> Result<Self, TlsError> {
        let authority = RoomAuthority::open_or_make(dir, names)?;
        Ok(Self {
            config: authority.server_config(names)?,
            authority_pem: authority.certificate_pem().to_owned(),
            fingerprint: fingerprint(&authority.certificate_der),
        })
    }
}

/// The names a laptop serving on the room's network is reached by: `localhost` and its
/// loopback address, its host name (and `<name>.local`, as mDNS announces it), each of
/// `addresses`, and the `extra` names given with `--tls-name`.
pub fn laptop_names(addresses: &[IpAddr], extra: &[String]) -> Vec<String> {
    let mut names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    if let Some(host) = gethostname::gethostname()
        .to_str()
        .map(str::to_ascii_lowercase)
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        })
    {
        if !host.ends_with(".local") {
            names.push(format!("{host}.local"));
        }
        names.push(host);
    }
    names.extend(addresses.iter().map(IpAddr::to_string));
    names.extend(extra.iter().map(|n| n.trim().to_ascii_lowercase()));
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| !n.is_empty() && seen.insert(n.clone()));
    names.retain(|n| match n.parse::<IpAddr>() {
        // Only addresses the authority may vouch for: a public one would make browsers refuse
        // the whole certificate.
        Ok(IpAddr::V4(v4)) => {
            let [a, b, ..] = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || (a == 100 && (64..128).contains(&b))
        }
        Ok(IpAddr::V6(_)) => false,
        Err(_) => !is_public_suffix(n),
    });
    names
}

/// The DNS names an authority made for `names` may vouch for: those names, `localhost`, and
/// `local` (every `.local` name).
fn permitted_names(names: &[String]) -> Vec<String> {
    let mut permitted: Vec<String> = names
        .iter()
        .filter(|n| n.parse::<IpAddr>().is_err())
        .cloned()
        .chain(["localhost".to_owned(), "local".to_owned()])
        .collect();
    permitted.sort();
    permitted.dedup();
    permitted
}

/// Whether `name` is one of `permitted` or under one (RFC 5280's DNS name constraint).
fn covered(permitted: &[String], name: &str) -> bool {
    permitted
        .iter()
        .any(|p| name == p || name.ends_with(&format!(".{p}")))
}

/// The authority's parameters: a CA that may issue laptop certificates for the permitted
/// names, loopback and private IPv4 addresses only.
fn authority_params(
    common_name: &str,
    permitted: &[String],
) -> Result<CertificateParams, TlsError> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Trama");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let private = [
        ([127, 0, 0, 0], [255, 0, 0, 0]),
        ([10, 0, 0, 0], [255, 0, 0, 0]),
        ([172, 16, 0, 0], [255, 240, 0, 0]),
        ([192, 168, 0, 0], [255, 255, 0, 0]),
        ([169, 254, 0, 0], [255, 255, 0, 0]),
        ([100, 64, 0, 0], [255, 192, 0, 0]),
    ];
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: permitted
            .iter()
            .map(|n| GeneralSubtree::DnsName(n.clone()))
            .chain(
                private
                    .into_iter()
                    .map(|(net, mask)| GeneralSubtree::IpAddress(CidrSubnet::V4(net, mask))),
            )
            .collect(),
        excluded_subtrees: Vec::new(),
    });
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(AUTHORITY_DAYS);
    Ok(params)
}

fn der_of(pem: &str) -> Result<CertificateDer<'static>, TlsError> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::from_pem_slice(pem.as_bytes())
        .map_err(|_| TlsError::Certificate(rcgen::Error::CouldNotParseCertificate))
}

/// Writes `text` to `path` whole or not at all (a temporary file renamed over it), readable by
/// its owner only when `private`.
fn write_whole(path: &Path, text: &str, private: bool) -> std::io::Result<()> {
    use std::io::Write as _;
    let temporary = path.with_extension("part");
    let _ = std::fs::remove_file(&temporary);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    let mut file = options.open(&temporary)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)
}

/// The SHA-256 fingerprint of a certificate, as phones show it: upper-case hex pairs joined
/// by colons.
fn fingerprint(der: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A DNS name that is a public suffix (`gob.ar`, `dev`): an authority permitted it would
/// vouch for every site under it.
fn is_public_suffix(name: &str) -> bool {
    psl::suffix(name.as_bytes()).is_some_and(|s| s.is_known() && s.as_bytes() == name.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_authority_is_kept_and_vouches_for_the_room_only() {
        let dir = tempfile::tempdir().expect("dir");
        let names = vec![
            "localhost".to_owned(),
            "aula".to_owned(),
            "192.168.1.20".to_owned(),
        ];
        let made = RoomAuthority::open_or_make(dir.path(), &names).expect("made");
        let kept = RoomAuthority::open_or_make(dir.path(), &names).expect("kept");
        assert_eq!(made.certificate_pem(), kept.certificate_pem());
        assert!(kept.server_config(&names).is_ok());
        assert!(kept.server_config(&["aula.local".to_owned()]).is_ok());
        assert!(matches!(
            kept.server_config(&["www.google.com".to_owned()]),
            Err(TlsError::NotCovered(_))
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("ca.key"))
                .expect("key")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the key is its owner's only");
        }
    }

    #[test]
    fn the_laptop_is_named_by_its_addresses_and_the_names_given() {
        let names = laptop_names(
            &["192.168.0.7".parse().expect("ip")],
            &[
                "Trama.Test".to_owned(),
                "gob.ar".to_owned(),
                "dev".to_owned(),
                "8.8.8.8".to_owned(),
            ],
        );
        for never in ["gob.ar", "dev", "8.8.8.8"] {
            assert!(!names.contains(&never.to_owned()), "{never} in {names:?}");
        }
        assert_eq!(&names[..2], ["localhost", "127.0.0.1"]);
        assert!(names.contains(&"192.168.0.7".to_owned()));
        assert!(names.contains(&"trama.test".to_owned()));
    }
}
