//! Where kept attachments live: `<data folder>/attachments/<id>.jpg` and `<id>.thumb.jpg`
//! for a photo, `<id>.audio` for a voice note (its type is in its row), beside the basemaps,
//! shared by instances over one database as that folder is.
//!
//! An upload's files are written as `<name>.pending` (synced to disk, readable by their owner
//! only) and renamed to their names once the row is stored ([`Folder::commit`]): a reader
//! never meets half a file, and a file without a row is either pending (an upload on its way
//! in, or abandoned: [`Folder::sweep_pending`] takes it after a while) or named among the
//! removed by the store. A sweep never removes a committed file the store does not name, so
//! a server started over the wrong database removes nothing.

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use uuid::Uuid;

use super::{CleanAudio, CleanPhoto};

/// Which of an attachment's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Photo,
    Thumbnail,
    Sound,
}

const PARTS: [Part; 3] = [Part::Photo, Part::Thumbnail, Part::Sound];
const PENDING: &str = "pending";

/// What a sweep of pending files did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Uploads whose row was stored but whose files were not renamed (a crash between).
    pub committed: usize,
    /// Abandoned uploads removed.
    pub removed: usize,
}

/// The folder of kept attachments.
#[derive(Debug, Clone)]
pub struct Folder {
    root: PathBuf,
}

impl Folder {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path(&self, id: Uuid, part: Part) -> PathBuf {
        let name = match part {
            Part::Photo => format!("{id}.jpg"),
            Part::Thumbnail => format!("{id}.thumb.jpg"),
            Part::Sound => format!("{id}.audio"),
        };
        self.root.join(name)
    }

    fn pending(&self, id: Uuid, part: Part) -> PathBuf {
        let mut path = self.path(id, part).into_os_string();
        path.push(".");
        path.push(PENDING);
        path.into()
    }

    /// Writes a cleaned photo as attachment `id`'s pending files, synced to disk; they are
    /// served once [`commit`](Self::commit)ted.
    ///
    /// # Errors
    /// The file system's.
    pub fn save(&self, id: Uuid, photo: &CleanPhoto) -> io::Result<()> {
        self.write_pending(
            id,
            &[
                (Part::Photo, &photo.jpeg),
                (Part::Thumbnail, &photo.thumbnail),
            ],
        )
    }

    /// Writes a cleaned voice note as attachment `id`'s pending file (see [`save`](Self::save)).
    ///
    /// # Errors
    /// The file system's.
    pub fn save_audio(&self, id: Uuid, note: &CleanAudio) -> io::Result<()> {
        self.write_pending(id, &[(Part::Sound, &note.bytes)])
    }

    /// Writes attachment `id`'s pending files.
    fn write_pending(&self, id: Uuid, files: &[(Part, &[u8])]) -> io::Result<()> {
        create_private_dir(&self.root)?;
        for &(size, bytes) in files {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(self.pending(id, size))?;
            file.write_all(bytes)?;
            file.sync_all()?;
        }
        Ok(())
    }

