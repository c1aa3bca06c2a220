//! Service metadata (titles, abstracts, provider, contact, fees, access
//! constraints) read from `capabilities/service.toml`. Every protocol's
//! capabilities document is filled from it.

use std::path::Path;

use serde::Deserialize;

use crate::config::ConfigError;

/// A text in French and English. French is the default language of the
/// service; English is chosen with the `LANGUAGE=en|eng` request parameter.
#[derive(Debug, Clone, Deserialize, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub fr: String,
    pub en: String,
}

impl Localized {
    pub fn get(&self, lang: Language) -> &str {
        match lang {
            Language::Fr => &self.fr,
            Language::En if !self.en.is_empty() => &self.en,
            Language::En => &self.fr,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    #[default]
    Fr,
    En,
}

impl Language {
    /// Reads `fr`, `fre`, `fra`, `en`, `eng` (ISO 639-1 and 639-2, as INSPIRE
    /// clients send them). Anything else falls back to French.
    pub fn from_param(value: Option<&str>) -> Language {
        match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            Some("en" | "eng" | "en-gb" | "en-us") => Language::En,
            _ => Language::Fr,
        }
    }

    pub fn iso639_2(&self) -> &'static str {
        match self {
            Language::Fr => "fre",
            Language::En => "eng",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceMetadata {
    pub title: Localized,
    #[serde(rename = "abstract")]
    pub abstract_: Localized,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub fees: String,
    pub access_constraints: String,
    pub licence_url: Option<String>,
    pub provider: Provider,
    pub contact: Contact,
    #[serde(default)]
    pub catalogue: CatalogueConfig,
}

/// How the catalogue names what it describes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueConfig {
    /// The namespace of resource identifiers (INSPIRE's "namespace"),
    /// such as `https://data.example.org/`; default: the provider's site.
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    pub name: String,
    pub site: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub person: String,
    pub organization: String,
    pub position: String,
    pub address_type: String,
    pub address: String,
    pub city: String,
    pub state_or_province: String,
    pub post_code: String,
    pub country: String,
    pub voice: String,
    pub email: String,
}

impl ServiceMetadata {
    pub fn load(path: &Path) -> Result<ServiceMetadata, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::new(path, format!("cannot read service metadata: {e}")))?;
        toml::from_str(&text).map_err(|e| crate::config::toml_error(path, &text, &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_metadata_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../capabilities/service.toml");
        let m = ServiceMetadata::load(&path).unwrap();
        assert!(!m.title.fr.is_empty() && !m.title.en.is_empty());
        assert!(m.access_constraints.contains("Etalab"));
        assert_eq!(m.title.get(Language::En), m.title.en);
    }

    #[test]
    fn language_parameter_spellings() {
        assert_eq!(Language::from_param(Some("eng")), Language::En);
        assert_eq!(Language::from_param(Some("EN")), Language::En);
        assert_eq!(Language::from_param(Some("fre")), Language::Fr);
        assert_eq!(Language::from_param(None), Language::Fr);
        assert_eq!(Language::from_param(Some("de")), Language::Fr);
    }
}
