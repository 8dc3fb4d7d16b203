//! Jars: uploaded (streamed to disk by the server, under any part name), listed, planned, run and
//! deleted.

use serde_json::{json, Value};

use crate::answer::Answer;
use crate::cluster::Cluster;
use crate::jobs::Behaviour;
use crate::program::Program;
use crate::recorded::Exchange;
use crate::replay::recorded_json;
use crate::request::Req;
use flink_rest::Pair;

#[derive(Debug, Clone)]
pub(crate) struct Jar {
    pub id: String,
    pub name: String,
    pub uploaded: u64,
    /// Where its bytes were written (removed with the jar).
    pub stored: Option<std::path::PathBuf>,
}

impl Cluster {
    pub(crate) fn jar(&self, id: &str) -> Option<&Jar> {
        self.jars.iter().find(|j| j.id == id)
    }

    /// Flink takes the one file of an upload under any part name (`jarfile` is the docs').
    pub(crate) fn upload_jar(&mut self, req: &Req) -> Answer {
        let files: Vec<_> = (req.incoming.parts.iter())
            .filter(|p| p.stored.is_some())
            .collect();
        let [part] = files.as_slice() else {
            let n = files.len();
            return Answer::error(400, format!("Exactly 1 file must be sent, received {n}."));
        };
        let name = (part.file_name.clone()).unwrap_or_else(|| "upload.jar".into());
        if !name.ends_with(".jar") {
            return Answer::error(400, "Only Jar files are allowed.");
        }
        let uuid = self.fresh_uuid();
        let jar = Jar {
            id: format!("{uuid}_{name}"),
            name,
            uploaded: self.now(),
            stored: part.stored.as_ref().map(|(path, _)| path.clone()),
        };
        let dir = (self.rec.ok(Pair::UploadJar))
            .and_then(|e| e.response.body.as_ref()?["filename"].as_str())
            .and_then(|f| f.rsplit_once('/').map(|(dir, _)| dir.to_string()))
            .unwrap_or_else(|| "/tmp/flink-web-upload".into());
        let body = json!({ "filename": format!("{dir}/{}", jar.id), "status": "success" });
        self.jars.push(jar);
        Answer::json(200, body)
    }

    pub(crate) fn list_jars(&self) -> Answer {
        let template = (self.rec)
            .ok_where(Pair::ListJars, |b| {
                b["files"].as_array().is_some_and(|f| !f.is_empty())
            })
            .or_else(|| self.rec.ok(Pair::ListJars));
        let mut body = (template.and_then(|e| e.response.body.clone()))
            .unwrap_or_else(|| json!({ "address": "", "files": [] }));
        let entry = (body["files"].as_array())
            .and_then(|f| {
                f.iter()
                    .find(|f| f["entry"].as_array().is_some_and(|e| !e.is_empty()))
            })
            .map(|f| f["entry"].clone())
            .unwrap_or_else(|| json!([]));
        let files: Vec<Value> = (self.jars.iter().rev())
            .map(|j| json!({ "id": j.id, "name": j.name, "uploaded": j.uploaded, "entry": entry }))
            .collect();
        body["files"] = Value::Array(files);
        Answer::json(200, body)
    }

    pub(crate) fn delete_jar(&mut self, req: &Req) -> Answer {
        let id = req.param("jarid");
        match self.jars.iter().position(|j| j.id == id) {
            Some(i) => {
                if let Some(path) = self.jars.remove(i).stored {
                    let _ = std::fs::remove_file(path);
                }
                Answer::json(200, json!({}))
            }
            None => Answer::error(
                400,
                format!("File {id} does not exist in the jar upload directory."),
            ),
        }
    }

    /// The plan of the scenario job (the jar is not read): the recorded plan of the same question,
    /// or any recorded successful plan; its jar id the one asked about.
    pub(crate) fn jar_plan(&self, req: &Req) -> Answer {
        let answer = self.replay(req);
        if answer.status < 300 {
            return answer;
        }
        let plan = (self.rec.ok(Pair::GetJarPlan)).or_else(|| self.rec.ok(Pair::PostJarPlan));
        match plan {
            Some(e) => Answer::recorded(e).remapped(&self.rewrites(e, req)),
            None => answer,
        }
    }

    pub(crate) fn run_jar(&mut self, req: &Req) -> Answer {
        let jar_id = req.param("jarid");
        if self.jar(jar_id).is_none() {
            return Answer::error(400, format!("Jar file {jar_id} does not exist"));
        }
        let body = match req.json_body() {
            Ok(body) => body,
            Err(refused) => return refused,
        };
        if Program::parse(&program_args(&body)) == Program::FailsInMain {
            return self.main_failed(req);
        }
        let recorded = self.recorded_run(req.pair, &body).unwrap_or_default();
        let behaviour = Behaviour::of(&program_args(&body));
        let id = match body["jobId"].as_str() {
            Some(id) if self.job(id).is_none() => id.to_string(),
            Some(id) => return Answer::error(409, format!("Job has already been submitted: {id}")),
            None => self.fresh_id(),
        };
        self.add_job(&id, recorded, behaviour, body["parallelism"].as_i64());
        // The recorded answer's shape (2.3 adds the job's application), made this job's.
        let mut answer = (self.rec.ok(req.pair).map(Answer::recorded))
            .unwrap_or_else(|| Answer::json(200, json!({})));
        if let Some(body) = &mut answer.body {
            body["jobid"] = json!(id);
            if body.get("applicationId").is_some() {
                body["applicationId"] = json!(id);
            }
        }
        answer
    }

    /// Flink's refusal of a run whose `main` throws (recorded), no job started.
    fn main_failed(&self, req: &Req) -> Answer {
        let refused = (self.rec.answers(req.pair).iter()).find(|e| {
            e.response.status >= 400
                && Program::parse(&program_args(&recorded_json(e))) == Program::FailsInMain
        });
        match refused {
            Some(e) => Answer::recorded(e).remapped(&self.rewrites(e, req)),
            None => Answer::error(400, "Could not execute application."),
        }
    }

    /// The recorded job started with the same program arguments (and restore or not), else the first.
    fn recorded_run(&self, pair: Pair, body: &Value) -> Option<String> {
        let runs: Vec<&Exchange> = (self.rec.answers(pair).iter())
            .filter(|e| e.is_scenario() && e.ok())
            .collect();
        // Program arguments alike (none given is an empty list), and a restore or not.
        let same = |e: &&&Exchange| {
            let sent = recorded_json(e);
            program_args(&sent) == program_args(body)
                && sent["savepointPath"].is_null() == body["savepointPath"].is_null()
        };
        let run = runs.iter().find(same).or(runs.first())?;
        run.response.body.as_ref()?["jobid"]
            .as_str()
            .map(str::to_string)
    }
}

/// A run request's program arguments (none given: none).
pub(crate) fn program_args(body: &Value) -> Vec<String> {
    (body["programArgsList"].as_array().into_iter().flatten())
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect()
}
