//! The basemaps a server offers: the operator's files (`trama serve --basemap`), offered to
//! every project, and each project's own, uploaded or fetched by an admin and kept in the
//! data directory as `basemaps/<project id>/<basemap id>.{mbtiles,pmtiles}` with a
//! `<basemap id>.json` beside it (label, when, who). Several instances over one PostgreSQL
//! share the data directory (a network mount) to see each other's uploads: a project's folder
//! is read again whenever its list is asked for.

use crate::domain::Refusal;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Basemap, BasemapError, Check};

/// What is kept beside an uploaded archive.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Upload {
    pub label: String,
    pub added_at: DateTime<Utc>,
    /// Who added it (a username), for the admin page.
    pub added_by: String,
}

pub struct Basemaps {
    operator: Vec<Arc<Basemap>>,
    data_dir: Option<PathBuf>,
    projects: RwLock<HashMap<Uuid, Vec<Arc<Basemap>>>>,
    /// One reading of the folders at a time (two at once would open a file twice), and when
    /// the last full reading was (an unknown id reads them again, at most every 10 s).
    reading: tokio::sync::Mutex<Option<std::time::Instant>>,
}

impl Basemaps {
    /// No basemap: maps show a plain background with the project's area.
    pub fn none() -> Self {
        Self {
            operator: Vec::new(),
            data_dir: None,
            projects: RwLock::default(),
            reading: tokio::sync::Mutex::default(),
        }
    }

    /// Opens the operator's files (`LABEL=PATH` or `PATH`), each checked quickly, and keeps
    /// uploads under `data_dir`.
    ///
    /// # Errors
    /// The first operator file that is not a usable archive.
    pub async fn open(files: &[String], data_dir: Option<PathBuf>) -> Result<Self, BasemapError> {
        let mut operator: Vec<Arc<Basemap>> = Vec::new();
        for given in files {
            let (label, path) = match given.split_once('=') {
                Some((label, path)) if !Path::new(given).exists() => {
                    (label.trim().to_owned(), PathBuf::from(path))
                }
                _ => (String::new(), PathBuf::from(given)),
            };
            // The file's stem, numbered where two files share one (streets.mbtiles and
            // streets.pmtiles): stable as long as the flags are.
            let stem = slug(
                path.file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("basemap"),
            );
            let id = (0..)
                .map(|n| {
                    if n == 0 {
                        stem.clone()
                    } else {
                        format!("{stem}-{n}")
                    }
                })
                .find(|id| operator.iter().all(|b| &b.id != id))
                .unwrap_or(stem);
            let mut basemap = Basemap::open(&path, id.clone(), label, Check::Quick).await?;
            if basemap.label.is_empty() {
                basemap.label = basemap.description.name.clone().unwrap_or(id);
            }
            operator.push(Arc::new(basemap));
        }
        let basemaps = Self {
            operator,
            data_dir,
            projects: RwLock::default(),
            reading: tokio::sync::Mutex::default(),
        };
        basemaps.forget_unfinished_uploads().await;
        basemaps.read_all().await;
        Ok(basemaps)
    }

    /// Uploads a stopped server never finished (downloads stay: they resume).
    async fn forget_unfinished_uploads(&self) {
        let Ok(incoming) = self.scratch_file("").await else {
            return;
        };
        let Ok(mut listing) = tokio::fs::read_dir(&incoming).await else {
            return;
        };
        while let Ok(Some(entry)) = listing.next_entry().await {
            if entry.path().extension().is_some_and(|e| e == "upload") {
                let _ = tokio::fs::remove_file(entry.path()).await;
            }
        }
    }

    /// Reads every project's folder (at start, and for an id not seen yet).
    async fn read_all(&self) {
        let Ok(root) = self.data_dir().map(|d| d.join("basemaps")) else {
            return;
        };
        let Ok(mut listing) = tokio::fs::read_dir(&root).await else {
            return;
        };
        while let Ok(Some(entry)) = listing.next_entry().await {
            if let Some(project) = entry.file_name().to_str().and_then(|n| n.parse().ok()) {
                self.refresh(project).await;
            }
        }
    }

