package dev.maskseg.pipeline.maskdistill;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * MaskDistill's pseudo semantic maps (docs/methods.md §3.5): from an image's scored candidate masks, keep every candidate
 * with score ≥ τ, or only the top one when none reaches τ; paint them in descending score with 1 + their cluster id
 * (0 stays background, no ignore label). Equal scores keep the candidates' given order. Where candidates overlap,
 * {@link Rule#PAPER} (the default) keeps the more confident one: a painted pixel is never overwritten.
 * {@link Rule#OFFICIAL} reproduces {@code gen_segmentation.py} as coded: its overlap test indexes the map with the
 * 0/1 mask, i.e. looks at map rows 0 and 1 (row 0 when the mask is all 0, row 1 when all 1); a candidate after the
 * first is skipped when those rows hold a label, otherwise it is painted over what is there.
 */
public final class PseudoMaps {
    private PseudoMaps() {}

    public record Candidate(byte[] mask, double score, int cluster) {}

    /** How overlapping candidates are painted. */
    public enum Rule {
        PAPER, OFFICIAL;

        public static Rule parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "paper" -> PAPER;
                case "official" -> OFFICIAL;
                default -> throw new IllegalArgumentException("pseudo-map rule must be paper or official, got '" + s + "'");
            };
        }
    }

    public static List<Candidate> confident(List<Candidate> candidates, double tau) {
        List<Candidate> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparingDouble(Candidate::score).reversed());
        if (sorted.isEmpty()) return sorted;
        if (sorted.get(0).score() < tau) return List.of(sorted.get(0));
        return sorted.stream().filter(c -> c.score() >= tau).toList();
    }

    /** The paper's rule on a map of {@code pixels} pixels. */
    public static byte[] paint(int pixels, List<Candidate> candidates, double tau) {
        byte[] map = new byte[pixels];
        for (Candidate c : confident(candidates, tau)) {
            checkSize(c, pixels);
            for (int i = 0; i < pixels; i++) if (c.mask()[i] != 0 && map[i] == 0) map[i] = (byte) (1 + c.cluster());
        }
        return map;
    }

    /** A map of {@code width x height} (row-major) by {@code rule}. */
    public static byte[] paint(int width, int height, List<Candidate> candidates, double tau, Rule rule) {
        if (rule == Rule.PAPER) return paint(width * height, candidates, tau);
        byte[] map = new byte[width * height];
        boolean first = true;
        for (Candidate c : confident(candidates, tau)) {
            checkSize(c, map.length);
            if (!first && rowsHoldALabel(map, c.mask(), width, height)) continue;
            first = false;
            for (int i = 0; i < map.length; i++) if (c.mask()[i] != 0) map[i] = (byte) (1 + c.cluster());
        }
        return map;
    }

    /** NumPy's {@code map[mask].any()} for a uint8 0/1 mask: the map's rows numbered by the values the mask holds. */
    private static boolean rowsHoldALabel(byte[] map, byte[] mask, int width, int height) {
        boolean zeros = false, ones = false;
        for (byte b : mask) {
            if (b == 0) zeros = true;
            else ones = true;
        }
        return (zeros && rowHoldsALabel(map, 0, width, height)) || (ones && rowHoldsALabel(map, 1, width, height));
    }

    private static boolean rowHoldsALabel(byte[] map, int row, int width, int height) {
        if (row >= height) throw new IllegalArgumentException("pseudo map (official rule): NumPy would fail indexing row " + row + " of a map of " + height + " rows");
        for (int x = 0; x < width; x++) if (map[row * width + x] != 0) return true;
        return false;
    }

    private static void checkSize(Candidate c, int pixels) {
        if (c.mask().length != pixels) throw new IllegalArgumentException("pseudo map: a candidate mask of " + c.mask().length + " pixels for an image of " + pixels);
    }
}
