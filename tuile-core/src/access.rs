//! Who may see what: API keys presented in a header (`Authorization:
//! Bearer …`, `X-API-Key`) or as an `apikey=` query parameter (for clients
//! such as QGIS that can only add URL parameters), looked up by their
//! SHA-256 digest, and mapped to groups. A layer restricted to groups is
//! left out of the catalog view of every other caller, so it does not exist
//! for them in any service.

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

use crate::config::AuthConfig;

/// The query parameter carrying a key.
pub const KEY_PARAM: &str = "apikey";

/// Lowercase hex SHA-256 of a key, as `auth.keys[].sha256` stores it.
pub fn sha256_hex(key: &str) -> String {
    format!("{:x}", Sha256::digest(key.as_bytes()))
}

/// A new random key: 24 random bytes as 48 hex digits.
pub fn new_key() -> String {
    use rand::Rng;
    let bytes: [u8; 24] = rand::thread_rng().r#gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
}

/// The key a request presents, and where: a key given in the URL is
/// carried on in the links of the answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    None,
    Header(String),
    Query(String),
}

/// The caller, as far as access goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
    /// A known key: its holder's name and groups, and the key itself when it
    /// came in the query string (links in answers then carry it on).
    Member {
        name: String,
        groups: BTreeSet<String>,
        query_key: Option<String>,
    },
    /// A key that matches none: refused with 401 rather than served as
    /// anonymous, so a typo is not mistaken for missing layers.
    UnknownKey,
}

impl Caller {
    /// What distinguishes this caller's view of the catalog.
    pub fn view_id(&self) -> String {
        match self {
            Caller::Anonymous | Caller::UnknownKey => "public".into(),
            Caller::Member { groups, query_key, .. } => {
                let groups: Vec<&str> = groups.iter().map(String::as_str).collect();
                match query_key {
                    Some(k) => format!("groups={}|key={}", groups.join(","), sha256_hex(k)),
                    None => format!("groups={}", groups.join(",")),
                }
            }
        }
    }

    pub fn groups(&self) -> Option<&BTreeSet<String>> {
        match self {
            Caller::Member { groups, .. } => Some(groups),
            _ => None,
        }
    }

    /// `apikey=…` for links, when the key came in the query string.
    pub fn link_query(&self) -> Option<String> {
        match self {
            Caller::Member { query_key: Some(k), .. } => Some(format!(
                "{KEY_PARAM}={}",
                form_urlencoded::byte_serialize(k.as_bytes()).collect::<String>()
            )),
            _ => None,
        }
    }
}

/// One configured key: the digest of the key, its holder and groups.
#[derive(Debug, Clone)]
struct Holder {
    digest: [u8; 32],
    name: String,
    groups: BTreeSet<String>,
}

/// The keys of the configuration, by digest.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    holders: Vec<Holder>,
}

impl Keys {
    pub fn new(auth: &AuthConfig) -> Keys {
        let holders = auth
            .keys
            .iter()
            .filter_map(|k| {
                // The configuration checks hold 64 hex digits.
                let digest = parse_digest(&k.sha256)?;
                Some(Holder {
                    digest,
                    name: k.name.clone(),
                    groups: k.groups.iter().cloned().collect(),
                })
            })
            .collect();
        Keys { holders }
    }

    pub fn is_empty(&self) -> bool {
        self.holders.is_empty()
    }

    /// Who presents these credentials. The presented key's digest is
    /// compared with every configured digest in constant time, so that the
    /// time taken tells nothing of how close a guess came.
    pub fn caller(&self, credentials: &Credentials) -> Caller {
        let (key, query_key) = match credentials {
            Credentials::None => return Caller::Anonymous,
            Credentials::Header(k) => (k, None),
            Credentials::Query(k) => (k, Some(k.clone())),
        };
        let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        let mut found = None;
        for h in &self.holders {
            if constant_time_eq(&h.digest, &digest) {
                found = Some(h);
            }
        }
        match found {
            Some(h) => Caller::Member {
                name: h.name.clone(),
                groups: h.groups.clone(),
                query_key,
            },
            None => Caller::UnknownKey,
        }
    }
}

fn parse_digest(hex: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if hex.len() != 64 {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Equality whose time does not depend on where the inputs differ.
fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// Whether a caller in `groups` may see a layer restricted to `layer_groups`.
pub fn may_see(layer_groups: &[String], groups: Option<&BTreeSet<String>>) -> bool {
    layer_groups.is_empty() || groups.is_some_and(|g| layer_groups.iter().any(|l| g.contains(l)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ApiKey;

    fn hex(d: [u8; 32]) -> String {
        d.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn keys() -> Keys {
        Keys::new(&AuthConfig {
            keys: vec![ApiKey {
                name: "partner".into(),
                sha256: sha256_hex("s3cret"),
                groups: vec!["membres".into()],
            }],
            keys_file: None,
        })
    }

    #[test]
    fn keys_are_looked_up_by_digest() {
        let k = keys();
        let header = Credentials::Header("s3cret".into());
        let query = Credentials::Query("s3cret".into());
        for c in [&header, &query] {
            assert_eq!(k.caller(c).groups().unwrap().iter().next().unwrap(), "membres");
        }
        assert_eq!(k.caller(&query).link_query().as_deref(), Some("apikey=s3cret"));
        assert_eq!(k.caller(&header).link_query(), None);
        assert_eq!(k.caller(&Credentials::Query("nope".into())), Caller::UnknownKey);
        assert_eq!(k.caller(&Credentials::None), Caller::Anonymous);
        assert_ne!(sha256_hex("s3cret"), "s3cret");
        assert_eq!(sha256_hex("s3cret").len(), 64);
        assert_eq!(parse_digest(&sha256_hex("s3cret")).map(hex), Some(sha256_hex("s3cret")));
        assert!(!constant_time_eq(&[0; 32], &[1; 32]) && constant_time_eq(&[7; 32], &[7; 32]));
    }

    #[test]
    fn restricted_layers_need_one_of_their_groups() {
        let g: BTreeSet<String> = ["membres".to_string()].into();
        assert!(may_see(&[], None));
        assert!(!may_see(&["membres".into()], None));
        assert!(may_see(&["membres".into(), "etat".into()], Some(&g)));
        assert!(!may_see(&["etat".into()], Some(&g)));
    }
}
