package dev.maskseg.bench;

import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.Backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The kernel cases ({@link KernelCases}) timed on one backend instance, steady state ({@link Timing}). */
public final class KernelBench {
    /**
     * One JSON record of docs/design.md §4; threads 0 for a backend computing on a device. cpuMs: process CPU time per
     * call over the timed calls (all threads); peer: what a peer ran (name, version, BLAS, threads, environment), null
     * for our backends; round: which of a --rounds run's turns measured it (1, 2, ...), null in a run of one round.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Record(String kernel, String shape, String backend, int threads, double ms, double gflops, double cpuMs,
                         Map<String, Object> peer, Integer round) implements Rounds.Timed<Record> {
        public Record(String kernel, String shape, String backend, int threads, double ms, double gflops, double cpuMs, Map<String, Object> peer) {
            this(kernel, shape, backend, threads, ms, gflops, cpuMs, peer, null);
        }

        @Override public String caseKey() { return kernel + " " + shape; }

        @Override public Record withTimes(double newMs, double newCpuMs) {
            return new Record(kernel, shape, backend, threads, newMs, gflops * ms / newMs, newCpuMs, peer, null);
        }

        @Override public Record inRound(int r) { return new Record(kernel, shape, backend, threads, ms, gflops, cpuMs, peer, r); }
    }

    private KernelBench() {}

    /** Every case is set up and run before any is timed, then again until the JIT goes quiet. */
    public static List<Record> run(Backend be, boolean quick) {
        List<KernelCases.Case> cases = KernelCases.all();
        List<Runnable> calls = new ArrayList<>();
        for (KernelCases.Case c : cases) calls.add(c.setup().apply(be));
        long budget = quick ? 400_000_000L : 2_000_000_000L;
        List<Record> out = new ArrayList<>();
        try (var ng = GradMode.noGrad()) {
            Timing.warmUntilJitSettles(calls, budget, budget / 4);
            for (int i = 0; i < cases.size(); i++) {
                KernelCases.Case c = cases.get(i);
                Timing.Result t = Timing.steady(calls.get(i), budget / 4, 3, 12, budget, 200);
                double med = t.medianMs();
                out.add(new Record(c.kernel(), c.shape(), be.name(), be.threads(), med, c.flops() > 0 ? c.flops() / med / 1e6 : 0,
                        t.cpuMsPerCall(), null));
            }
        }
        return out;
    }
}
