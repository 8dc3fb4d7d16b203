"""A session of the PyPI package `flink-rest-client` (a REST client nobody here wrote) against a Flink
REST endpoint: every call it offers for the cluster, jars, jobs, vertices, TaskManagers and the
JobManager, on a job it starts from `JAR`. Prints `ok <call>` per call; the first failure ends it with
exit code 1 and what failed. Usage: python flink_rest_client_session.py HOST PORT JAR SAVEPOINT_DIR
"""
import sys
import time

from flink_rest_client import FlinkRestClient

host, port, jar, savepoints = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rest = FlinkRestClient.get(host=host, port=port)
done = []


def call(name, fn):
    try:
        value = fn()
    except Exception as e:  # what failed, then stop
        print(f"FAILED {name}: {type(e).__name__}: {e}")
        sys.exit(1)
    print(f"ok {name}")
    done.append(name)
    return value


call("overview", rest.overview)
call("config", rest.config)
call("jobmanager.config", rest.jobmanager.config)
call("jobmanager.logs", rest.jobmanager.logs)
call("jobmanager.metric_names", rest.jobmanager.metric_names)
call("jobmanager.metrics", rest.jobmanager.metrics)
tms = call("taskmanagers.taskmanager_ids", rest.taskmanagers.taskmanager_ids)
call("taskmanagers.all", rest.taskmanagers.all)
call("taskmanagers.metric_names", rest.taskmanagers.metric_names)
call("taskmanagers.metrics", rest.taskmanagers.metrics)
call("taskmanagers.get", lambda: rest.taskmanagers.get(tms[0]))
call("taskmanagers.get_logs", lambda: rest.taskmanagers.get_logs(tms[0]))
call("taskmanagers.get_metrics", lambda: rest.taskmanagers.get_metrics(tms[0]))
call("taskmanagers.get_thread_dump", lambda: rest.taskmanagers.get_thread_dump(tms[0]))

uploaded = call("jars.upload", lambda: rest.jars.upload(jar))
jar_id = uploaded["filename"].split("/")[-1]
call("jars.all", rest.jars.all)
call("jars.get_plan", lambda: rest.jars.get_plan(jar_id))
job = call("jars.run", lambda: rest.jars.run(jar_id, parallelism=1))
for _ in range(100):
    state = rest.jobs.get(job)["state"]
    if state == "RUNNING":
        break
    time.sleep(0.1)

call("jobs.all", rest.jobs.all)
call("jobs.job_ids", rest.jobs.job_ids)
call("jobs.overview", rest.jobs.overview)
call("jobs.metric_names", rest.jobs.metric_names)
call("jobs.metrics", rest.jobs.metrics)
call("jobs.get", lambda: rest.jobs.get(job))
call("jobs.get_config", lambda: rest.jobs.get_config(job))
call("jobs.get_exceptions", lambda: rest.jobs.get_exceptions(job))
call("jobs.get_metrics", lambda: rest.jobs.get_metrics(job))
call("jobs.get_plan", lambda: rest.jobs.get_plan(job))
vertices = call("jobs.get_vertex_ids", lambda: rest.jobs.get_vertex_ids(job))
call("jobs.get_accumulators", lambda: rest.jobs.get_accumulators(job))
call("jobs.get_checkpointing_configuration", lambda: rest.jobs.get_checkpointing_configuration(job))
call("jobs.get_checkpoints", lambda: rest.jobs.get_checkpoints(job))
vertex = rest.jobs.get_vertex(job, vertices[0])
call("vertex.details", vertex.details)
call("vertex.backpressure", vertex.backpressure)
call("vertex.metric_names", vertex.metric_names)
call("vertex.metrics", vertex.metrics)
call("vertex.subtasktimes", vertex.subtasktimes)
call("vertex.taskmanagers", vertex.taskmanagers)
call("vertex.watermarks", vertex.watermarks)
call("vertex.subtasks.accumulators", vertex.subtasks.accumulators)
call("vertex.subtasks.metric_names", vertex.subtasks.metric_names)
call("vertex.subtasks.metrics", vertex.subtasks.metrics)
call("vertex.subtasks.get", lambda: vertex.subtasks.get(0))
call("vertex.subtasks.get_attempt", lambda: vertex.subtasks.get_attempt(0))

savepoint = call("jobs.create_savepoint", lambda: rest.jobs.create_savepoint(job, savepoints))
for _ in range(100):
    status = savepoint.status
    if status["status"]["id"] == "COMPLETED":
        break
    time.sleep(0.1)
call("savepoint.status", lambda: savepoint.status)
call("jobs.stop", lambda: rest.jobs.stop(job, savepoints))
second = call("jars.run (a second job)", lambda: rest.jars.run(jar_id))
time.sleep(0.5)
call("jobs.terminate", lambda: rest.jobs.terminate(second))
call("jars.delete", lambda: rest.jars.delete(jar_id))
print(f"{len(done)} calls, all answered")
