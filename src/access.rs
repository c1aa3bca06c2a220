//! Who may see what: API keys presented in a header (`Authorization:
//! Bearer …`, `X-API-Key`) or as an `apikey=` query parameter (for clients
//! such as QGIS that can only add URL parameters), looked up by their
//! SHA-256 digest, and mapped to groups. A layer restricted to groups is
//! left out of the catalog view of every other caller, so it does not exist
//! for them in any service.

use std::collections::{BTreeSet, HashMap};

use actix_web::HttpRequest;
use actix_web::http::header;
use sha2::{Digest, Sha256};

use crate::config::AuthConfig;
use crate::ows::Kvp;

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

/// Where a request carried its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presented {
    None,
    Header(String),
    Query(String),
}

/// The key a request presents, headers first.
pub fn presented(req: &HttpRequest) -> Presented {
    let headers = req.headers();
    if let Some(v) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
        && let Some((scheme, token)) = v.trim().split_once(' ')
        && scheme.eq_ignore_ascii_case("bearer")
        && !token.trim().is_empty()
    {
        return Presented::Header(token.trim().to_string());
    }
    if let Some(v) = headers.get("x-api-key").and_then(|v| v.to_str().ok())
        && !v.trim().is_empty()
    {
        return Presented::Header(v.trim().to_string());
    }
    if req.query_string().to_ascii_lowercase().contains(KEY_PARAM)
        && let Some(k) = Kvp::parse(req.query_string()).get_nonempty(KEY_PARAM)
    {
        return Presented::Query(k.to_string());
    }
    Presented::None
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

    pub fn caller(&self, req: &HttpRequest) -> Caller {
        let (key, query_key) = match presented(req) {
            Presented::None => return Caller::Anonymous,
            Presented::Header(k) => (k, None),
            Presented::Query(k) => (k.clone(), Some(k)),
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
    use actix_web::test::TestRequest;

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
    fn keys_are_found_in_headers_and_query_by_digest() {
        let k = keys();
        let bearer = TestRequest::default()
            .insert_header(("Authorization", "Bearer s3cret"))
            .to_http_request();
        let header = TestRequest::default()
            .insert_header(("X-API-Key", "s3cret"))
            .to_http_request();
        let query = TestRequest::with_uri("/wms?SERVICE=WMS&ApiKey=s3cret").to_http_request();
        for req in [&bearer, &header, &query] {
            assert_eq!(k.caller(req).groups().unwrap().iter().next().unwrap(), "membres");
        }
        assert_eq!(k.caller(&query).link_query().as_deref(), Some("apikey=s3cret"));
        assert_eq!(k.caller(&bearer).link_query(), None);
        let wrong = TestRequest::with_uri("/wms?apikey=nope").to_http_request();
        assert_eq!(k.caller(&wrong), Caller::UnknownKey);
        assert_eq!(k.caller(&TestRequest::default().to_http_request()), Caller::Anonymous);
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
