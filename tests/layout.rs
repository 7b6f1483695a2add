//! The one dependency rule of the layout (DESIGN.md): the leaves — fetch, extract, store,
//! publish — use only the shared vocabulary (`model`) and their config types (and `fault`, the
//! crash points, which depend on nothing). A leaf that reaches sideways fails here, naming the
//! file and the line.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn leaves_depend_only_on_model_and_config() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offences = Vec::new();
    for leaf in ["fetch", "extract", "store", "publish"] {
        let mut files = Vec::new();
        rust_files(&src.join(leaf), &mut files);
        assert!(!files.is_empty(), "src/{leaf}/ has Rust files");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                let mut rest = code;
                while let Some(at) = rest.find("crate::") {
                    let module: String =
                        rest[at + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    if !matches!(module.as_str(), "model" | "config" | "fault" | "") && module != leaf {
                        offences.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                    }
                    rest = &rest[at + 7..];
                }
            }
        }
    }
    assert!(offences.is_empty(), "leaves reaching sideways:\n{}", offences.join("\n"));
}
