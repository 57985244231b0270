package dev.maskseg.spark;

import dev.maskseg.pipeline.data.MasksIndex;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * local-cluster[2,1,1024]: two executor JVMs started from target/spark-home with the application jar, as on a cluster.
 * mine-masks and eval miou give the single-machine bytes; an executor SIGKILLed while it runs a task loses nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkClusterIT {
    static final String MASTER = "local-cluster[2,1,1024]";

    @TempDir
    static Path tmp;
    SparkSession session;

    Path voc, images, single;

    @BeforeAll
    void start() throws Exception {
        voc = Fixtures.dataset(tmp.resolve("voc"), 24, 64);
        images = voc.resolve("JPEGImages");
        single = tmp.resolve("single");
        assertEquals(0, Fixtures.single("mine-masks", "--prior", "mbplus", "--images", images.toString(), "--out", single.toString()).code());
        session = TestSessions.start(MASTER);
    }

    @AfterAll
    void stop() { session.stop(); }

    @Test
    void mineMasksAndEvalMiouGiveTheSingleMachineBytes() throws Exception {
        Path spark = tmp.resolve("spark");
        Fixtures.Run r = Fixtures.spark("mine-masks", "--master", MASTER, "--prior", "mbplus", "--images", images.toString(), "--out", spark.toString());
        assertEquals(0, r.code());
        assertTrue(r.out().contains(": 24 images with 24 masks, 0 dropped (no mask), 1 failed (reported above), 0 already done;"), r.out());
        assertTrue(r.out().contains("spark mine-masks: executors computed on jvm on "), "the executor JVMs have the Vector API backend: " + r.out());
        Fixtures.assertSameFiles(single, spark);

        Path gt = voc.resolve("SegmentationClass"), pred = Fixtures.predictions(gt, tmp.resolve("pred"));
        Path a = tmp.resolve("single.json"), b = tmp.resolve("spark.json");
        assertEquals(0, Fixtures.single("eval", "miou", "--pred", pred.toString(), "--gt", gt.toString(), "--num-classes", "5", "--json", a.toString()).code());
        assertEquals(0, Fixtures.spark("eval", "miou", "--master", MASTER, "--pred", pred.toString(), "--gt", gt.toString(), "--num-classes", "5",
                "--json", b.toString()).code());
        assertEquals(Files.readString(a), Files.readString(b));
    }

    @Test
    void anExecutorKilledMidJobLosesNoMaskAndDuplicatesNone() throws Exception {
        Path spark = tmp.resolve("spark-killed");
        Tasks tasks = new Tasks();
        session.sparkContext().addSparkListener(tasks);
        ExecutorService bg = Executors.newSingleThreadExecutor();
        try {
            // 4 MiB partitions: one image per task (each file counts its size plus the 4 MiB open cost), 25 tasks
            Future<Fixtures.Run> job = bg.submit(() -> Fixtures.spark("mine-masks", "--master", MASTER, "--conf", "spark.sql.files.maxPartitionBytes=4m",
                    "--prior", "mbplus", "--images", images.toString(), "--out", spark.toString()));
            String victim = null;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (victim == null && System.nanoTime() < deadline && !job.isDone()) {
                if (tasks.succeeded.get() >= 3) victim = tasks.running.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey).findFirst().orElse(null);
                if (victim == null) Thread.sleep(20);
            }
            assertTrue(victim != null, "no executor was running a task after 3 had finished (job done: " + job.isDone() + ")");
            ProcessHandle executor = executorProcess(victim).orElseThrow(() -> new AssertionError("no executor JVM found"));
            assertTrue(executor.destroyForcibly());
            int doneAtKill = tasks.succeeded.get();
            Fixtures.Run r = job.get(10, TimeUnit.MINUTES);
            assertEquals(0, r.code());
            assertTrue(doneAtKill < 25, "the kill came before the job's last task");
            assertTrue(tasks.failed.get() >= 1, "the killed executor's task failed and was run again");
            assertTrue(tasks.executorsLost.get() >= 1);
            assertTrue(r.out().contains(": 24 images with 24 masks, 0 dropped (no mask), 1 failed (reported above), 0 already done;"), r.out());
        } finally {
            bg.shutdownNow();
            session.sparkContext().removeSparkListener(tasks);
        }
        Fixtures.assertSameFiles(single, spark); // no mask lost, none extra, no partial file left
        MasksIndex index = MasksIndex.read(spark);
        assertEquals(25, index.entries().size());
        for (var e : index.entries().entrySet()) if (!e.getKey().equals("zz_broken")) assertTrue(index.done(e.getKey()), e.getKey());
        try (var files = Files.list(spark)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    /** The executor JVM with this id: a child of this JVM (local-cluster's workers run here) running CoarseGrainedExecutorBackend. */
    private static Optional<ProcessHandle> executorProcess(String id) {
        return ProcessHandle.current().descendants().filter(p -> {
            String[] args = p.info().arguments().orElse(new String[0]);
            boolean backend = false, thisId = false;
            for (int i = 0; i < args.length; i++) {
                backend |= args[i].endsWith("CoarseGrainedExecutorBackend");
                thisId |= args[i].equals("--executor-id") && i + 1 < args.length && args[i + 1].equals(id);
            }
            return backend && thisId;
        }).findFirst();
    }

    /** Tasks running per executor, finished and failed ones, executors lost. */
    static final class Tasks extends SparkListener {
        final Map<String, Integer> running = new ConcurrentHashMap<>();
        final AtomicInteger succeeded = new AtomicInteger(), failed = new AtomicInteger(), executorsLost = new AtomicInteger();

        @Override
        public void onTaskStart(SparkListenerTaskStart e) { running.merge(e.taskInfo().executorId(), 1, Integer::sum); }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd e) {
            running.merge(e.taskInfo().executorId(), -1, Integer::sum);
            (e.reason() == Success$.MODULE$ ? succeeded : failed).incrementAndGet();
        }

        @Override
        public void onExecutorRemoved(SparkListenerExecutorRemoved e) { executorsLost.incrementAndGet(); }
    }
}
