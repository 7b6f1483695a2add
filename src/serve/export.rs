//! Static copies of every feed for nginx or a CDN: the same bytes the server sends (before
//! compression), each written to a temporary file and renamed, so a reader never sees a partial
//! file. Layout: `DIR/feeds/PATH.{rss,atom,json}` (and `.gz` twins for nginx's `gzip_static`),
//! `DIR/index.html` (the index page, in Vietnamese), `DIR/opml.xml`, `DIR/feed.xsl`.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Doc, Feeds, ServeError};
use crate::model::Format;

/// Writes every feed's first page, the index, the OPML and the stylesheet; returns the files
/// written.
pub async fn export(feeds: &Feeds, dir: &Path) -> Result<Vec<PathBuf>, ServeError> {
    remove_leftovers(dir);
    let mut written = Vec::new();
    for feed in feeds.catalog().iter() {
        for format in Format::ALL {
            let Some(doc) = feeds.rendered(&feed.path, format, 1).await? else { continue };
            let path = dir.join("feeds").join(format!("{}.{}", feed.path, format.extension()));
            write_atomically(&path, &doc.body)?;
            // nginx's `gzip_static on` sends this instead of compressing on every request.
            let gz = dir.join("feeds").join(format!("{}.{}.gz", feed.path, format.extension()));
            write_atomically(&gz, &doc.gzip)?;
            written.push(path);
            written.push(gz);
        }
    }
    let index = Doc::Index { lang: super::html::Lang::Vi };
    for (name, doc) in [("index.html", index), ("opml.xml", Doc::Opml), ("feed.xsl", Doc::Stylesheet)] {
        let Some(doc) = feeds.page(doc).await? else { continue };
        let path = dir.join(name);
        write_atomically(&path, &doc.body)?;
        written.push(path);
    }
    Ok(written)
}

/// Temporary files are named so; a process killed mid-write leaves one behind.
const TMP_PREFIX: &str = ".bantin-tmp-";

/// Deletes temporary files a killed export left under `dir`.
fn remove_leftovers(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            remove_leftovers(&path);
        } else if entry.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ServeError> {
    let fail = |source| ServeError::Write { path: path.to_path_buf(), source };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut tmp = tempfile::Builder::new().prefix(TMP_PREFIX).tempfile_in(dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    // Temporary files are created 0600; the web server serving these runs as another user.
    std::fs::set_permissions(tmp.path(), std::os::unix::fs::PermissionsExt::from_mode(0o644)).map_err(fail)?;
    crate::fault::crash_point("export: temporary file written, not renamed");
    tmp.persist(path).map_err(|e| fail(e.error))?;
    crate::fault::crash_point("export: file renamed");
    Ok(())
}
