package dev.maskseg.pipeline.demo;

import java.util.LinkedHashMap;
import java.util.Map;

/** Wall-clock seconds of the demo's steps, in order, for the report. */
final class StepTimes {
    private final Map<String, Double> seconds = new LinkedHashMap<>();
    private String current;
    private long since;

    /** Ends the running step (if any) and starts {@code name}. */
    void begin(String name) {
        finish();
        current = name;
        since = System.nanoTime();
    }

    /** Ends the running step. */
    void finish() {
        if (current != null) seconds.merge(current, (System.nanoTime() - since) / 1e9, Double::sum);
        current = null;
    }

    Map<String, Double> seconds() { return new LinkedHashMap<>(seconds); }
}
