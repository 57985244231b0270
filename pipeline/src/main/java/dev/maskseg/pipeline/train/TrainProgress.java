package dev.maskseg.pipeline.train;

import dev.maskseg.pipeline.StageListener;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A training run as the listener sees it, the same for every trainer: one task counted in images (so its speed reads
 * in images/s), advanced by a batch per optimizer step with the status {@code epoch e/E | loss L | lr R}, and one
 * status line per epoch with every loss term, the learning rate, the epoch's seconds and images/s.
 */
public final class TrainProgress implements AutoCloseable {
    private final StageListener listener;
    private final String name;
    private final int epochs, batch, stepsPerEpoch;

    /** Starts the task {@code name}: {@code epochs} of {@code stepsPerEpoch} steps of {@code batch} images, {@code epochsDone} already done. */
    public TrainProgress(StageListener listener, String name, int epochs, int stepsPerEpoch, int batch, int epochsDone) {
        this.listener = listener;
        this.name = name;
        this.epochs = epochs;
        this.batch = batch;
        this.stepsPerEpoch = stepsPerEpoch;
        listener.start(name, (long) epochs * stepsPerEpoch * batch, (long) epochsDone * stepsPerEpoch * batch, "images");
    }

    /** One optimizer step of epoch {@code epoch} (0-based) done. */
    public void step(int epoch, double loss, double lr) {
        listener.advance(batch, String.format(Locale.ROOT, "epoch %d/%d | loss %.4f | lr %s", epoch + 1, epochs, loss, lr(lr)));
    }

    /** Epoch {@code epoch} (0-based) ended; {@code losses} are its mean loss terms, the total first. */
    public void epochEnd(int epoch, Map<String, Double> losses, double lr, double seconds) {
        List<String> f = new ArrayList<>();
        f.add(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, epochs));
        losses.forEach((k, v) -> f.add(String.format(Locale.ROOT, "%s %.4f", k, v)));
        f.add("lr " + lr(lr));
        f.add(String.format(Locale.ROOT, "%.1f s", seconds));
        f.add(String.format(Locale.ROOT, "%.1f images/s", stepsPerEpoch * batch / Math.max(seconds, 1e-9)));
        listener.info(name + ": " + String.join(StageListener.FIELD_SEPARATOR, f));
    }

    private static String lr(double lr) { return String.format(Locale.ROOT, "%.4g", lr); }

    @Override
    public void close() { listener.end(); }
}
