package dev.maskseg.bench.peers;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InterleavedTest {
    private static Runnable spin(long micros, List<String> log, String name) {
        return () -> {
            log.add(name);
            long until = System.nanoTime() + micros * 1000;
            while (System.nanoTime() < until) Thread.onSpinWait();
        };
    }

    @Test
    void eachSideGetsAWindowPerRoundInAlternatingOrder() {
        List<String> log = new ArrayList<>();
        Interleaved.Result r = Interleaved.run(spin(2000, log, "a"), spin(500, log, "b"), 6, 20_000_000L, 0);
        assertEquals(6, r.aMs().length);
        assertEquals(6, r.bMs().length);
        for (int i = 0; i < 6; i++) {
            assertEquals(2.0, r.aMs()[i], 0.5, "a's window " + i);
            assertEquals(0.5, r.bMs()[i], 0.3, "b's window " + i);
        }
        assertEquals(6, r.bFaster());
        assertTrue(r.medianA() / r.medianB() > 2.5, r.medianA() + " / " + r.medianB());
        // a b | b a | a b | b a | a b | b a: runs of one side's calls a, b, a, b, a, b, a (always a then b would make 12)
        List<String> runs = new ArrayList<>();
        for (String s : log) if (runs.isEmpty() || !runs.getLast().equals(s)) runs.add(s);
        assertEquals(List.of("a", "b", "a", "b", "a", "b", "a"), runs);
    }

    @Test
    void theMedianOfAnEvenCountIsTheMiddlePair() {
        assertEquals(2.5, Interleaved.median(new double[]{4, 1, 3, 2}));
        assertEquals(3.0, Interleaved.median(new double[]{5, 3, 1}));
    }
}