    /// Copies attachment `id`'s files into `target` (`trama copy` into a server with another
    /// data folder); false when this folder has none or `target` has them already.
    ///
    /// # Errors
    /// The file system's.
    pub fn copy_to(&self, target: &Folder, id: Uuid) -> io::Result<bool> {
        if PARTS.iter().any(|part| target.path(id, *part).exists()) {
            return Ok(false);
        }
        let mut files = Vec::new();
        for part in PARTS {
            match self.read(id, part) {
                Ok(bytes) => files.push((part, bytes)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        if files.is_empty() {
            return Ok(false);
        }
        let files: Vec<(Part, &[u8])> = files.iter().map(|(p, b)| (*p, b.as_slice())).collect();
        target.write_pending(id, &files)?;
        target.commit(id)?;
        Ok(true)
    }

    /// Whether attachment `id` has a file here.
    pub fn holds(&self, id: Uuid) -> bool {
        PARTS.iter().any(|part| self.path(id, *part).exists())
    }

    /// Gives attachment `id`'s pending files their names, once its row is stored.
    ///
    /// # Errors
    /// The file system's; `NotFound` when it has none pending.
    pub fn commit(&self, id: Uuid) -> io::Result<()> {
        let mut named = 0;
        for part in PARTS {
            match std::fs::rename(self.pending(id, part), self.path(id, part)) {
                Ok(()) => named += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        if named == 0 {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "no pending file to name",
            ));
        }
        sync_dir(&self.root)
    }

    /// Removes attachment `id`'s pending files (its row was not stored).
    ///
    /// # Errors
    /// The file system's, but for a file already gone.
    pub fn discard(&self, id: Uuid) -> io::Result<()> {
        PARTS
            .into_iter()
            .try_for_each(|part| remove_if_there(&self.pending(id, part)).map(|_| ()))
    }

    /// Attachment `id`'s file `part`.
    ///
    /// # Errors
    /// The file system's (`NotFound` for none).
    pub fn read(&self, id: Uuid, part: Part) -> io::Result<Vec<u8>> {
        std::fs::read(self.path(id, part))
    }

    /// Removes attachment `id`'s files, pending or not (none there is no error); whether a
    /// named one was there. Pending ones first: an upload naming its files meanwhile leaves
    /// none behind.
    ///
    /// # Errors
    /// The file system's, but for a file already gone.
    pub fn remove(&self, id: Uuid) -> io::Result<bool> {
        self.discard(id)?;
        let mut found = false;
        for part in PARTS {
            found |= remove_if_there(&self.path(id, part))?;
        }
        Ok(found)
    }

    /// Settles the pending files last written more than `settled` ago: an upload whose row
    /// is in `stored` is committed (the server stopped between its row and its rename),
    /// any other was abandoned and is removed. Younger ones may be on their way in.
    ///
    /// # Errors
    /// The file system's.
    pub fn sweep_pending(
        &self,
        stored: &HashSet<Uuid>,
        settled: std::time::Duration,
    ) -> io::Result<Swept> {
        let entries = match std::fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Swept::default()),
            Err(e) => return Err(e),
        };
        let mut pending = HashSet::new();
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            if path.extension().is_none_or(|e| e != PENDING) {
                continue;
            }
            let Some(id) = id_of(&path) else { continue };
            let age = entry.metadata()?.modified()?.elapsed().unwrap_or_default();
            if age >= settled {
                pending.insert(id);
            }
        }
        let mut swept = Swept::default();
        for id in pending {
            if stored.contains(&id) && self.commit(id).is_ok() {
                swept.committed += 1;
            } else {
                self.discard(id)?;
                swept.removed += 1;
            }
        }
        Ok(swept)
    }
}

/// Creates `root` (and its parents), readable by its owner only when new.
fn create_private_dir(root: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(root)
}

/// Makes a rename in `dir` durable (a no-op where directories cannot be opened).
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Removes the file at `path`; whether it was there.
fn remove_if_there(path: &Path) -> io::Result<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// The attachment a file in the folder belongs to.
fn id_of(path: &Path) -> Option<Uuid> {
    let name = path.file_name()?.to_str()?;
    Uuid::parse_str(name.split('.').next()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo() -> CleanPhoto {
        CleanPhoto {
            jpeg: vec![0xFF, 0xD8],
            width: 1,
            height: 1,
            thumbnail: vec![0xFF, 0xD8],
        }
    }

    #[test]
    fn a_photo_is_served_once_committed_and_kept_from_other_users() {
        let dir = tempfile::TempDir::new().expect("dir");
        let folder = Folder::new(dir.path().join("attachments"));
        let id = Uuid::now_v7();
        folder.save(id, &photo()).expect("save");
        assert!(folder.read(id, Part::Photo).is_err(), "pending: not served");
        folder.commit(id).expect("commit");
        assert_eq!(
            folder.read(id, Part::Thumbnail).expect("read"),
            [0xFF, 0xD8]
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: PathBuf| std::fs::metadata(p).expect("meta").permissions().mode();
            assert_eq!(mode(folder.path(id, Part::Photo)) & 0o077, 0, "owner only");
            assert_eq!(
                mode(dir.path().join("attachments")) & 0o077,
                0,
                "owner only"
            );
        }
        assert!(folder.remove(id).expect("remove"), "it was there");
        assert!(folder.read(id, Part::Photo).is_err());
        assert!(
            !folder
                .remove(id)
                .expect("removing what is gone is no error")
        );
    }

    #[test]
    fn a_sweep_commits_stored_uploads_removes_abandoned_ones_and_leaves_fresh_ones() {
        let dir = tempfile::TempDir::new().expect("dir");
        let folder = Folder::new(dir.path().join("attachments"));
        let (stored, abandoned, committed) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        for id in [stored, abandoned, committed] {
            folder.save(id, &photo()).expect("save");
        }
        folder.commit(committed).expect("commit");
        let rows = HashSet::from([stored]);
        let hour = std::time::Duration::from_secs(3600);
        assert_eq!(
            folder.sweep_pending(&rows, hour).expect("sweep"),
            Swept::default(),
            "fresh: on their way in"
        );
        assert_eq!(
            folder
                .sweep_pending(&rows, std::time::Duration::ZERO)
                .expect("sweep"),
            Swept {
                committed: 1,
                removed: 1
            }
        );
        assert!(folder.read(stored, Part::Photo).is_ok());
        assert!(
            folder.read(committed, Part::Photo).is_ok(),
            "not the sweep's"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path().join("attachments"))
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(left.len(), 4, "two photos, two thumbnails: {left:?}");
    }
}
