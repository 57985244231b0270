package dev.maskseg.pipeline.batch;

import java.io.IOException;

/** A batch stopped at its first bad file because it runs with {@code --strict}. */
public final class BatchStopped extends IOException {
    public BatchStopped(String message, Throwable cause) { super(message, cause); }
}