    /// Whether uploads can be kept (a data directory is set).
    pub fn accepts_uploads(&self) -> bool {
        self.data_dir.is_some()
    }

    /// The basemaps a project's pages offer: the operator's, then the project's own, oldest
    /// first. Reads the project's folder for uploads another instance added.
    pub async fn for_project(&self, project: Uuid) -> Vec<Arc<Basemap>> {
        self.refresh(project).await;
        let own = self
            .projects
            .read()
            .map(|p| p.get(&project).cloned().unwrap_or_default())
            .unwrap_or_default();
        self.operator.iter().cloned().chain(own).collect()
    }

    /// The basemap with this id, the operator's or any project's. An id not seen yet (another
    /// instance's upload) has the folders read again, at most every 10 s.
    pub async fn find(&self, id: &str) -> Option<Arc<Basemap>> {
        if let Some(found) = self.seen(id) {
            return Some(found);
        }
        {
            let mut last = self.reading.lock().await;
            if last.is_some_and(|at| at.elapsed() < std::time::Duration::from_secs(10)) {
                return None;
            }
            *last = Some(std::time::Instant::now());
        }
        self.read_all().await;
        self.seen(id)
    }

    fn seen(&self, id: &str) -> Option<Arc<Basemap>> {
        self.operator
            .iter()
            .find(|b| b.id == id)
            .cloned()
            .or_else(|| {
                let projects = self.projects.read().ok()?;
                projects.values().flatten().find(|b| b.id == id).cloned()
            })
    }

    /// Whether `id` is one of the project's own (not the operator's).
    pub fn owned_by(&self, project: Uuid, id: &str) -> bool {
        self.projects.read().is_ok_and(|p| {
            p.get(&project)
                .is_some_and(|own| own.iter().any(|b| b.id == id))
        })
    }

    /// Checks the archive at `file` thoroughly and, if it is one, moves it into the project's
    /// folder under a new id.
    ///
    /// # Errors
    /// No data directory; the file is not a usable archive (it is removed; the error names it
    /// `shown_as`, the name its sender knows it by); it could not be moved.
    pub async fn add(
        &self,
        project: Uuid,
        file: &Path,
        shown_as: &str,
        upload: Upload,
    ) -> Result<Arc<Basemap>, BasemapError> {
        let folder = self.project_folder(project)?;
        let id = Uuid::now_v7().to_string();
        let checked = Basemap::open_named(
            file,
            shown_as,
            id.clone(),
            upload.label.clone(),
            Check::Thorough,
        )
        .await;
        let checked = match checked {
            Ok(basemap) => basemap,
            Err(e) => {
                let _ = tokio::fs::remove_file(file).await;
                return Err(e);
            }
        };
        checked.close().await;
        tokio::fs::create_dir_all(&folder)
            .await
            .map_err(|e| BasemapError::io(&folder, e))?;
        let target = folder.join(format!("{id}.{}", checked.extension()));
        let sidecar = folder.join(format!("{id}.json"));
        let json = serde_json::to_vec_pretty(&upload)
            .map_err(|e| BasemapError::Refused(Refusal::new("basemap.failed", e.to_string())))?;
        tokio::fs::write(&sidecar, json)
            .await
            .map_err(|e| BasemapError::io(&sidecar, e))?;
        move_file(file, &target).await?;
        let basemap = Arc::new(Basemap::open(&target, id, upload.label, Check::Quick).await?);
        let _reading = self.reading.lock().await;
        if let Ok(mut projects) = self.projects.write() {
            let own = projects.entry(project).or_default();
            if !own.iter().any(|b| b.id == basemap.id) {
                own.push(basemap.clone());
            }
        }
        Ok(basemap)
    }

