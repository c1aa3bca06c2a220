//! Settings from the environment, for containers: `TUILE_<SECTION>__<KEY>`
//! overrides the key of `tuile.toml` at that path, `__` separating levels
//! (`TUILE_SERVER__CACHE__MEMORY_MB=1024`). Layers are addressed by name:
//! `TUILE_LAYERS__OCSOL__MAX_SCALE=50000`. Values are read as TOML when they
//! parse (numbers, booleans, arrays, inline tables), as strings otherwise.

/// The top-level sections a variable may address; other `TUILE_*`
/// variables (`TUILE_DATA`…) are left to `${VAR}` expansion.
const SECTIONS: [&str; 3] = ["server", "auth", "layers"];

/// One setting: the lowercased key path and the raw value.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    pub path: Vec<String>,
    pub value: String,
}

/// The settings among environment variables, sorted for repeatability.
pub fn settings(env: impl IntoIterator<Item = (String, String)>) -> Vec<Setting> {
    let mut out: Vec<Setting> = env
        .into_iter()
        .filter_map(|(name, value)| {
            let rest = name.strip_prefix("TUILE_")?;
            let path: Vec<String> = rest.split("__").map(str::to_ascii_lowercase).collect();
            (path.len() >= 2 && SECTIONS.contains(&path[0].as_str()) && path.iter().all(|p| !p.is_empty()))
                .then_some(Setting { path, value })
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn parse_value(raw: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()))
}

/// Applies settings to a parsed configuration.
pub fn apply(table: &mut toml::Table, settings: &[Setting]) -> Result<(), String> {
    for s in settings {
        let var = format!("TUILE_{}", s.path.join("__").to_ascii_uppercase());
        let (mut node, keys) = if s.path[0] == "layers" {
            let layers = table
                .get_mut("layers")
                .and_then(|v| v.as_array_mut())
                .ok_or_else(|| format!("{var}: the configuration has no layers"))?;
            let layer = layers
                .iter_mut()
                .filter_map(|l| l.as_table_mut())
                .find(|l| {
                    l.get("name")
                        .and_then(|n| n.as_str())
                        .is_some_and(|n| n.eq_ignore_ascii_case(&s.path[1]))
                })
                .ok_or_else(|| format!("{var}: no layer is named `{}`", s.path[1]))?;
            if s.path.len() < 3 {
                return Err(format!(
                    "{var}: name a key of the layer, such as TUILE_LAYERS__{}__MAX_SCALE",
                    s.path[1]
                ));
            }
            (layer, &s.path[2..])
        } else {
            (&mut *table, &s.path[..])
        };
        let (last, parents) = keys.split_last().expect("at least one key");
        for k in parents {
            node = node
                .entry(k.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                .as_table_mut()
                .ok_or_else(|| format!("{var}: `{k}` is not a table"))?;
        }
        node.insert(last.clone(), parse_value(&s.value));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn variables_override_keys_at_their_path() {
        let mut t: toml::Table =
            toml::from_str("[server]\nbind = \"127.0.0.1:8080\"\n[[layers]]\nname = \"ocsol\"\nmax_scale = 100000\n")
                .unwrap();
        let s = settings(env(&[
            ("TUILE_SERVER__BIND", "0.0.0.0:8080"),
            ("TUILE_SERVER__CACHE__MEMORY_MB", "1024"),
            ("TUILE_LAYERS__OCSOL__MAX_SCALE", "50000"),
            ("TUILE_SERVER__CORS__ALLOWED_ORIGINS", r#"["https://a.example"]"#),
            ("TUILE_DATA", "/srv/data"),
            ("HOME", "/root"),
        ]));
        assert_eq!(s.len(), 4, "TUILE_DATA and HOME are not settings");
        apply(&mut t, &s).unwrap();
        assert_eq!(t["server"]["bind"].as_str(), Some("0.0.0.0:8080"));
        assert_eq!(t["server"]["cache"]["memory_mb"].as_integer(), Some(1024));
        assert_eq!(t["layers"][0]["max_scale"].as_integer(), Some(50000));
        assert_eq!(
            t["server"]["cors"]["allowed_origins"][0].as_str(),
            Some("https://a.example")
        );
    }

    #[test]
    fn an_unknown_layer_is_named() {
        let mut t: toml::Table = toml::from_str("[[layers]]\nname = \"erp\"\n").unwrap();
        let e = apply(&mut t, &settings(env(&[("TUILE_LAYERS__NOPE__TITLE", "x")]))).unwrap_err();
        assert!(e.contains("TUILE_LAYERS__NOPE__TITLE") && e.contains("nope"), "{e}");
    }
}
