package dev.maskseg.pipeline.maskdistill;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * MaskDistill's pseudo semantic maps (docs/methods.md §3.5): from an image's scored candidate masks, keep every candidate
 * with score ≥ τ, or only the top one when none reaches τ; paint them in descending score with 1 + their cluster id
 * (0 stays background, no ignore label). Overlaps follow the paper's rule: a painted pixel is never overwritten by
 * a less confident candidate. Equal scores keep the candidates' given order.
 */
public final class PseudoMaps {
    private PseudoMaps() {}

    public record Candidate(byte[] mask, double score, int cluster) {}

    public static List<Candidate> confident(List<Candidate> candidates, double tau) {
        List<Candidate> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparingDouble(Candidate::score).reversed());
        if (sorted.isEmpty()) return sorted;
        if (sorted.get(0).score() < tau) return List.of(sorted.get(0));
        return sorted.stream().filter(c -> c.score() >= tau).toList();
    }

    public static byte[] paint(int pixels, List<Candidate> candidates, double tau) {
        byte[] map = new byte[pixels];
        for (Candidate c : confident(candidates, tau)) {
            if (c.mask().length != pixels) throw new IllegalArgumentException("pseudo map: a candidate mask of " + c.mask().length + " pixels for an image of " + pixels);
            for (int i = 0; i < pixels; i++) if (c.mask()[i] != 0 && map[i] == 0) map[i] = (byte) (1 + c.cluster());
        }
        return map;
    }
}
