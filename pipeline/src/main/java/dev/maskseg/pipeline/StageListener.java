package dev.maskseg.pipeline;

/**
 * How a pipeline stage reports what it does, instead of printing: status lines, files it skipped, and the progress of
 * its long tasks. The CLI turns these into stdout lines, stderr lines and progress bars; a Spark job or an embedding
 * application logs them or ignores them. Stages that work in parallel call {@link #advance} from their worker threads.
 * Every step that may run longer than a couple of seconds is a task, so a user never waits in silence.
 */
public interface StageListener {
    /** Ignores everything. */
    StageListener NONE = new StageListener() {};

    /** A status line (the CLI prints it on stdout). */
    default void info(String line) {}

    /** A warning about the run itself, e.g. a setting that will not give the method's results (the CLI prints it on stderr). */
    default void warning(String line) {}

    /** A file that could not be processed and was skipped or recorded (the CLI prints it on stderr). */
    default void problem(String message) {}

    /** A task of {@code total} steps starts, {@code done} of them already done (e.g. by an earlier, resumed run). */
    default void start(String task, long total, long done) {}

    /**
     * As {@link #start(String, long, long)}, naming what a step counts ({@code "images"}, {@code "epochs"}), so that
     * the speed reads in those units; listeners that do not care get the three-argument call.
     */
    default void start(String task, long total, long done, String unit) { start(task, total, done); }

    /**
     * {@code steps} more steps of the current task are done; {@code status} (may be null) describes the latest, as
     * fields separated by {@value #FIELD_SEPARATOR} (e.g. {@code "epoch 3/20 | loss 4.061 | lr 0.00400"}).
     */
    default void advance(long steps, String status) {}

    /** The current task has ended (normally or not). */
    default void end() {}

    /** Separates the fields of a status, so a renderer can show or drop them one by one. */
    String FIELD_SEPARATOR = " | ";

    /** Starts a task and returns it; closing it ends the task (use with try-with-resources). */
    default Task task(String name, long total, String unit) {
        start(name, total, 0, unit);
        return new Task(this);
    }

    /** A started task: {@link #step} advances it, {@link #close} ends it. */
    final class Task implements AutoCloseable {
        private final StageListener listener;

        private Task(StageListener listener) { this.listener = listener; }

        public void step() { listener.advance(1, null); }

        public void step(String status) { listener.advance(1, status); }

        @Override
        public void close() { listener.end(); }
    }
}
