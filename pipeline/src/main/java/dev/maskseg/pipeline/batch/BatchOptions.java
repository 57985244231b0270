package dev.maskseg.pipeline.batch;

import dev.maskseg.pipeline.RunFolder;

/**
 * How a batch command treats bad files and its output folder.
 *
 * @param strict stop at the first file that cannot be processed instead of recording it and going on
 * @param mode   whether the output folder may hold a run to continue ({@code --resume}) or to replace ({@code --overwrite})
 */
public record BatchOptions(boolean strict, RunFolder.Mode mode) {
    /** Record bad files and go on; a new output folder (or an interrupted run's, continued). */
    public static final BatchOptions DEFAULT = new BatchOptions(false, RunFolder.Mode.NEW);

    public BatchOptions {
        if (mode == null) throw new IllegalArgumentException("mode is required");
    }
}
