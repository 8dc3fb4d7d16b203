//! The crate's client against the emulator, in-process and without a JVM: a jar uploaded, run, its
//! job savepointed, stopped, cancelled; failures a test injects; answers to ids the emulator does not
//! have. Time is the emulator's own clock, moved rather than waited for.

use std::time::Duration;

use flink_rest::types::{
    JarRunRequestBody, MetricsAggregation, SavepointTriggerRequestBody,
    StopWithSavepointRequestBody,
};
use flink_rest::{Client, Error, JobId, Pair, Poll, UploadFile};
use flink_rest_emulator::{Clock, Emulator, Fault, OperationKind, Scheduler, Timing};

const VERSIONS: [&str; 2] = ["1.15.4", "2.3.0"];
/// Where the emulated savepoints go.
const SAVEPOINTS: &str = "/tmp/emulated-savepoints";

fn client(flink: &Emulator) -> Client {
    let poll = Poll {
        interval: Duration::from_millis(5),
        max_interval: Duration::from_millis(20),
        timeout: Duration::from_secs(5),
    };
    Client::builder(flink.url()).poll(poll).build().unwrap()
}

/// An emulated 1.20.3 whose time moves only when the test advances the clock.
async fn on_a_manual_clock(timing: Timing) -> (Clock, Emulator) {
    on_a_manual_clock_of("1.20.3", timing).await
}

async fn on_a_manual_clock_of(version: &str, timing: Timing) -> (Clock, Emulator) {
    let clock = Clock::manual(1_800_000_000_000);
    let flink = Emulator::builder(version)
        .clock(clock.clone())
        .timing(timing)
        .start()
        .await
        .unwrap();
    (clock, flink)
}

/// An emulated `version` where everything happens at once.
async fn at_once(version: &str) -> Emulator {
    Emulator::builder(version)
        .timing(Timing::instant())
        .start()
        .await
        .unwrap()
}

async fn started_job(client: &Client) -> JobId {
    let jar = UploadFile::from_bytes("scenario.jar", b"PK\x05\x06".repeat(6));
    let jar = client.upload_jar(jar).await.unwrap().jar_id();
    let listed = client.list_jars().await.unwrap();
    assert_eq!(listed.files[0].id, jar);
    let body = JarRunRequestBody {
        parallelism: Some(2),
        ..Default::default()
    };
    client.start_jar(&jar, &body).await.unwrap()
}

#[tokio::test]
async fn a_job_runs_is_savepointed_and_stopped() {
    for version in VERSIONS {
        let flink = Emulator::start(version).await.unwrap();
        let client = client(&flink);
        let job = started_job(&client).await;
        let details = client.get_job(&job).await.unwrap();
        assert_eq!(details.jid, job, "{version}");
        assert_eq!(details.state.as_str(), "RUNNING", "{version}");
        let overview = client.get_jobs_overview().await.unwrap();
        assert_eq!(overview.jobs.len(), 1);

        let dir = SAVEPOINTS;
        let body = SavepointTriggerRequestBody {
            target_directory: Some(dir.into()),
            ..Default::default()
        };
        let location = client.savepoint(&job, &body).await.unwrap();
        assert!(location.contains(dir), "{location}");
        let stop = StopWithSavepointRequestBody {
            target_directory: Some(dir.into()),
            ..Default::default()
        };
        client.stop(&job, &stop).await.unwrap();
        // (GET /jobs/:jobid/status is 1.18's: 1.15 answers it as an unknown path.)
        let details = client.get_job(&job).await.unwrap();
        assert_eq!(details.state.as_str(), "FINISHED", "{version}");
    }
}

