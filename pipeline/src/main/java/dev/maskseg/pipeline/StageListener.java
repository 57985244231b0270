package dev.maskseg.pipeline;

/**
 * How a pipeline stage reports what it does, instead of printing: status lines, files it skipped, and the progress of
 * its long tasks. The CLI turns these into stdout lines, stderr lines and progress bars; a Spark job or an embedding
 * application logs them or ignores them. Stages that work in parallel call {@link #advance} from their worker threads.
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

    /** {@code steps} more steps of the current task are done; {@code status} (may be null) describes the latest. */
    default void advance(long steps, String status) {}

    /** The current task has ended (normally or not). */
    default void end() {}
}
