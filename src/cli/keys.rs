//! `tuile hash-key`: the digest of a key for `auth.keys`, or a new key.

pub fn hash_key(new: Option<String>, groups: Vec<String>) -> anyhow::Result<()> {
    let (name, key) = match new {
        Some(name) => (name, tuile_core::access::new_key()),
        None => {
            let mut key = String::new();
            std::io::stdin().read_line(&mut key)?;
            ("partner".to_string(), key.trim().to_string())
        }
    };
    anyhow::ensure!(!key.is_empty(), "give the key on standard input");
    let groups: Vec<String> = groups.iter().map(|g| format!("{g:?}")).collect();
    println!("# key for {name}: {key}");
    println!("[[auth.keys]]");
    println!("name = {name:?}");
    println!("sha256 = \"{}\"", tuile_core::access::sha256_hex(&key));
    println!("groups = [{}]", groups.join(", "));
    Ok(())
}
