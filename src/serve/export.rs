//! Static copies of every feed for nginx or a CDN: the same bytes the server sends, each file
//! written to a temporary file and renamed, so a reader never sees a partial file.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Feeds, ServeError};
use crate::model::Format;

/// Writes `DIR/feeds/{name}.{rss,atom}` for every feed; returns the files written.
pub async fn export(feeds: &Feeds, dir: &Path) -> Result<Vec<PathBuf>, ServeError> {
    let out = dir.join("feeds");
    std::fs::create_dir_all(&out).map_err(|source| ServeError::Write { path: out.clone(), source })?;
    let mut written = Vec::new();
    for def in feeds.defs().iter() {
        for format in Format::ALL {
            let Some(doc) = feeds.rendered(&def.name, format).await? else {
                continue;
            };
            let path = out.join(format!("{}.{}", def.name, format.extension()));
            write_atomically(&path, &doc.body)?;
            written.push(path);
        }
    }
    Ok(written)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ServeError> {
    let fail = |source| ServeError::Write { path: path.to_path_buf(), source };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    // Temporary files are created 0600; the web server serving these runs as another user.
    std::fs::set_permissions(tmp.path(), std::os::unix::fs::PermissionsExt::from_mode(0o644)).map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
