//! A handle on one job (hand-written): its calls without repeating its id, and streams that watch it.
//!
//! ```no_run
//! # async fn run() -> flink_rest::Result<()> {
//! use futures_util::StreamExt;
//! use flink_rest::types::SavepointTriggerRequestBody;
//!
//! let client = flink_rest::Client::from_env()?;
//! let job = client.job(&"a5d3f7c7e6b3d4f2a1b0c9d8e7f6a5b4".parse()?);
//! let body = SavepointTriggerRequestBody::default();
//! println!("savepoint at {}", job.savepoint(&body).await?);
//! let mut checkpoints = std::pin::pin!(job.watch_checkpoints());
//! while let Some(checkpoint) = checkpoints.next().await {
//!     let c = checkpoint?;
//!     println!("checkpoint {} {}", c.id, c.status);
//! }
//! # Ok(()) }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures_util::stream::{self, Stream};

use crate::ids::{JobId, VertexId};
use crate::runtime::{Client, Result};
use crate::types::{
    CheckpointStatistics, CheckpointStatus, CheckpointTriggerRequestBody, CheckpointingStatistics,
    JobDetailsInfo, JobExceptionsInfoWithHistory, JobStatus, JobVertexBackPressureInfo,
    JobVertexResourceRequirements, SavepointTriggerRequestBody, StopWithSavepointRequestBody,
};

/// How long [`JobHandle::back_pressure`] asks again while a version refuses back pressure for a new
/// job: Flink's default metric fetch interval (10 s) and some.
pub const METRICS_FETCHED_WITHIN: Duration = Duration::from_secs(15);

/// One job of a cluster: what [`Client`] does for a job, without its id each time, and streams that
/// watch its state and its checkpoints. Cheap to clone; owns a clone of the client, so it can move
/// into a task.
#[derive(Debug, Clone)]
pub struct JobHandle {
    client: Client,
    id: JobId,
}

impl Client {
    /// A handle on the job `id` (nothing is sent until it is used).
    pub fn job(&self, id: &JobId) -> JobHandle {
        JobHandle {
            client: self.clone(),
            id: id.clone(),
        }
    }
}

/// Whether a job in `state` is done for good (Flink's globally terminal states).
pub fn has_ended(state: &JobStatus) -> bool {
    matches!(
        state,
        JobStatus::Finished | JobStatus::Canceled | JobStatus::Failed
    )
}

impl JobHandle {
    pub fn id(&self) -> &JobId {
        &self.id
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Its details: state, times, vertices.
    pub async fn details(&self) -> Result<JobDetailsInfo> {
        self.client.get_job(&self.id).await
    }

    /// Its state now.
    pub async fn state(&self) -> Result<JobStatus> {
        Ok(self.details().await?.state)
    }

    /// Its exceptions: the root one and the history.
    pub async fn exceptions(&self) -> Result<JobExceptionsInfoWithHistory> {
        (self.client)
            .get_job_exceptions(&self.id, &Default::default())
            .await
    }

    /// Back pressure of one of its vertices. Some versions refuse it (500) until the JobManager has
    /// fetched a new job's task metrics (real 1.18.1 and later, for up to `metrics.fetcher.update-interval`, 10 s
    /// by default): a 500 is asked again, pausing as the client's [`crate::Poll`] says, for at most
    /// [`METRICS_FETCHED_WITHIN`] (or the poll timeout, if shorter), then returned.
    pub async fn back_pressure(&self, vertex: &VertexId) -> Result<JobVertexBackPressureInfo> {
        let poll = self.client.poll();
        let limit = METRICS_FETCHED_WITHIN.min(poll.timeout);
        let started = std::time::Instant::now();
        let mut pause = poll.interval;
        loop {
            let answer = (self.client)
                .get_job_vertex_backpressure(&self.id, vertex)
                .await;
            match answer {
                Err(e) if e.status() == Some(500) && started.elapsed() + pause < limit => {
                    tokio::time::sleep(pause).await;
                    pause = poll.next(pause);
                }
                answer => return answer,
            }
        }
    }

    /// Its checkpoint statistics: counts, summary, latest, history.
    pub async fn checkpoints(&self) -> Result<CheckpointingStatistics> {
        self.client.get_job_checkpoints(&self.id).await
    }

    /// [`Client::savepoint`]: takes a savepoint and waits for it; its location.
    pub async fn savepoint(&self, body: &SavepointTriggerRequestBody) -> Result<String> {
        self.client.savepoint(&self.id, body).await
    }

    /// [`Client::stop`]: stops the job with a savepoint, waits until it is stopped; the location.
    pub async fn stop(&self, body: &StopWithSavepointRequestBody) -> Result<String> {
        self.client.stop(&self.id, body).await
    }

    /// [`Client::checkpoint`]: triggers a checkpoint (Flink 1.17+) and waits for it; its id.
    pub async fn checkpoint(&self, body: &CheckpointTriggerRequestBody) -> Result<i64> {
        self.client.checkpoint(&self.id, body).await
    }

    /// [`Client::cancel`]: cancels the job and waits until it has ended.
    pub async fn cancel(&self) -> Result<()> {
        self.client.cancel(&self.id).await
    }

    /// [`Client::rescale`]: new resource requirements, waited for until the vertices run within them.
    pub async fn rescale(
        &self,
        requirements: &BTreeMap<String, JobVertexResourceRequirements>,
    ) -> Result<()> {
        self.client.rescale(&self.id, requirements).await
    }

    /// The job's state: now, then each time it changes, until it has ended (the stream ends after
    /// that state). Polled as the client's [`crate::Poll`] says: every `interval`, growing to
    /// `max_interval` while nothing changes, back to `interval` on a change (the `timeout` does not
    /// apply: a watch lasts as long as it is polled). An error ends the stream after it.
    pub fn watch_state(&self) -> impl Stream<Item = Result<JobStatus>> + Send + 'static {
        let watch = Watch::new(self.clone());
        stream::unfold(
            (watch, None::<JobStatus>, false),
            |(mut watch, last, done)| async move {
                if done {
                    return None;
                }
                loop {
                    match watch.handle.state().await {
                        Err(e) => return Some((Err(e), (watch, last, true))),
                        Ok(state) if last.as_ref() != Some(&state) => {
                            watch.changed();
                            let ended = has_ended(&state);
                            return Some((Ok(state.clone()), (watch, Some(state), ended)));
                        }
                        Ok(_) => watch.pause().await,
                    }
                }
            },
        )
    }

