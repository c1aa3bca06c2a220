//! Key-value-pair requests (`?SERVICE=WMS&REQUEST=GetMap&...`).
//!
//! Parameter names are case-insensitive (`LaYeRs`), values are
//! percent-decoded with `+` as a space, and the first occurrence of a
//! repeated name wins.

#[derive(Debug, Clone, Default)]
pub struct Kvp {
    /// (lower-case name, decoded value), in query order.
    pairs: Vec<(String, String)>,
}

impl Kvp {
    pub fn parse(query: &str) -> Kvp {
        let pairs = form_urlencoded::parse(query.as_bytes())
            .filter(|(k, _)| !k.is_empty())
            .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
            .collect();
        Kvp { pairs }
    }

    /// The value of `name` (given in lower case), even when empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        debug_assert_eq!(name, name.to_ascii_lowercase());
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The value of `name` when present and not blank.
    pub fn get_nonempty(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The REQUEST parameter as a metrics label: the canonical name of the
    /// protocol's operation it names (`known`: lower-case spelling, label),
    /// `other` for anything else and `none` when it is missing. A label
    /// value made from the request itself would let a client mint a new
    /// time series with every request.
    pub fn operation(&self, known: &[(&str, &'static str)]) -> &'static str {
        let Some(request) = self.get_nonempty("request") else {
            return "none";
        };
        known
            .iter()
            .find(|(spelling, _)| spelling.eq_ignore_ascii_case(request))
            .map_or("other", |(_, label)| label)
    }

    /// The parameters whose names are not in `known`, for protocols that
    /// forward them (OGC API property filters) or reject them.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.pairs.iter().map(|(k, _)| k.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_values_decoded() {
        let k = Kvp::parse("LaYeRs=a+b,c&BbOx=-.0005E1%2C1&%52EQUEST=GetMap&layers=ignored&EMPTY=");
        assert_eq!(k.get("layers"), Some("a b,c"));
        assert_eq!(k.get("bbox"), Some("-.0005E1,1"));
        assert_eq!(k.get("request"), Some("GetMap"));
        assert_eq!(k.get("empty"), Some(""));
        assert_eq!(k.get_nonempty("empty"), None);
        assert_eq!(k.get("missing"), None);
    }
}