#[tokio::test]
async fn a_cancel_takes_the_time_the_clock_says() {
    let timing = Timing {
        cancel: Duration::from_secs(30),
        ..Timing::instant()
    };
    let (clock, flink) = on_a_manual_clock(timing).await;
    let client = client(&flink);
    let job = started_job(&client).await;
    let cancel = tokio::spawn({
        let client = client.clone();
        let job = job.clone();
        async move { client.cancel(&job).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let status = client.get_job_status(&job).await.unwrap();
    assert_eq!(status.status.as_str(), "CANCELLING");
    clock.advance(Duration::from_secs(30));
    cancel.await.unwrap().unwrap();
    let status = client.get_job_status(&job).await.unwrap();
    assert_eq!(status.status.as_str(), "CANCELED");
}

#[tokio::test]
async fn cancelling_a_job_that_has_ended_is_done_not_an_error() {
    for version in VERSIONS {
        let flink = at_once(version).await;
        let client = client(&flink);
        let job = started_job(&client).await;
        let stop = StopWithSavepointRequestBody {
            target_directory: Some(SAVEPOINTS.into()),
            ..Default::default()
        };
        client.stop(&job, &stop).await.unwrap();
        // Flink refuses the cancel of a finished job (409, as recorded in the `ended jobs` step) …
        let query = flink_rest::client::TerminateJobQuery {
            mode: Some(flink_rest::types::TerminationMode::Cancel),
        };
        let refused = client.terminate_job(&job, &query).await.unwrap_err();
        assert_eq!(refused.status(), Some(409), "{version}: {refused}");
        // … and the client's cancel reads that as done, run once or twice.
        client.cancel(&job).await.unwrap();
        client.cancel(&job).await.unwrap();
        let unknown: JobId = "0123456789abcdef0123456789abcdef".parse().unwrap();
        assert!(client.cancel(&unknown).await.unwrap_err().is_not_found());
    }
}

#[tokio::test]
async fn a_savepoint_that_times_out_names_its_trigger_id_to_follow_it_on() {
    let timing = Timing {
        operation: Duration::from_secs(60),
        ..Timing::instant()
    };
    let (clock, flink) = on_a_manual_clock(timing).await;
    let client = client(&flink);
    let job = started_job(&client).await;
    let poll = Poll {
        timeout: Duration::from_millis(100),
        ..client.poll()
    };
    let body = SavepointTriggerRequestBody {
        target_directory: Some(SAVEPOINTS.into()),
        ..Default::default()
    };
    let err = client
        .with_poll(poll)
        .savepoint(&job, &body)
        .await
        .unwrap_err();
    let Error::Timeout {
        operation,
        limit,
        job: Some(followed),
        trigger: Some(trigger),
        ..
    } = &err
    else {
        panic!("expected a timeout naming the job and trigger: {err:?}");
    };
    assert_eq!(
        (*operation, *limit, followed),
        ("savepoint", poll.timeout, &job)
    );
    let message = err.to_string();
    assert!(message.contains("timeout of 100 ms"), "{message}");
    assert!(message.contains(trigger.as_str()), "{message}");
    // The savepoint went on in Flink; the trigger id follows it to its end.
    clock.advance(Duration::from_secs(60));
    let status = client.get_savepoint_status(&job, trigger).await.unwrap();
    assert_eq!(status.status.id.as_str(), "COMPLETED");
}

#[tokio::test]
async fn a_rescale_the_slots_cannot_meet_ends_saying_so() {
    use flink_rest::types::{JobVertexResourceRequirements, Parallelism};
    // 1.18.1 keeps no rescale history: the client compares the bounds with the slots.
    let flink = Emulator::builder("1.18.1")
        .timing(Timing::instant())
        .scheduler(Scheduler::Adaptive)
        .start()
        .await
        .unwrap();
    let client = client(&flink).with_poll(Poll {
        timeout: flink_rest::SLOTS_GRACE * 4,
        ..client(&flink).poll()
    });
    let job = started_job(&client).await;
    let details = client.get_job(&job).await.unwrap();
    let bounds = |n| {
        (details.vertices.iter())
            .map(|v| {
                let parallelism = Parallelism {
                    lower_bound: n,
                    upper_bound: n,
                };
                (
                    v.id.to_string(),
                    JobVertexResourceRequirements { parallelism },
                )
            })
            .collect()
    };
    let asked = std::time::Instant::now();
    let err = client.rescale(&job, &bounds(16)).await.unwrap_err();
    let Error::NotApplied { reason, .. } = &err else {
        panic!("{err:?}");
    };
    let slots = client.get_cluster_overview().await.unwrap().slots_total;
    let said = format!("the new lower bounds need 16 slots, the cluster has {slots} in all");
    assert!(reason.starts_with(&said), "{reason}");
    assert!(
        asked.elapsed() < flink_rest::SLOTS_GRACE * 2,
        "{:?}",
        asked.elapsed()
    );
    // The job runs on as it was; bounds the slots meet are applied.
    let still = client.get_job(&job).await.unwrap();
    assert!(
        still.vertices.iter().all(|v| v.parallelism == 2),
        "{still:?}"
    );
    client.rescale(&job, &bounds(1)).await.unwrap();
}

#[tokio::test]
async fn a_main_that_throws_is_flinks_refusal_or_a_failed_application_without_a_job() {
    for version in VERSIONS {
        let flink = at_once(version).await;
        let client = client(&flink);
        let jar = UploadFile::from_bytes("scenario.jar", b"PK\x05\x06".repeat(6));
        let jar = client.upload_jar(jar).await.unwrap().jar_id();
        let body = JarRunRequestBody {
            program_args_list: Some(vec!["--fail-in-main".into()]),
            ..Default::default()
        };
        let err = (client.start_jar(&jar, &body)).await.unwrap_err();
        assert_eq!(err.status(), Some(400), "{version}: {err}");
        assert!(
            format!("{err:#}").contains("main failing on purpose"),
            "{version}: {err:#}"
        );
        assert!(
            client.list_jobs().await.unwrap().jobs.is_empty(),
            "{version}"
        );
        if !Pair::RunJarApplication.documented().contains(version) {
            continue;
        }
        let body = flink_rest::types::JarRunApplicationRequestBody {
            program_args_list: body.program_args_list,
            ..Default::default()
        };
        let app = (client.run_jar_application(&jar, &Default::default(), &body))
            .await
            .unwrap();
        let details = client.get_application(&app.applicationid).await.unwrap();
        assert_eq!(details.status.as_str(), "FAILED", "{details:?}");
        assert!(details.jobs.is_empty(), "{details:?}");
        let exceptions = (client.get_application_exceptions(&app.applicationid))
            .await
            .unwrap();
        let entry = &exceptions.exception_history.entries[0];
        assert_eq!(entry.job_id, None, "{entry:?}");
        assert!(
            entry.stacktrace.contains("main failing on purpose"),
            "{entry:?}"
        );
    }
}

#[tokio::test]
async fn a_client_that_detected_1_18_does_not_send_it_skew() {
    let flink = at_once("1.18.1").await;
    let client = client(&flink).detect_version().await.unwrap();
    let job = started_job(&client).await;
    let vertex = client.get_job(&job).await.unwrap().vertices[0].id.clone();
    let mut query = flink_rest::client::GetJobVertexSubtasksMetricsQuery {
        agg: vec![MetricsAggregation::Max, MetricsAggregation::Skew],
        ..Default::default()
    };
    let err = (client.get_job_vertex_subtasks_metrics(&job, &vertex, &query))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ValueNotAvailable { .. }), "{err:?}");
    query.agg.pop();
    (client.get_job_vertex_subtasks_metrics(&job, &vertex, &query))
        .await
        .unwrap();
}

#[tokio::test]
async fn injected_failures_come_back_as_flink_would_send_them() {
    let flink = at_once("1.20.3").await;
    let client = client(&flink);
    let job = started_job(&client).await;
    flink.inject(Fault::FailOperation {
        kind: OperationKind::Savepoint,
    });
    let body = SavepointTriggerRequestBody {
        target_directory: Some("/tmp/x".into()),
        ..Default::default()
    };
    match client.savepoint(&job, &body).await {
        Err(Error::Failed { failure, .. }) => {
            assert!(failure.message.contains("failed"), "{failure:?}")
        }
        other => panic!("expected a failed savepoint, got {other:?}"),
    }
    flink.inject(Fault::Status {
        pair: Pair::GetJob,
        status: 503,
        times: 1,
    });
    match client.get_job(&job).await {
        Err(Error::Api { status: 503, .. }) => {}
        other => panic!("expected a 503, got {other:?}"),
    }
    assert!(
        client.get_job(&job).await.is_ok(),
        "the fault was for one call"
    );
}

#[tokio::test]
async fn unknown_ids_paths_and_verbs_get_flinks_answers() {
    let flink = Emulator::start("1.20.3").await.unwrap();
    let client = client(&flink);
    let nobody: JobId = "0123456789abcdef0123456789abcdef".parse().unwrap();
    match client.get_job(&nobody).await {
        Err(Error::Api {
            status: 404,
            errors,
            ..
        }) => {
            assert!(errors[0].contains(nobody.as_str()), "{errors:?}")
        }
        other => panic!("expected a 404, got {other:?}"),
    }
    let http = reqwest_free_get(flink.url(), "/no-such-endpoint").await;
    assert!(http.starts_with("HTTP/1.1 404"), "{http}");
    assert!(
        http.contains("Unable to load requested file /no-such-endpoint."),
        "{http}"
    );
}

/// A raw GET over TCP (the client only sends what the docs have).
async fn reqwest_free_get(url: &str, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).await.unwrap();
    out
}

