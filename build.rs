//! Compiles the bundled standards (`standards/`) into the binary, so that it runs from any directory.

use std::{env, fs, path::Path};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("standards");
    println!("cargo:rerun-if-changed=standards");
    let mut units: Vec<_> = fs::read_dir(root.join("units"))
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect()
        })
        .unwrap_or_default();
    units.sort();
    let mut code = String::from(
        "/// `(path relative to standards/, contents)` of every unit file.\npub const UNIT_FILES: &[(&str, &str)] = &[\n",
    );
    for p in &units {
        let name = p.file_name().unwrap().to_string_lossy();
        code.push_str(&format!(
            "    (\"units/{name}\", include_str!({:?})),\n",
            p.display().to_string()
        ));
    }
    code.push_str("];\n");
    code.push_str(&format!(
        "pub const SET_FILE: &str = include_str!({:?});\n",
        root.join("set.toml").display().to_string()
    ));
    // The search vocabulary is optional: without the file the search has no extra words.
    let terms = root.join("search_terms.toml");
    if terms.is_file() {
        code.push_str(&format!(
            "pub const SEARCH_TERMS_FILE: Option<&str> = Some(include_str!({:?}));\n",
            terms.display().to_string()
        ));
    } else {
        code.push_str("pub const SEARCH_TERMS_FILE: Option<&str> = None;\n");
    }
    fs::write(
        Path::new(&env::var("OUT_DIR").unwrap()).join("bundled.rs"),
        code,
    )
    .unwrap();
}
