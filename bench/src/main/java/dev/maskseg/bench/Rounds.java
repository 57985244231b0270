package dev.maskseg.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;

/**
 * The table's view of a {@code --rounds} run: ours and the peers timed in turn several times, so that both sides meet
 * the same quiet and busy stretches of a shared machine; each (case, backend, thread count) is shown by its median over
 * the rounds. The JSON keeps every round's record.
 */
final class Rounds {
    /** A record like first but with these times. */
    interface Rebuild<R> {
        R with(R first, double ms, double cpuMs);
    }

    private Rounds() {}

    static <R> List<R> medians(List<R> records, Function<R, String> caseKey, Function<R, String> backend, ToIntFunction<R> threads,
                               ToDoubleFunction<R> ms, ToDoubleFunction<R> cpuMs, Rebuild<R> rebuild) {
        Map<List<Object>, List<R>> groups = new LinkedHashMap<>();
        for (R r : records) groups.computeIfAbsent(List.of(caseKey.apply(r), backend.apply(r), threads.applyAsInt(r)), k -> new ArrayList<>()).add(r);
        List<R> out = new ArrayList<>();
        for (List<R> g : groups.values()) {
            out.add(g.size() == 1 ? g.get(0) : rebuild.with(g.get(0), median(g.stream().mapToDouble(ms).toArray()),
                    median(g.stream().mapToDouble(cpuMs).toArray())));
        }
        return out;
    }

    /** The middle value, or the mean of the middle two. */
    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
