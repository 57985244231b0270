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
     * Warm-up for 3 s (full mode: 10 s) and at least 2 runs, then until consecutive single runs (full mode: pairs of runs)
     * agree within 3%, then the median of 2 (5) runs.
     */
    private static Timing.Result time(Runnable call, boolean quick) {
        Timing.warm(call, quick ? 3_000_000_000L : 10_000_000_000L, 2);
        return Timing.steady(call, 0, quick ? 1 : 2, quick ? 4 : 8, 0, quick ? 2 : 5);
    }
}
