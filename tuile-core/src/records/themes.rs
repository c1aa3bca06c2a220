//! The INSPIRE themes the partnership's data falls under, from the INSPIRE
//! registry (`http://inspire.ec.europa.eu/theme`), and the ISO 19115 topic
//! categories.

/// An INSPIRE spatial data theme.
#[derive(Debug, PartialEq, Eq)]
pub struct Theme {
    /// The registry's code (`oi`, `lc`…).
    pub code: &'static str,
    pub fr: &'static str,
    pub en: &'static str,
    /// The ISO topic category that goes with it.
    pub topic: &'static str,
}

impl Theme {
    pub fn uri(&self) -> String {
        format!("http://inspire.ec.europa.eu/theme/{}", self.code)
    }

    pub fn by_code(code: &str) -> Option<&'static Theme> {
        THEMES.iter().find(|t| t.code.eq_ignore_ascii_case(code))
    }
}

/// The thesaurus the theme keywords come from, as INSPIRE's technical
/// guidelines cite it.
pub const THESAURUS: &str = "GEMET - INSPIRE themes, version 1.0";
pub const THESAURUS_DATE: &str = "2008-06-01";

const THEMES: &[Theme] = &[
    Theme {
        code: "ad",
        fr: "Adresses",
        en: "Addresses",
        topic: "location",
    },
    Theme {
        code: "au",
        fr: "Unités administratives",
        en: "Administrative units",
        topic: "boundaries",
    },
    Theme {
        code: "bu",
        fr: "Bâtiments",
        en: "Buildings",
        topic: "structure",
    },
    Theme {
        code: "cp",
        fr: "Parcelles cadastrales",
        en: "Cadastral parcels",
        topic: "planningCadastre",
    },
    Theme {
        code: "el",
        fr: "Altitude",
        en: "Elevation",
        topic: "elevation",
    },
    Theme {
        code: "hy",
        fr: "Hydrographie",
        en: "Hydrography",
        topic: "inlandWaters",
    },
    Theme {
        code: "lc",
        fr: "Occupation des terres",
        en: "Land cover",
        topic: "imageryBaseMapsEarthCover",
    },
    Theme {
        code: "lu",
        fr: "Usage des sols",
        en: "Land use",
        topic: "planningCadastre",
    },
    Theme {
        code: "oi",
        fr: "Ortho-imagerie",
        en: "Orthoimagery",
        topic: "imageryBaseMapsEarthCover",
    },
    Theme {
        code: "ps",
        fr: "Sites protégés",
        en: "Protected sites",
        topic: "environment",
    },
    Theme {
        code: "tn",
        fr: "Réseaux de transport",
        en: "Transport networks",
        topic: "transportation",
    },
    Theme {
        code: "us",
        fr: "Services d'utilité publique et services publics",
        en: "Utility and governmental services",
        topic: "utilitiesCommunication",
    },
];

/// ISO 19115 `MD_TopicCategoryCode` values, for checking the configuration.
const TOPICS: &[&str] = &[
    "farming",
    "biota",
    "boundaries",
    "climatologyMeteorologyAtmosphere",
    "economy",
    "elevation",
    "environment",
    "geoscientificInformation",
    "health",
    "imageryBaseMapsEarthCover",
    "intelligenceMilitary",
    "inlandWaters",
    "location",
    "oceans",
    "planningCadastre",
    "society",
    "structure",
    "transportation",
    "utilitiesCommunication",
];

/// A topic category by its code, as the standard spells it.
pub fn topic_category(code: &str) -> Option<&'static str> {
    TOPICS.iter().copied().find(|t| t.eq_ignore_ascii_case(code))
}
