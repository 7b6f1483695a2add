//! Bytes → text the way browsers pick the encoding: HTTP header, then BOM, then `<meta>`, then
//! UTF-8. Old Vietnamese sites still declare windows-1258, whose decoder yields *decomposed*
//! diacritics, so every result is normalized to NFC.

use encoding_rs::{Encoding, UTF_8};
use unicode_normalization::UnicodeNormalization;

/// Decodes `body`; `content_type` is the HTTP header value, if any.
pub fn decode(body: &[u8], content_type: Option<&str>) -> String {
    let (encoding, skip) = match Encoding::for_bom(body) {
        // A BOM is unambiguous; it beats a header that is often a server default.
        Some((enc, bom_len)) => (enc, bom_len),
        None => {
            let declared =
                content_type.and_then(charset_param).or_else(|| meta_charset(body)).or_else(|| xml_encoding(body));
            let utf8 = Utf8Damage::of(body);
            let encoding = match declared {
                // UTF-8 with non-ASCII text is almost never a legacy single-byte page: the
                // declaration is a leftover (a CMS migrated, a server default).
                Some(enc) if enc != UTF_8 && utf8.mostly_valid() && !body.is_ascii() => UTF_8,
                Some(enc) if enc != UTF_8 => enc,
                // Declared UTF-8, or nothing, and mostly UTF-8: a few damaged bytes are
                // replaced, not the whole page turned to mojibake by a legacy guess.
                _ if utf8.mostly_valid() => UTF_8,
                // Not UTF-8 at all: guess as browsers do.
                _ => sniff(body),
            };
            if encoding == UTF_8 && utf8.invalid > 0 {
                tracing::warn!(invalid_sequences = utf8.invalid, "UTF-8 page with invalid bytes: those replaced");
            }
            (encoding, 0)
        }
    };
    let (text, _, _) = encoding.decode(&body[skip..]);
    match unicode_normalization::is_nfc_quick(text.chars()) {
        unicode_normalization::IsNormalized::Yes => text.into_owned(),
        _ => text.nfc().collect(),
    }
}

/// How much of a body is UTF-8: multi-byte sequences that are valid, and ones that are not.
struct Utf8Damage {
    valid_multibyte: usize,
    invalid: usize,
}

impl Utf8Damage {
    fn of(body: &[u8]) -> Utf8Damage {
        let mut damage = Utf8Damage { valid_multibyte: 0, invalid: 0 };
        for chunk in body.utf8_chunks() {
            damage.valid_multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
            damage.invalid += usize::from(!chunk.invalid().is_empty());
        }
        damage
    }

    /// Valid, or damaged in a few places: legacy text (windows-1258 and the like) almost never
    /// forms valid multi-byte sequences, so ten valid ones for each invalid one means UTF-8.
    fn mostly_valid(&self) -> bool {
        self.invalid == 0 || self.valid_multibyte >= 10 * self.invalid
    }
}

fn sniff(body: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(body, true);
    // The portals are Vietnamese: the .vn hint favours windows-1258 among close guesses.
    // UTF-8 is out: these bytes were just found not to be UTF-8.
    detector.guess(Some(b"vn"), chardetng::Utf8Detection::Deny)
}

fn charset_param(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        Encoding::for_label(value.trim().trim_matches(['"', '\'']).as_bytes())
    })
}

/// The `charset` of a `<meta charset>` or `<meta http-equiv content="…; charset=…">` in the
/// first 2 KiB, as the HTML spec's prescan looks.
fn meta_charset(body: &[u8]) -> Option<&'static Encoding> {
    let head = &body[..body.len().min(2048)];
    let lower: Vec<u8> = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"charset=") {
        let start = from + pos + b"charset=".len();
        let value: Vec<u8> = lower[start..]
            .iter()
            .copied()
            .skip_while(|b| *b == b'"' || *b == b'\'' || *b == b' ')
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
            .collect();
        // A UTF-16 label in a document that was just read as ASCII is a lie; the HTML spec
        // reads it as UTF-8, which is what `output_encoding` maps it to.
        if let Some(enc) = Encoding::for_label(&value) {
            return Some(enc.output_encoding());
        }
        from = start;
    }
    None
}

