//! Background jobs: work that outlives the request that started it (downloading a project's
//! area; later, rendering a printed map or a retention sweep). Each job has a kind and a key
//! (a project, say): one runs per key at a time; at most `MAX_RUNNING` run at once; its
//! progress and outcome are asked for, it is stopped when asked and at shutdown. A job's work
//! keeps what it has done where it writes (the basemap download resumes its file), so a job
//! started again after a restart goes on from there.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use uuid::Uuid;

use super::Error;
use crate::domain::Refusal;

/// Jobs running at once, of every kind: each takes a blocking thread and a service's patience.
pub const MAX_RUNNING: usize = 4;

/// One job: what it is, how far it is, how it ended, and whether it was asked to stop.
pub struct Job {
    pub label: String,
    /// What the job said it would take when it started (tiles and bytes, say).
    pub estimate: Value,
    progress: Mutex<Value>,
    outcome: Mutex<Option<Result<Value, Refusal>>>,
    stop: AtomicBool,
}

impl Job {
    /// Says how far the job is.
    pub fn report(&self, progress: Value) {
        if let Ok(mut slot) = self.progress.lock() {
            *slot = progress;
        }
    }

    /// Whether the job should go on (false once asked to stop).
    pub fn goes_on(&self) -> bool {
        !self.stop.load(Ordering::Relaxed)
    }

    pub fn is_running(&self) -> bool {
        self.outcome.lock().is_ok_and(|o| o.is_none())
    }

    /// The job as its reader sees it: `label`, `estimate`, `progress`, `running`, and its
    /// outcome's `result` or `error` (in English), with `error_code` and `error_params`, the
    /// message a page says the error with (`domain::Refusal`).
    pub fn status(&self) -> Value {
        let progress = self.progress.lock().map(|p| p.clone()).unwrap_or_default();
        let outcome = self.outcome.lock().ok().and_then(|o| o.clone());
        let failed = outcome.as_ref().and_then(|o| o.as_ref().err());
        json!({
            "label": self.label,
            "estimate": self.estimate,
            "progress": progress,
            "running": outcome.is_none(),
            "result": outcome.as_ref().and_then(|o| o.as_ref().ok()),
            "error": failed.map(|r| &r.detail),
            "error_code": failed.map(|r| r.code),
            "error_params": failed.map(|r| &r.params),
        })
    }
}

/// The jobs of this process, running or finished (the last of each key is kept).
#[derive(Default)]
pub struct Jobs {
    jobs: Mutex<HashMap<(&'static str, Uuid), Arc<Job>>>,
}

impl Jobs {
    /// Starts `work` as the job `kind` of `key`, on the runtime, its progress `progress` until
    /// it reports; its outcome is kept.
    ///
    /// # Errors
    /// `Conflict` while a job of the same kind and key runs, or `MAX_RUNNING` jobs run.
    pub fn start<F, Fut>(
        &self,
        (kind, key): (&'static str, Uuid),
        label: String,
        (estimate, progress): (Value, Value),
        work: F,
    ) -> Result<Arc<Job>, Error>
    where
        F: FnOnce(Arc<Job>) -> Fut,
        Fut: Future<Output = Result<Value, Refusal>> + Send + 'static,
    {
        let job = Arc::new(Job {
            label,
            estimate,
            progress: Mutex::new(progress),
            outcome: Mutex::default(),
            stop: AtomicBool::new(false),
        });
        {
            let mut jobs = self
                .jobs
                .lock()
                .map_err(|_| Error::Failed("the jobs' lock is poisoned".into()))?;
            if jobs.get(&(kind, key)).is_some_and(|j| j.is_running()) {
                return Err(Error::Conflict(format!(
                    "a {kind} for this project is running: wait for it or stop it"
                )));
            }
            if jobs.values().filter(|j| j.is_running()).count() >= MAX_RUNNING {
                return Err(Error::Conflict(format!(
                    "{MAX_RUNNING} jobs are running on this server: wait for one to end"
                )));
            }
            jobs.insert((kind, key), job.clone());
        }
        let running = work(job.clone());
        let kept = job.clone();
        tokio::spawn(async move {
            let outcome = running.await;
            if let Ok(mut slot) = kept.outcome.lock() {
                *slot = Some(outcome);
            }
        });
        Ok(job)
    }

    /// The job `kind` of `key`, running or finished.
    ///
    /// # Errors
    /// `NotFound` when there has been none since the server started.
    pub fn get(&self, kind: &'static str, key: Uuid) -> Result<Arc<Job>, Error> {
        self.jobs
            .lock()
            .map_err(|_| Error::Failed("the jobs' lock is poisoned".into()))?
            .get(&(kind, key))
            .cloned()
            .ok_or_else(|| Error::not_found(&format!("{kind} for this project")))
    }

    /// Asks the job `kind` of `key` to stop.
    ///
    /// # Errors
    /// As [`Jobs::get`].
    pub fn stop(&self, kind: &'static str, key: Uuid) -> Result<(), Error> {
        self.get(kind, key)?.stop.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Asks every running job to stop (at shutdown).
    pub fn stop_all(&self) {
        if let Ok(jobs) = self.jobs.lock() {
            for job in jobs.values() {
                job.stop.store(true, Ordering::Relaxed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_job_runs_once_per_key_reports_and_stops() {
        let jobs = Jobs::default();
        let key = Uuid::new_v4();
        let job = jobs
            .start(
                ("download", key),
                "Lomas".into(),
                (json!({"tiles": 3}), json!({"done": 0})),
                |job| async move {
                    job.report(json!({"done": 1}));
                    while job.goes_on() {
                        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    }
                    Err::<Value, _>(Refusal::new("basemap.stopped", "stopped"))
                },
            )
            .expect("started");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(job.is_running());
        assert_eq!(job.status()["progress"]["done"], 1);
        // One per key at a time.
        let again = jobs.start(
            ("download", key),
            "x".into(),
            (Value::Null, Value::Null),
            |_| async { Ok(Value::Null) },
        );
        assert!(matches!(again, Err(Error::Conflict(_))));
        jobs.stop("download", key).expect("stop");
        for _ in 0..100 {
            if !job.is_running() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert_eq!(
            jobs.get("download", key).expect("kept").status()["error"],
            "stopped"
        );
        assert!(matches!(
            jobs.get("download", Uuid::new_v4()),
            Err(Error::NotFound(_))
        ));
    }

    #[tokio::test]
    async fn no_more_than_max_running_run_at_once() {
        let jobs = Jobs::default();
        let forever = |job: Arc<Job>| async move {
            while job.goes_on() {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            Ok(Value::Null)
        };
        for _ in 0..MAX_RUNNING {
            jobs.start(
                ("download", Uuid::new_v4()),
                "x".into(),
                (Value::Null, Value::Null),
                forever,
            )
            .expect("started");
        }
        let over = jobs.start(
            ("download", Uuid::new_v4()),
            "x".into(),
            (Value::Null, Value::Null),
            forever,
        );
        assert!(matches!(over, Err(Error::Conflict(_))));
        jobs.stop_all();
    }
}