    /// Removes one of the project's own basemaps and its file.
    ///
    /// # Errors
    /// Not the project's; the file could not be removed.
    pub async fn remove(&self, project: Uuid, id: &str) -> Result<(), BasemapError> {
        let removed = self.projects.write().ok().and_then(|mut projects| {
            let own = projects.get_mut(&project)?;
            let at = own.iter().position(|b| b.id == id)?;
            Some(own.remove(at))
        });
        let Some(basemap) = removed else {
            return Err(BasemapError::Refused(Refusal::new(
                "basemap.unknown",
                format!("the project has no basemap of its own with id {id}"),
            )));
        };
        // Requests holding the archive finish on the open file (its connections close when the
        // last of them lets it go): unlinking keeps it readable.
        for path in [basemap.path.clone(), basemap.path.with_extension("json")] {
            match tokio::fs::remove_file(&path).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(BasemapError::io(&path, e)),
            }
        }
        Ok(())
    }

    /// A scratch path in the data directory, for an upload or a download in progress (on the
    /// same file system as the project folders, so that keeping it is a rename).
    ///
    /// # Errors
    /// No data directory, or it cannot be created.
    pub async fn scratch_file(&self, name: &str) -> Result<PathBuf, BasemapError> {
        let dir = self.data_dir()?.join("basemaps").join("incoming");
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|e| BasemapError::io(&dir, e))?;
        Ok(dir.join(name))
    }

    fn data_dir(&self) -> Result<&Path, BasemapError> {
        self.data_dir.as_deref().ok_or_else(|| {
            BasemapError::Refused(Refusal::new(
                "basemap.no_data_dir",
                "this server keeps no files: start it with --data-dir to add basemaps",
            ))
        })
    }

    fn project_folder(&self, project: Uuid) -> Result<PathBuf, BasemapError> {
        Ok(self.data_dir()?.join("basemaps").join(project.to_string()))
    }

    /// Opens archives of the project's folder not seen yet, and forgets those gone. A file
    /// that no longer opens is logged and left out: one damaged file does not take the others.
    async fn refresh(&self, project: Uuid) {
        let Ok(folder) = self.project_folder(project) else {
            return;
        };
        let Ok(mut listing) = tokio::fs::read_dir(&folder).await else {
            return;
        };
        let _reading = self.reading.lock().await;
        let known: Vec<String> = self
            .projects
            .read()
            .map(|p| {
                p.get(&project)
                    .map(|own| own.iter().map(|b| b.id.clone()).collect())
            })
            .ok()
            .flatten()
            .unwrap_or_default();
        let mut present = Vec::new();
        let mut opened = Vec::new();
        while let Ok(Some(entry)) = listing.next_entry().await {
            let path = entry.path();
            let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
                continue;
            };
            if ext != "mbtiles" && ext != "pmtiles" {
                continue;
            }
            let Some(id) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else {
                continue;
            };
            present.push(id.clone());
            if known.contains(&id) {
                continue;
            }
            let upload: Option<Upload> = tokio::fs::read(path.with_extension("json"))
                .await
                .ok()
                .and_then(|json| serde_json::from_slice(&json).ok());
            let label = upload.map_or_else(|| id.clone(), |u| u.label);
            match Basemap::open(&path, id, label, Check::Quick).await {
                Ok(basemap) => opened.push(Arc::new(basemap)),
                Err(e) => tracing::error!(error = %e, "a project's basemap could not be opened"),
            }
        }
        if let Ok(mut projects) = self.projects.write() {
            let own = projects.entry(project).or_default();
            own.retain(|b| present.contains(&b.id));
            own.extend(opened);
            own.sort_by(|a, b| a.id.cmp(&b.id));
        }
    }
}

/// A file's stem as an id in URLs: lowercase letters, digits and dashes.
fn slug(stem: &str) -> String {
    let slug: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_matches('-').to_owned();
    if slug.is_empty() {
        "basemap".to_owned()
    } else {
        slug
    }
}

/// Renames, or copies and removes where the scratch file is on another file system.
async fn move_file(from: &Path, to: &Path) -> Result<(), BasemapError> {
    if tokio::fs::rename(from, to).await.is_ok() {
        return Ok(());
    }
    tokio::fs::copy(from, to)
        .await
        .map_err(|e| BasemapError::io(to, e))?;
    let _ = tokio::fs::remove_file(from).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_safe_in_urls() {
        assert_eq!(super::slug("Calles Lomas 2026"), "calles-lomas-2026");
        assert_eq!(super::slug("ñ"), "basemap");
    }
}