#[tokio::test]
async fn a_slow_checkpoint_completes_when_the_clock_has_moved() {
    let (clock, flink) = on_a_manual_clock(Timing::instant()).await;
    let client = client(&flink);
    let job = started_job(&client).await;
    flink.inject(Fault::SlowOperation {
        kind: OperationKind::Checkpoint,
        by: Duration::from_secs(60),
    });
    let body = flink_rest::types::CheckpointTriggerRequestBody::default();
    let checkpoint = tokio::spawn({
        let (client, job) = (client.clone(), job.clone());
        async move { client.checkpoint(&job, &body).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!checkpoint.is_finished(), "done before its minute");
    clock.advance(Duration::from_secs(60));
    let id = checkpoint.await.unwrap().unwrap();
    assert!(id > 0, "{id}");
}

#[tokio::test]
async fn a_slow_answer_comes_late_and_delete_cluster_stops_the_server() {
    let flink = Emulator::start("1.20.3").await.unwrap();
    let client = client(&flink);
    flink.inject(Fault::SlowAnswer {
        pair: Pair::GetClusterOverview,
        by: Duration::from_millis(300),
        times: 1,
    });
    let started = std::time::Instant::now();
    client.get_cluster_overview().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = std::time::Instant::now();
    client.get_cluster_overview().await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(300), "only once");

    client.shutdown_cluster().await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), flink.stopped())
        .await
        .expect("stopped after DELETE /cluster");
    let gone = Client::new(flink.url())
        .unwrap()
        .get_cluster_overview()
        .await;
    assert!(matches!(gone, Err(Error::Transport { .. })), "{gone:?}");
}

