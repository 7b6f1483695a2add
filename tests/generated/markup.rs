//! Byte-level helpers shared by the page and dump generators: escaping, the charsets portals
//! serve, and the class names nothing may anchor on.

use unicode_normalization::UnicodeNormalization;

use super::design::Rng;

family!(Encoding {
    Utf8 = "utf-8",
    Win1258Nfd = "windows-1258 decomposed",
    AsciiEntities = "ascii + numeric entities",
});

pub fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Vietnamese as windows-1258 writes it: base letters precomposed (ê, ơ, ă…), tone marks as
/// combining characters after them. Full NFD would split ê into e + U+0302, which the code
/// page cannot encode.
pub fn vietnamese_decomposed(text: &str) -> String {
    const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        let parts: String = std::iter::once(c).nfd().collect();
        out.extend(parts.chars().filter(|p| !TONES.contains(p)).nfc());
        out.extend(parts.chars().filter(|p| TONES.contains(p)));
    }
    out
}

/// Every non-ASCII character as a numeric character reference, decimal or hexadecimal.
pub fn ascii_entities(text: &str, hex: bool) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else if hex {
            out.push_str(&format!("&#x{:X};", c as u32));
        } else {
            out.push_str(&format!("&#{};", c as u32));
        }
    }
    out
}

/// The bytes of `html` in `encoding`, the charset its `<meta>` names, and the header it is
/// served with. `html` names its charset through the `{charset}` placeholder.
pub fn encode(html: &str, encoding: Encoding, rng: &mut Rng) -> (Vec<u8>, Option<String>) {
    match encoding {
        Encoding::Utf8 => {
            let html = html.replace("{charset}", "utf-8");
            let header = rng.one_in(2).then(|| "text/html; charset=utf-8".to_string());
            (html.into_bytes(), header)
        }
        Encoding::Win1258Nfd => {
            let html = vietnamese_decomposed(&html.replace("{charset}", "windows-1258"));
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1258.encode(&html);
            assert!(!unmappable, "the generator wrote a character windows-1258 lacks");
            // The header names no charset: the page's own <meta> must be read.
            (bytes.into_owned(), rng.one_in(2).then(|| "text/html".to_string()))
        }
        Encoding::AsciiEntities => {
            let charset = *rng.pick(&["us-ascii", "iso-8859-1"]);
            let html = ascii_entities(&html.replace("{charset}", charset), rng.one_in(2));
            (html.into_bytes(), None)
        }
    }
}

/// A class or id with no meaning, or now and then one a portal would use for that role: an
/// extractor may take names as hints, never as the rule.
pub fn name(rng: &mut Rng, role: &[&str]) -> String {
    const HEADS: [&str; 12] = ["kv", "blk", "pn", "zx", "vt", "qm", "mc", "tdx", "ls", "hb", "ct", "wr"];
    const TAILS: [&str; 12] = ["a", "b", "c", "d", "e", "f", "g", "h", "k", "m", "n", "p"];
    if !role.is_empty() && rng.one_in(4) {
        return rng.pick(role).to_string();
    }
    format!("{}{}-{}{}", rng.pick(&HEADS), rng.pick(&TAILS), rng.pick(&HEADS), rng.range(1, 99))
}

pub fn guid(rng: &mut Rng) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}
