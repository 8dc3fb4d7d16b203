// The job the contract scenario observes. One source that compiles unchanged against Flink 1.15 to 2.3:
// it only uses APIs all of them have (fromSequence, keyBy, map, filter, print, enableCheckpointing,
// RuntimeContext#addAccumulator), and reaches version-specific ones by reflection.
//
// Arguments:
//   --count N            emit N records, then finish (default: unbounded)
//   --fail-after N       throw after N records in the keyed map, with restarts off: a failed job
//   --restarts N         every source subtask throws after 1000 records, restarted N times (2 s apart)
//                        before the job fails: a restarting job and an exception history of several
//   --slow-checkpoints MS  snapshots take MS, checkpoints time out after 1 s and failures are tolerated:
//                        the checkpoint history then holds in-progress and failed checkpoints
//   --fail-in-main       main throws before it builds the job (no value): a jar run or application
//                        that fails in the client's code, with no job
//   --write-jobgraph F   write the serialized JobGraph (or, where Flink has no JobGraph getter on the
//                        StreamGraph, the StreamGraph as an ExecutionPlan) to F instead of running
//
// Vertices: "Sequence source" -> (keyBy) -> "Keyed counter" -> "Discard" (a filter that drops every
// record, chained to a print sink that so never prints). A user accumulator "records" counts records.

import java.io.FileOutputStream;
import java.io.ObjectOutputStream;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

public class FlinkRestScenario {

    public static void main(String[] args) throws Exception {
        long count = Long.MAX_VALUE;
        long failAfter = -1;
        long slowCheckpoints = 0;
        long restarts = -1;
        String jobGraphFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--count": count = Long.parseLong(value(args, ++i)); break;
                case "--fail-after": failAfter = Long.parseLong(value(args, ++i)); break;
                case "--slow-checkpoints": slowCheckpoints = Long.parseLong(value(args, ++i)); break;
                case "--restarts": restarts = Long.parseLong(value(args, ++i)); break;
                case "--write-jobgraph": jobGraphFile = value(args, ++i); break;
                case "--fail-in-main":
                    throw new IllegalStateException("flink-rest scenario: main failing on purpose, before it builds the job");
                default: throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }

        Map<String, String> settings = new HashMap<>();
        if (failAfter >= 0) {
            settings.put("restart-strategy", "none");
            settings.put("restart-strategy.type", "none");
        }
        if (restarts >= 0) {
            settings.put("restart-strategy", "fixed-delay");
            settings.put("restart-strategy.type", "fixed-delay");
            settings.put("restart-strategy.fixed-delay.attempts", Long.toString(restarts));
            settings.put("restart-strategy.fixed-delay.delay", "2 s");
        }
        if (slowCheckpoints > 0) {
            settings.put("execution.checkpointing.timeout", "1 s");
            settings.put("execution.checkpointing.tolerable-failed-checkpoints", "1000000");
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(Configuration.fromMap(settings));
        env.enableCheckpointing(2000);

        final long limit = failAfter;
        final long snapshotMillis = slowCheckpoints;
        DataStream<Long> numbers = env.fromSequence(0, count - 1)
                .name("Sequence source")
                .map(new Throttle(restarts >= 0 ? 1000 : -1))
                .name("Throttle");
        numbers.keyBy(v -> v % 4)
                .map(new KeyedCounter(limit, snapshotMillis))
                .name("Keyed counter")
                .filter(v -> false)
                .name("Discard")
                .print();

        if (jobGraphFile != null) {
            writePlan(env, jobGraphFile);
            return;
        }
        env.execute("flink-rest scenario");
    }

    /**
     * Keeps the source at about 2,000 records a second, so a 2-core machine stays quiet; with
     * {@code failAfter >= 0} every subtask throws after that many records (of its own attempt), so the
     * subtasks fail at about the same time.
     */
    public static class Throttle extends RichMapFunction<Long, Long> {
        private final long failAfter;
        private transient long seen;

        Throttle(long failAfter) {
            this.failAfter = failAfter;
        }

        @Override
        public Long map(Long v) throws Exception {
            if (v % 20 == 0) {
                Thread.sleep(10);
            }
            if (failAfter >= 0 && ++seen > failAfter) {
                throw new IllegalStateException("flink-rest scenario: source failing on purpose after " + failAfter + " records");
            }
            return v;
        }
    }

    public static class KeyedCounter extends RichMapFunction<Long, Long> implements CheckpointedFunction {
        private final long failAfter;
        private final long snapshotMillis;
        private transient LongCounter records;

        KeyedCounter(long failAfter, long snapshotMillis) {
            this.failAfter = failAfter;
            this.snapshotMillis = snapshotMillis;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            if (snapshotMillis > 0) {
                Thread.sleep(snapshotMillis);
            }
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {}

        @Override
        public Long map(Long v) {
            if (records == null) {
                records = new LongCounter();
                getRuntimeContext().addAccumulator("records", records);
            }
            records.add(1L);
            if (failAfter >= 0 && records.getLocalValue() > failAfter) {
                throw new IllegalStateException("flink-rest scenario: failing on purpose after " + failAfter + " records");
            }
            return v;
        }
    }

    /** Serializes what POST /jobs takes: a JobGraph where the StreamGraph can make one, else the StreamGraph. */
    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static void writePlan(StreamExecutionEnvironment env, String file) throws Exception {
        Object streamGraph = env.getClass().getMethod("getStreamGraph").invoke(env);
        Object plan = streamGraph;
        for (Method m : streamGraph.getClass().getMethods()) {
            if (m.getName().equals("getJobGraph") && m.getParameterCount() == 0) {
                plan = m.invoke(streamGraph);
                break;
            }
        }
        try (ObjectOutputStream out = new ObjectOutputStream(new FileOutputStream(file))) {
            out.writeObject(plan);
        }
        System.out.println(plan.getClass().getName());
    }
}