#[tokio::test]
async fn back_pressure_is_refused_until_the_task_metrics_are_fetched_where_flink_refuses_it() {
    // As recorded right after the job's tasks ran (step `early back pressure`).
    for (version, refuses) in [("1.19.3", true), ("1.17.2", false)] {
        let timing = Timing {
            metrics: Duration::from_secs(10),
            ..Timing::instant()
        };
        let (clock, flink) = on_a_manual_clock_of(version, timing).await;
        let client = client(&flink);
        let job = started_job(&client).await;
        let vertex = client.get_job(&job).await.unwrap().vertices[0].id.clone();
        let early = client.get_job_vertex_backpressure(&job, &vertex).await;
        match early {
            Err(e) if refuses => {
                assert_eq!(e.status(), Some(500), "{version}: {e}");
                let said = format!("{e:#}");
                assert!(said.contains("NoSuchElementException"), "{version}: {said}");
            }
            Ok(sampled) if !refuses => assert_eq!(sampled.status.as_str(), "ok", "{version}"),
            other => panic!("{version}: {other:?}"),
        }
        clock.advance(Duration::from_secs(10));
        let sampled = client.get_job_vertex_backpressure(&job, &vertex).await;
        let sampled = sampled.unwrap_or_else(|e| panic!("{version}: {e}"));
        assert_eq!(sampled.status.as_str(), "ok", "{version}");
    }
}

#[tokio::test]
async fn a_job_handle_waits_out_the_early_back_pressure_refusal() {
    let timing = Timing {
        metrics: Duration::from_millis(300),
        ..Timing::instant()
    };
    let flink = Emulator::builder("1.19.3")
        .timing(timing)
        .start()
        .await
        .unwrap();
    let client = client(&flink);
    let job = client.job(&started_job(&client).await);
    let vertex = job.details().await.unwrap().vertices[0].id.clone();
    let started = std::time::Instant::now();
    let refused = client.get_job_vertex_backpressure(job.id(), &vertex).await;
    assert_eq!(refused.map(|_| ()).unwrap_err().status(), Some(500));
    let sampled = job.back_pressure(&vertex).await.unwrap();
    assert_eq!(sampled.status.as_str(), "ok");
    assert!(started.elapsed() >= Duration::from_millis(250));
}

#[tokio::test]
async fn it_serves_on_threads_of_its_own_on_one_port() {
    let flink = Emulator::builder("2.3.0").threads(2).start().await.unwrap();
    // Fresh connections each (the kernel spreads them over both listeners); every one answered.
    for _ in 0..8 {
        let client = Client::new(flink.url()).unwrap();
        assert_eq!(client.list_jobs().await.unwrap().jobs.len(), 0);
    }
    flink.stop();
    tokio::time::timeout(Duration::from_secs(5), flink.stopped())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let gone = Client::new(flink.url()).unwrap().list_jobs().await;
    assert!(matches!(gone, Err(Error::Transport { .. })), "{gone:?}");
}

#[tokio::test]
async fn a_running_job_completes_a_checkpoint_every_interval() {
    let (clock, flink) = on_a_manual_clock(Timing::instant()).await;
    let client = client(&flink);
    let job = started_job(&client).await;
    let before = client.get_job_checkpoints(&job).await.unwrap();
    let interval = client
        .get_job_checkpoint_config(&job)
        .await
        .unwrap()
        .interval;
    clock.advance(Duration::from_millis(5 * interval as u64));
    let after = client.get_job_checkpoints(&job).await.unwrap();
    assert_eq!(after.counts.completed, before.counts.completed + 5);
    let latest = after.latest.completed.as_ref().unwrap();
    let previous = before.latest.completed.as_ref().map_or(0, |c| c.id);
    assert_eq!(latest.id, previous + 5);
    assert_eq!(after.history[0].id, latest.id);
    let details = client.get_job_checkpoint(&job, latest.id).await.unwrap();
    assert_eq!(details.id, latest.id);
}
