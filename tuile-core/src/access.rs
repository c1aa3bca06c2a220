//! Who may see what: API keys presented in a header (`Authorization:
//! Bearer …`, `X-API-Key`) or as an `apikey=` query parameter (for clients
//! such as QGIS that can only add URL parameters), looked up by their
//! SHA-256 digest, and mapped to groups. A layer restricted to groups is
//! left out of the catalog view of every other caller, so it does not exist
//! for them in any service.

use std::collections::{BTreeSet, HashMap};

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

/// The keys of the configuration, by digest.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    by_digest: HashMap<String, (String, BTreeSet<String>)>,
}

impl Keys {
    pub fn new(auth: &AuthConfig) -> Keys {
        Keys {
            by_digest: auth
                .keys
                .iter()
                .map(|k| (k.sha256.clone(), (k.name.clone(), k.groups.iter().cloned().collect())))
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_digest.is_empty()
    }

    /// Who presents these credentials.
    pub fn caller(&self, credentials: &Credentials) -> Caller {
        let (key, query_key) = match credentials {
            Credentials::None => return Caller::Anonymous,
            Credentials::Header(k) => (k.clone(), None),
            Credentials::Query(k) => (k.clone(), Some(k.clone())),
        };
        match self.by_digest.get(&sha256_hex(&key)) {
            Some((name, groups)) => Caller::Member {
                name: name.clone(),
                groups: groups.clone(),
                query_key,
            },
            None => Caller::UnknownKey,
        }
    }
}

/// Whether a caller in `groups` may see a layer restricted to `layer_groups`.
pub fn may_see(layer_groups: &[String], groups: Option<&BTreeSet<String>>) -> bool {
    layer_groups.is_empty() || groups.is_some_and(|g| layer_groups.iter().any(|l| g.contains(l)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ApiKey;

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
