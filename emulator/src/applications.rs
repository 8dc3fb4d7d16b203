//! 2.3's applications: every run is one, named after its job; its status follows the job's.

use flink_rest::Pair;
use serde_json::{json, Value};

use crate::answer::Answer;
use crate::cluster::{ms, Cluster};
use crate::jobs::JobState;
use crate::request::Req;

#[derive(Debug, Clone)]
pub(crate) struct Application {
    pub id: String,
    pub name: String,
    pub job: String,
}

impl Cluster {
    pub(crate) fn application(&self, id: &str) -> Option<&Application> {
        self.applications.iter().find(|a| a.id == id)
    }

    pub(crate) fn add_application(&mut self, id: &str, name: &str, job: &str) {
        self.applications.push(Application {
            id: id.to_string(),
            name: name.to_string(),
            job: job.to_string(),
        });
    }

    /// An application's status, from its job's.
    fn application_status(&self, app: &Application) -> (&'static str, i64) {
        let Some(job) = self.job(&app.job) else {
            return ("FAILED", -1);
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
        let answer = self.run_jar(req);
        let Some(job) = (answer.body.as_ref())
            .and_then(|b| b["jobid"].as_str())
            .map(str::to_string)
        else {
            return answer;
        };
        let id = given.unwrap_or_else(|| self.fresh_id());
        let name = (self.rec.ok(Pair::GetApplication))
            .and_then(|e| {
                e.response.body.as_ref()?["name"]
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "application".into());
        self.add_application(&id, &name, &job);
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
        if let (Some(body), Some(job)) = (&mut answer.body, self.job(&app.job)) {
            body["id"] = json!(app.id);
            body["name"] = json!(app.name);
            body["status"] = json!(status);
            self.times(body, job, end);
            body["jobs"] = json!([self.overview_item(job)]);
        }
        answer
    }

    pub(crate) fn applications_overview(&self, req: &Req) -> Answer {
        let item = (self.rec.first_item(req.pair, "applications")).unwrap_or_else(|| json!({}));
        let apps: Vec<Value> = (self.applications.iter().rev())
            .filter_map(|app| {
                let job = self.job(&app.job)?;
                let (status, end) = self.application_status(app);
                let mut v = item.clone();
                v["id"] = json!(app.id);
                v["name"] = json!(app.name);
                v["status"] = json!(status);
                self.times(&mut v, job, end);
                v["jobs"] = json!({ self.state(job).0.as_str(): 1 });
                Some(v)
            })
            .collect();
        Answer::json(200, json!({ "applications": apps }))
    }

    pub(crate) fn cancel_application(&mut self, req: &Req) -> Answer {
        let Some(job) = (self.application(req.param("applicationid"))).map(|a| a.job.clone())
        else {
            return self.not_found(req);
        };
        let done_at = self.now() + ms(self.timing.cancel);
        self.end_job(&job, JobState::Canceled, done_at);
        let status = self.rec.ok(req.pair).map_or(202, |e| e.response.status);
        Answer::json(status, json!({}))
    }
}
