//! Where kept attachments live: `<data folder>/attachments/<id>.jpg` and `<id>.thumb.jpg`,
//! beside the basemaps, shared by instances over one database as that folder is. Written
//! whole to a temporary name and renamed, so that a reader never meets half a file.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

use uuid::Uuid;

use super::CleanPhoto;

/// Which of an attachment's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Full,
    Thumbnail,
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

    fn path(&self, id: Uuid, size: Size) -> PathBuf {
        let name = match size {
            Size::Full => format!("{id}.jpg"),
            Size::Thumbnail => format!("{id}.thumb.jpg"),
        };
        self.root.join(name)
    }

    /// Keeps a cleaned photo as attachment `id`.
    ///
    /// # Errors
    /// The file system's.
    pub fn save(&self, id: Uuid, photo: &CleanPhoto) -> io::Result<()> {
        std::fs::create_dir_all(&self.root)?;
        for (size, bytes) in [
            (Size::Full, &photo.jpeg),
            (Size::Thumbnail, &photo.thumbnail),
        ] {
            let path = self.path(id, size);
            let partial = path.with_extension("partial");
            std::fs::write(&partial, bytes)?;
            std::fs::rename(&partial, &path)?;
        }
        Ok(())
    }

    /// Attachment `id`'s file of `size`.
    ///
    /// # Errors
    /// The file system's (`NotFound` for none).
    pub fn read(&self, id: Uuid, size: Size) -> io::Result<Vec<u8>> {
        std::fs::read(self.path(id, size))
    }

    /// Removes attachment `id`'s files (none there is no error).
    ///
    /// # Errors
    /// The file system's, but for a file already gone.
    pub fn remove(&self, id: Uuid) -> io::Result<()> {
        for size in [Size::Full, Size::Thumbnail] {
            match std::fs::remove_file(self.path(id, size)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    /// Removes every file of an attachment not in `kept` (a purged drawing's, a withdrawn
    /// participant's: their rows went with the drawing) and last written more than `settled`
    /// ago: an upload writes its files before its row, so a fresh file without a row may be
    /// one on its way in. Returns how many attachments.
    ///
    /// # Errors
    /// The file system's.
    pub fn sweep(&self, kept: &HashSet<Uuid>, settled: std::time::Duration) -> io::Result<usize> {
        let entries = match std::fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        let mut gone = HashSet::new();
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            let Some(id) = id_of(&path) else { continue };
            let age = entry.metadata()?.modified()?.elapsed().unwrap_or_default();
            if !kept.contains(&id) && age >= settled {
                std::fs::remove_file(&path)?;
                gone.insert(id);
            }
        }
        Ok(gone.len())
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

    #[test]
    fn a_sweep_leaves_files_on_their_way_in_and_takes_the_settled_ones() {
        let dir = tempfile::TempDir::new().expect("dir");
        let folder = Folder::new(dir.path().join("attachments"));
        let photo = CleanPhoto {
            jpeg: vec![0xFF, 0xD8],
            width: 1,
            height: 1,
            thumbnail: vec![0xFF, 0xD8],
        };
        let (kept, gone) = (Uuid::now_v7(), Uuid::now_v7());
        folder.save(kept, &photo).expect("save");
        folder.save(gone, &photo).expect("save");
        let rows = HashSet::from([kept]);
        let hour = std::time::Duration::from_secs(3600);
        assert_eq!(
            folder.sweep(&rows, hour).expect("sweep"),
            0,
            "fresh: an upload's"
        );
        assert_eq!(
            folder
                .sweep(&rows, std::time::Duration::ZERO)
                .expect("sweep"),
            1
        );
        assert!(folder.read(kept, Size::Thumbnail).is_ok());
        assert!(folder.read(gone, Size::Full).is_err());
        folder.remove(kept).expect("remove");
        folder
            .remove(kept)
            .expect("removing what is gone is no error");
    }
}
