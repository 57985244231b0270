package dev.maskseg.bench;

import dev.maskseg.engine.backend.Backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The model cases ({@link ModelCases}) timed on one backend instance, one case at a time. */
public final class ModelBench {
    /**
     * One JSON record; threads 0 for a backend computing on a device; cpuMs and peer as in {@link KernelBench.Record};
     * round as in {@link KernelBench.Record}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Record(String model, String shape, String mode, String backend, int threads, double ms, double imagesPerSecond,
                         double cpuMs, Map<String, Object> peer, Integer round) implements Rounds.Timed<Record> {
        public Record(String model, String shape, String mode, String backend, int threads, double ms, double imagesPerSecond,
                      double cpuMs, Map<String, Object> peer) {
            this(model, shape, mode, backend, threads, ms, imagesPerSecond, cpuMs, peer, null);
        }

        @Override public String caseKey() { return model + " " + shape + " " + mode; }

        @Override public Record withTimes(double newMs, double newCpuMs) {
            return new Record(model, shape, mode, backend, threads, newMs, imagesPerSecond * ms / newMs, newCpuMs, peer, null);
        }

        @Override public Record inRound(int r) { return new Record(model, shape, mode, backend, threads, ms, imagesPerSecond, cpuMs, peer, r); }
    }

    private ModelBench() {}

    /** The cases with the given ids (empty: all) on be. */
    public static List<Record> run(Backend be, boolean quick, List<String> ids) {
        List<Record> out = new ArrayList<>();
        for (ModelCases.Case c : ModelCases.chosen(ids)) {
            Runnable call = c.setup().apply(be);
            Timing.Result t = time(call, quick);
            double ms = t.medianMs();
            out.add(new Record(c.model(), c.shape(), c.mode(), c.backendLabel(be.name()), be.threads(), ms, c.images() * 1000.0 / ms, t.cpuMsPerCall(), null));
        }
        return out;
    }

    /**
     * Warm-up for 3 s (full mode: 10 s) and at least 2 runs. Full mode then times as the JVM peers do (and
     * bench/peer_cases.py's final window): windows of 2 s and at least 3 runs until two consecutive medians agree within
     * 3% (at most 6), then the median of every run in a 4-second window of at least 5. It was the slower of 2 runs after
     * windows of 2: on a VM whose speed dips for a second or two, a figure from 0.1 s of runs landed in a dip in 3 of 5
     * rounds where ONNX Runtime's 4-second window did not. Quick mode: single runs until two agree, then the median of 2.
     */
    private static Timing.Result time(Runnable call, boolean quick) {
        Timing.warm(call, quick ? 3_000_000_000L : 10_000_000_000L, 2);
        if (quick) return Timing.steady(call, 0, 1, 4, 0, 2);
        return Timing.steady(call, 2_000_000_000L, 3, 6, 4_000_000_000L, 5, 200);
    }
}