/// The `encoding` of an XML declaration (`<?xml version="1.0" encoding="windows-1258"?>`).
fn xml_encoding(body: &[u8]) -> Option<&'static Encoding> {
    let head = &body[..body.len().min(200)];
    let end = find(head, b"?>")?;
    let decl = &head[..end];
    if !decl.starts_with(b"<?xml") {
        return None;
    }
    let at = find(decl, b"encoding=")? + b"encoding=".len();
    let value: Vec<u8> = decl[at..].iter().copied().skip(1).take_while(|b| *b != b'"' && *b != b'\'').collect();
    Encoding::for_label(&value).map(|e| e.output_encoding())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_wins_over_meta() {
        let body = b"<meta charset=\"windows-1258\"><p>caf\xc3\xa9</p>";
        assert!(decode(body, Some("text/html; charset=UTF-8")).contains("café"));
    }

    #[test]
    fn meta_http_equiv_is_read() {
        // "Việt" in windows-1258: V i 0xEA + combining dot below (0xF2) t
        let body = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1258\"><p>Vi\xea\xf2t</p>";
        let text = decode(body, Some("text/html"));
        assert!(text.contains("Việt"), "{text}");
        assert!(text.contains('\u{1EC7}'), "normalized to the precomposed letter");
    }

    #[test]
    fn bom_beats_a_wrong_header() {
        let body = b"\xef\xbb\xbf<p>Vi\xe1\xbb\x87t</p>";
        assert_eq!(decode(body, Some("text/html; charset=iso-8859-1")), "<p>Việt</p>");
    }

    #[test]
    fn a_wrong_declaration_loses_to_valid_utf8() {
        let body = "<meta charset=\"windows-1258\"><p>Việt Nam</p>".as_bytes();
        assert!(decode(body, Some("text/html; charset=windows-1258")).contains("Việt Nam"));
    }

    #[test]
    fn invalid_utf8_is_sniffed() {
        // windows-1258 bytes served as UTF-8: "Thông tin điện tử" with combining marks.
        let body = b"<p>Th\xf4ng tin \xf0i\xea\xecn t\xf22 \xf0i\xea\xecn t\xfd\xd2</p>";
        let text = decode(body, Some("text/html; charset=utf-8"));
        assert!(!text.contains('\u{FFFD}'), "{text}");
        assert!(text.contains("Thông tin"), "{text}");
    }

    #[test]
    fn decomposed_utf8_is_normalized() {
        let decomposed = "Vie\u{0323}\u{0302}t"; // e + dot below + circumflex
        assert_eq!(decode(decomposed.as_bytes(), None), "Việt");
    }

    #[test]
    fn a_few_bad_bytes_in_a_long_utf8_page_are_replaced_not_turned_to_mojibake() {
        let sentence = "Tối 11/4, tại thị trấn Chợ Rã, huyện Ba Bể, UBND tỉnh Bắc Kạn tổ chức khai mạc. ";
        let mut body = b"<html><head><meta charset=\"utf-8\"></head><body><p>".to_vec();
        for i in 0..40 {
            body.extend_from_slice(sentence.as_bytes());
            if i % 10 == 0 {
                body.push(0xFF); // four damaged bytes in all
            }
        }
        body.extend_from_slice(b"</p></body></html>");
        for header in [Some("text/html; charset=utf-8"), None, Some("text/html; charset=windows-1258")] {
            let text = decode(&body, header);
            assert!(text.contains("Tối 11/4, tại thị trấn Chợ Rã"), "{header:?}: {}", &text[..200]);
            assert_eq!(text.matches('\u{FFFD}').count(), 4, "{header:?}: only the bad bytes replaced");
        }
    }

    #[test]
    fn legacy_bytes_declared_utf8_are_still_sniffed() {
        let bytes = include_bytes!("../../tests/fixtures/corpus/windows-1258.html");
        let text = decode(bytes, Some("text/html; charset=utf-8"));
        assert!(text.contains("Bắc Kạn"), "{}", &text[..300]);
        assert!(!text.contains('\u{FFFD}'));
    }
}
