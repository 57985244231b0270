package dev.maskseg.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * {@code --rounds}: ours and the peers timed in turn several times, so that both sides meet the same quiet and busy
 * stretches of a shared machine. The JSON keeps every round's record; the table shows each (case, backend, thread
 * count) by its median over the rounds.
 */
final class Rounds {
    /** A bench record as rounds group and rewrite it. */
    interface Timed<R> {
        String caseKey();

        String backend();

        int threads();

        double ms();

        double cpuMs();

        /** The same record with these times (and what derives from them), no longer of one round. */
        R withTimes(double ms, double cpuMs);

        R inRound(int round);
    }

    private Rounds() {}

    /** turn(1), ..., turn(rounds) in order, each turn's records marked with its round when there is more than one. */
    static <R extends Timed<R>> List<R> run(int rounds, IntFunction<List<R>> turn) {
        List<R> records = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            int r = round;
            List<R> got = turn.apply(round);
            records.addAll(rounds == 1 ? got : got.stream().map(x -> x.inRound(r)).toList());
        }
        return records;
    }

    /** One record per case, backend and thread count, in first-seen order: its median over the rounds. */
    static <R extends Timed<R>> List<R> medians(List<R> records) {
        Map<List<Object>, List<R>> groups = new LinkedHashMap<>();
        for (R r : records) groups.computeIfAbsent(List.of(r.caseKey(), r.backend(), r.threads()), k -> new ArrayList<>()).add(r);
        List<R> out = new ArrayList<>();
        for (List<R> g : groups.values()) {
            out.add(g.size() == 1 ? g.get(0) : g.get(0).withTimes(median(g.stream().mapToDouble(Timed::ms).toArray()),
                    median(g.stream().mapToDouble(Timed::cpuMs).toArray())));
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
