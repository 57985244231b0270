package dev.maskseg.spark;

import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a per-image task over a list of files as one Spark job. The files are read by Spark's {@code binaryFile} source
 * inside the executors, in partitions sized by bytes ({@code spark.sql.files.maxPartitionBytes}, each file counting at
 * least {@code spark.sql.files.openCostInBytes}); each partition's results reach the driver as soon as it finishes
 * (so the driver can save its index as the job goes), once per partition even when Spark retried the task. A result
 * handler that throws ({@link UncheckedIOException} for an I/O error, e.g. a bad file under {@code --strict}) cancels the job.
 */
final class ImageJobs {
    /** One file's bytes as the executor received them; {@code name} is the file name, {@code uri} its full location. */
    record ImageBytes(String name, String uri, byte[] bytes) {
        /** The file as messages name it: a local path for a {@code file:} URI (as the single-machine commands name it), else the URI. */
        String source() { return uri.startsWith("file:") ? java.nio.file.Path.of(java.net.URI.create(uri)).toString() : uri; }
    }

    /** The work of one image, run in an executor; a bad image gives a result that says so, other exceptions fail the task (Spark retries it). */
    interface ImageTask<R extends Serializable> extends Serializable {
        R process(ImageBytes image) throws Exception;
    }

    /** The work of one partition's images, reduced in the executor (e.g. one confusion table per partition). */
    interface PartitionTask<R extends Serializable> extends Serializable {
        List<R> process(Iterator<ImageBytes> images) throws Exception;
    }

    private ImageJobs() {}

    /** Runs {@code task} over {@code uris}; {@code onResult} gets every image's result in this (the calling) thread. */
    static <R extends Serializable> void run(SparkSession spark, List<String> uris, ImageTask<R> task, Consumer<R> onResult) throws Exception {
        runPartitions(spark, uris, new EachImage<>(task), onResult);
    }

    /** Runs {@code task} over {@code uris} partition by partition; {@code onResult} gets every result in this thread. */
    static <R extends Serializable> void runPartitions(SparkSession spark, List<String> uris, PartitionTask<R> task, Consumer<R> onResult) throws Exception {
        if (uris.isEmpty()) return;
        runJob(spark, scan(spark, uris), new PerPartition<>(task), onResult);
    }

    /** The files' (path, content) rows, read in the executors, partitioned by bytes. */
    static RDD<Row> scan(SparkSession spark, List<String> uris) {
        return spark.read().format("binaryFile").load(uris.stream().map(ImageJobs::escapeGlob).toArray(String[]::new)).select("path", "content").rdd();
    }

    /** Runs {@code task} over items the driver lists (ids of a split), {@code perPartition} of them in each task. */
    static <T extends Serializable, R extends Serializable> void runItems(SparkSession spark, List<T> items, int perPartition, ItemTask<T, R> task, Consumer<R> onResult)
            throws Exception {
        if (items.isEmpty()) return;
        int slices = (items.size() + perPartition - 1) / perPartition;
        runJob(spark, JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(items, slices).rdd(), new PerItem<>(task), onResult);
    }

    /** The work of one item of {@link #runItems}, run in an executor. */
    interface ItemTask<T, R extends Serializable> extends Serializable {
        R process(T item) throws Exception;
    }

    private static <X, R extends Serializable> void runJob(SparkSession spark, RDD<X> rdd, AbstractFunction1<scala.collection.Iterator<X>, ArrayList<R>> f,
                                                           Consumer<R> onResult) throws Exception {
        LinkedBlockingQueue<List<R>> done = new LinkedBlockingQueue<>();
        SparkContext sc = spark.sparkContext();
        String group = "maskseg-" + UUID.randomUUID();
        ExecutorService waiter = Executors.newSingleThreadExecutor(r -> new Thread(r, "maskseg-spark-job"));
        try {
            Future<?> job = waiter.submit(() -> {
                sc.setJobGroup(group, "maskseg", true);
                sc.runJob(rdd, f, new ToQueue<>(done), ClassTag$.MODULE$.apply(ArrayList.class));
                return null;
            });
            try {
                while (true) {
                    List<R> batch = done.poll(200, TimeUnit.MILLISECONDS);
                    if (batch != null) batch.forEach(onResult);
                    else if (job.isDone()) break;
                }
                for (List<R> batch; (batch = done.poll()) != null; ) batch.forEach(onResult);
            } catch (RuntimeException e) { // the driver stops the job (--strict at a bad file, an index it cannot save)
                sc.cancelJobGroup(group);
                throw e instanceof UncheckedIOException u ? u.getCause() : e;
            }
            try {
                job.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            }
        } finally {
            waiter.shutdownNow();
        }
    }

    /** Hadoop's glob characters in a file name would make Spark expand it as a pattern. */
    static String escapeGlob(String uri) { return uri.replaceAll("([\\\\{}\\[\\]*?])", "\\\\$1"); }

    /** Executor side: the partition's rows as images, through the task. */
    private static final class PerPartition<R extends Serializable> extends AbstractFunction1<scala.collection.Iterator<Row>, ArrayList<R>> implements Serializable {
        private final PartitionTask<R> task;

        PerPartition(PartitionTask<R> task) { this.task = task; }

        @Override
        public ArrayList<R> apply(scala.collection.Iterator<Row> rows) {
            Iterator<ImageBytes> images = new Iterator<>() {
                @Override public boolean hasNext() { return rows.hasNext(); }

                @Override
                public ImageBytes next() {
                    Row r = rows.next();
                    String uri = r.getString(0);
                    return new ImageBytes(new Path(uri).getName(), uri, (byte[]) r.get(1));
                }
            };
            try {
                return new ArrayList<>(task.process(images));
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new RuntimeException(e.getMessage(), e);
            }
        }
    }

    private static final class PerItem<T, R extends Serializable> extends AbstractFunction1<scala.collection.Iterator<T>, ArrayList<R>> implements Serializable {
        private final ItemTask<T, R> task;

        PerItem(ItemTask<T, R> task) { this.task = task; }

        @Override
        public ArrayList<R> apply(scala.collection.Iterator<T> items) {
            ArrayList<R> out = new ArrayList<>();
            while (items.hasNext()) {
                T item = items.next();
                try {
                    out.add(task.process(item));
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new RuntimeException(item + ": " + e.getMessage(), e);
                }
            }
            return out;
        }
    }

    private record EachImage<R extends Serializable>(ImageTask<R> task) implements PartitionTask<R> {
        @Override
        public List<R> process(Iterator<ImageBytes> images) throws Exception {
            List<R> out = new ArrayList<>();
            while (images.hasNext()) {
                ImageBytes i = images.next();
                try {
                    out.add(task.process(i));
                } catch (Exception e) {
                    throw new Exception(i.uri() + ": " + e.getMessage(), e);
                }
            }
            return out;
        }
    }

    /** Driver side, in Spark's scheduler thread: hands the partition's results over. */
    private static final class ToQueue<R> extends AbstractFunction2<Object, ArrayList<R>, BoxedUnit> {
        private final LinkedBlockingQueue<List<R>> queue;

        ToQueue(LinkedBlockingQueue<List<R>> queue) { this.queue = queue; }

        @Override
        public BoxedUnit apply(Object partition, ArrayList<R> results) {
            queue.add(results);
            return BoxedUnit.UNIT;
        }
    }
}
