package dev.maskseg.bench.peers;

import java.util.Arrays;

/**
 * Two sides timed in alternating windows in one process: every round gives each side one window, the order swapped
 * from round to round, so both meet a shared machine's quiet and busy stretches at the same moments. On a 2-vCPU VM
 * whose 2-thread speed moves 20-30% within minutes, rounds minutes apart ({@code maskseg bench --rounds}) compare
 * different moments; windows of a few hundred milliseconds compare the same one.
 */
final class Interleaved {
    /** Mean milliseconds per call in each window, side a and side b, in round order. */
    record Result(double[] aMs, double[] bMs) {
        double medianA() { return median(aMs); }

        double medianB() { return median(bMs); }

        /** In how many rounds b's window was faster than a's. */
        int bFaster() {
            int n = 0;
            for (int i = 0; i < aMs.length; i++) if (bMs[i] < aMs[i]) n++;
            return n;
        }
    }

    private Interleaved() {}

    /** warmNanos of both in turn, then rounds windows of windowNanos each (at least one call per window). */
    static Result run(Runnable a, Runnable b, int rounds, long windowNanos, long warmNanos) {
        for (long until = System.nanoTime() + warmNanos; System.nanoTime() < until; ) {
            a.run();
            b.run();
        }
        double[] aMs = new double[rounds], bMs = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            boolean aFirst = r % 2 == 0;
            double first = window(aFirst ? a : b, windowNanos), second = window(aFirst ? b : a, windowNanos);
            aMs[r] = aFirst ? first : second;
            bMs[r] = aFirst ? second : first;
        }
        return new Result(aMs, bMs);
    }

    /** One call to settle (caches and the other side's threads), then calls for windowNanos: mean ms per call. */
    private static double window(Runnable f, long windowNanos) {
        f.run();
        long start = System.nanoTime(), now;
        int calls = 0;
        do {
            f.run();
            calls++;
            now = System.nanoTime();
        } while (now - start < windowNanos);
        return (now - start) / 1e6 / calls;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
