//! 2.3's applications: every run is one, named after its job; its status follows the job's. One whose
//! `main` throws before it submits a job has none, and is FAILED from the start.

use flink_rest::Pair;
use serde_json::{json, Value};

use crate::answer::Answer;
use crate::cluster::{ms, Cluster};
use crate::jars::program_args;
use crate::jobs::{Job, JobState};
use crate::program::Program;
use crate::request::Req;

#[derive(Debug, Clone)]
pub(crate) struct Application {
    pub id: String,
    pub name: String,
    /// Its job; none when its `main` failed first.
    pub job: Option<String>,
    /// When it was run.
    pub submitted: u64,
}

impl Cluster {
    pub(crate) fn application(&self, id: &str) -> Option<&Application> {
        self.applications.iter().find(|a| a.id == id)
    }

    pub(crate) fn add_application(&mut self, id: &str, name: &str, job: Option<&str>) {
        let submitted = self.now();
        self.applications.push(Application {
            id: id.to_string(),
            name: name.to_string(),
            job: job.map(str::to_string),
            submitted,
        });
    }

    /// An application's status, from its job's (FAILED when it has none), and when it ended.
    fn application_status(&self, app: &Application) -> (&'static str, i64) {
        let Some(job) = app.job.as_deref().and_then(|j| self.job(j)) else {
            return ("FAILED", app.submitted as i64);
        };
        let (state, end) = self.state(job);
        let status = match state {
            JobState::Cancelling => "CANCELING",
            JobState::Canceled => "CANCELED",
            JobState::Failed => "FAILED",
            JobState::Finished => "FINISHED",
            _ => "RUNNING",
        };
        (status, end)
    }

    pub(crate) fn run_application(&mut self, req: &Req) -> Answer {
        let given = match &req.incoming.json {
            Some(Ok(body)) => body["applicationId"].as_str().map(str::to_string),
            _ => None,
        };
        let fails_in_main = match &req.incoming.json {
            Some(Ok(body)) => Program::parse(&program_args(body)) == Program::FailsInMain,
            _ => false,
        };
        let job = if fails_in_main && self.jar(req.param("jarid")).is_some() {
            None
        } else {
            let answer = self.run_jar(req);
            match (answer.body.as_ref()).and_then(|b| b["jobid"].as_str()) {
                Some(job) => Some(job.to_string()),
                None => return answer,
            }
        };
        let id = given.unwrap_or_else(|| self.fresh_id());
        let name = (self.rec.ok(Pair::GetApplication))
            .and_then(|e| {
                e.response.body.as_ref()?["name"]
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "application".into());
        self.add_application(&id, &name, job.as_deref());
        let status = self.rec.ok(req.pair).map_or(202, |e| e.response.status);
        Answer::json(status, json!({ "applicationid": id }))
    }

    pub(crate) fn application_details(&self, req: &Req) -> Answer {
        let Some(app) = self.application(req.param("applicationid")) else {
            return self.not_found(req);
        };
        let (status, end) = self.application_status(app);
        let template = (self.rec.ok_where(req.pair, |b| b["status"] == status))
            .or_else(|| self.rec.ok(req.pair));
        let Some(template) = template else {
            return Answer::error(404, "no recorded application");
        };
        let mut answer = Answer::recorded(template).remapped(&self.rewrites(template, req));
        if let Some(body) = &mut answer.body {
            body["id"] = json!(app.id);
            body["name"] = json!(app.name);
            body["status"] = json!(status);
            let listed = |job: &Job| json!([self.overview_item(job)]);
            self.times_and_jobs(body, app, end, listed, json!([]));
        }
        answer
    }

    /// An application's times and jobs in a recorded answer: its job's times and `jobs(job)`; or, for
    /// one that failed in `main`, at once, with `none`.
    fn times_and_jobs(
        &self,
        v: &mut Value,
        app: &Application,
        end: i64,
        jobs: impl Fn(&Job) -> Value,
        none: Value,
    ) {
        if let Some(job) = app.job.as_deref().and_then(|j| self.job(j)) {
            self.times(v, job, end);
            v["jobs"] = jobs(job);
            return;
        }
        let at = app.submitted as i64;
        v["start-time"] = json!(at);
        v["end-time"] = json!(at);
        v["duration"] = json!(0);
        if let Some(stamps) = v["timestamps"].as_object_mut() {
            for (status, t) in stamps.iter_mut() {
                let entered =
                    ["CREATED", "RUNNING", "FAILING", "FAILED"].contains(&status.as_str());
                *t = json!(if entered { at } else { 0 });
            }
        }
        v["jobs"] = none;
    }

    /// The exceptions of an application (recorded answers): none while it has not failed; its job's
    /// failure, or, with no job, the failure of its `main`, tied to no job.
    pub(crate) fn application_exceptions(&self, req: &Req) -> Answer {
        let Some(app) = self.application(req.param("applicationid")) else {
            return self.not_found(req);
        };
        // None while it has not failed; else whether its first entry is tied to a job.
        let first_tied =
            |b: &Value| (b["exceptionHistory"]["entries"].get(0)).map(|e| e.get("jobId").is_some());
        let want = match self.application_status(app).0 {
            "FAILED" => Some(app.job.is_some()),
            _ => None,
        };
        let template = (self.rec.ok_where(req.pair, |b| first_tied(b) == want))
            .or_else(|| self.rec.ok(req.pair));
        let Some(template) = template else {
            return Answer::error(404, "no recorded application exceptions");
        };
        let mut answer = Answer::recorded(template).remapped(&self.rewrites(template, req));
        if let (Some(body), Some(job)) = (&mut answer.body, &app.job) {
            for entry in (body["exceptionHistory"]["entries"]
                .as_array_mut()
                .into_iter())
            .flatten()
            {
                entry["jobId"] = json!(job);
            }
        }
        answer
    }

    pub(crate) fn applications_overview(&self, req: &Req) -> Answer {
        let item = (self.rec.first_item(req.pair, "applications")).unwrap_or_else(|| json!({}));
        let apps: Vec<Value> = (self.applications.iter().rev())
            .map(|app| {
                let (status, end) = self.application_status(app);
                let mut v = item.clone();
                v["id"] = json!(app.id);
                v["name"] = json!(app.name);
                v["status"] = json!(status);
                let counted = |job: &Job| json!({ self.state(job).0.as_str(): 1 });
                self.times_and_jobs(&mut v, app, end, counted, json!({}));
                v
            })
            .collect();
        Answer::json(200, json!({ "applications": apps }))
    }

    pub(crate) fn cancel_application(&mut self, req: &Req) -> Answer {
        let Some(app) = self.application(req.param("applicationid")) else {
            return self.not_found(req);
        };
        if let Some(job) = app.job.clone() {
            let done_at = self.now() + ms(self.timing.cancel);
            self.end_job(&job, JobState::Canceled, done_at);
        }
        let status = self.rec.ok(req.pair).map_or(202, |e| e.response.status);
        Answer::json(status, json!({}))
    }
}
