package dev.maskseg.bench.peers;

import dev.maskseg.bench.Timing;

/**
 * Steady-state timing as bench's {@link Timing} does it for our own cases (each window is {@link Timing#timed}):
 * warm-up calls, then windows until two consecutive window medians agree within 3%, then the median of one final window. Native libraries have no JIT to wait for, but
 * libtorch's TorchScript executor profiles and re-optimizes its graph over the first calls, and ONNX Runtime sizes its
 * memory arena on the first ones. --quick: one warm-up call, then the median of a window of windowNanos and at least
 * two calls (callers pass 0 for models and training steps, a short window for kernels), as bench/peer_cases.py does.
 */
final class PeerTiming {
    private static final double AGREE = 0.03;

    /** Median wall time and process CPU time per call (all threads) over the same calls. */
    record Result(double ms, double cpuMs) {}

    private PeerTiming() {}

    static Result time(Runnable f, boolean quick, long windowNanos) {
        if (quick) {
            f.run();
            return window(f, windowNanos, 2);
        }
        for (int i = 0; i < 3; i++) f.run();
        double previous = Double.MAX_VALUE;
        for (int w = 0; w < 6; w++) {
            double med = window(f, windowNanos, 3).ms();
            if (Math.abs(med - previous) <= AGREE * Math.min(med, previous)) break;
            previous = med;
        }
        return window(f, 2 * windowNanos, 5);
    }

    private static Result window(Runnable f, long budgetNanos, int minCalls) {
        Timing.Result r = Timing.timed(f, budgetNanos, minCalls, 200);
        return new Result(r.medianMs(), r.cpuMsPerCall());
    }
}
