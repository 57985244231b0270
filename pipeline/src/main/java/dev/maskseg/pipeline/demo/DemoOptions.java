package dev.maskseg.pipeline.demo;

import dev.maskseg.pipeline.config.RunConfig;
import dev.maskseg.pipeline.data.SyntheticScenes;
import dev.maskseg.prior.MaskPrior;

import java.nio.file.Path;

/**
 * One demo run.
 *
 * @param out           output folder (dataset/, masks/, report.html, metrics.json, checkpoint.safetensors, ...)
 * @param method        {@code maskcontrast} or {@code maskdistill}
 * @param images        generated images, 80% train
 * @param size          image side in pixels
 * @param epochs        training epochs; ≤ 0: the config's
 * @param prior         the mask prior whose masks the method learns from (run with its default parameters)
 * @param config        the method's sections ({@code maskcontrast:}, or {@code clustering:} and {@code maskdistill:}) and
 *                      {@code data:} (workers, prefetch); {@link DemoRunner#config} gives the embedded demo config
 * @param seed          seed of the dataset, the model and the sampling
 * @param miningThreads images the prior processes in parallel
 * @param crfRounds     MaskDistill's CRF self-training rounds after the first training (docs/methods.md §3.7); 0: none
 * @param overwrite     replace a finished demo (or other files) in {@code out}; otherwise such a folder is refused
 */
public record DemoOptions(Path out, String method, int images, int size, int epochs, MaskPrior prior, RunConfig config, long seed, int miningThreads,
                          int crfRounds, boolean overwrite) {
    public DemoOptions {
        SyntheticScenes.checkSize(images, size);
        if (!method.equals("maskcontrast") && !method.equals("maskdistill")) {
            throw new IllegalArgumentException("demo: method must be maskcontrast or maskdistill, got '" + method + "'");
        }
        if (miningThreads < 1) throw new IllegalArgumentException("demo: mining threads must be >= 1, got " + miningThreads);
        if (crfRounds < 0) throw new IllegalArgumentException("demo: --crf-rounds must be >= 0, got " + crfRounds);
        if (crfRounds > 0 && !method.equals("maskdistill")) throw new IllegalArgumentException("demo: --crf-rounds applies to --method maskdistill (§3.7)");
    }
}