    /// Each checkpoint of the job once it has ended (completed or failed), oldest first, as its
    /// checkpoint history shows them; none it had ended before the watch began. The stream ends when
    /// the job has ended, after its last checkpoints. Polled as [`JobHandle::watch_state`] is;
    /// checkpoints that leave Flink's history (`web.checkpoints.history`, 10) between two polls are
    /// missed. An error ends the stream after it.
    pub fn watch_checkpoints(
        &self,
    ) -> impl Stream<Item = Result<CheckpointStatistics>> + Send + 'static {
        struct Seen {
            watch: Watch,
            /// Checkpoints already yielded (or ended before the watch), and those to yield next.
            seen: Option<BTreeSet<i64>>,
            ready: Vec<CheckpointStatistics>,
            ended: bool,
        }
        let start = Seen {
            watch: Watch::new(self.clone()),
            seen: None,
            ready: Vec::new(),
            ended: false,
        };
        stream::unfold(start, |mut s| async move {
            loop {
                if let Some(next) = s.ready.pop() {
                    return Some((Ok(next), s));
                }
                if s.ended {
                    return None;
                }
                // The state first: a checkpoint that ends before the job does is read after it.
                let state = match s.watch.handle.state().await {
                    Ok(state) => state,
                    Err(e) => return Some((Err(e), Seen { ended: true, ..s })),
                };
                let history = match s.watch.handle.checkpoints().await {
                    Ok(stats) => stats.history,
                    Err(e) => return Some((Err(e), Seen { ended: true, ..s })),
                };
                let ended: Vec<CheckpointStatistics> = (history.into_iter())
                    .filter(|c| c.status != CheckpointStatus::InProgress)
                    .collect();
                match &mut s.seen {
                    None => s.seen = Some(ended.iter().map(|c| c.id).collect()),
                    Some(seen) => {
                        let mut new: Vec<CheckpointStatistics> =
                            ended.into_iter().filter(|c| seen.insert(c.id)).collect();
                        // Popped from the end: newest first here, oldest out first.
                        new.sort_by_key(|c| std::cmp::Reverse(c.id));
                        s.ready = new;
                    }
                }
                s.ended = has_ended(&state);
                if s.ready.is_empty() && !s.ended {
                    s.watch.pause().await;
                } else {
                    s.watch.changed();
                }
            }
        })
    }
}

/// The pauses of a watch: the client's poll interval, growing while nothing changes.
struct Watch {
    handle: JobHandle,
    pause: Duration,
}

impl Watch {
    fn new(handle: JobHandle) -> Watch {
        let pause = handle.client.poll().interval;
        Watch { handle, pause }
    }

    fn changed(&mut self) {
        self.pause = self.handle.client.poll().interval;
    }

    async fn pause(&mut self) {
        tokio::time::sleep(self.pause).await;
        let poll = self.handle.client.poll();
        self.pause = (self.pause.mul_f64(1.5)).min(poll.max_interval);
    }
}
