package dev.maskseg.pipeline.maskdistill;

import dev.maskseg.pipeline.maskdistill.PseudoMaps.Candidate;
import dev.maskseg.pipeline.maskdistill.PseudoMaps.Rule;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * §3.5's two painting rules on a 3x4 (w x h) map. The OFFICIAL expectations are what gen_segmentation.py's loop gives
 * under NumPy for the same masks, categories and order (checked with NumPy when this test was written).
 */
class PseudoMapsRuleTest {
    private static final int W = 3, H = 4;

    private static byte[] mask(int... on) {
        byte[] m = new byte[W * H];
        for (int i : on) m[i] = 1;
        return m;
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    // a: rows 2-3, columns 0-1; b: rows 1-2, columns 1-2; c: row 0, columns 0-1; d: the last pixel
    private static final byte[] A = mask(6, 7, 9, 10), B = mask(4, 5, 7, 8), C = mask(0, 1), D = mask(11);

    @Test
    void paperRuleNeverOverwritesOfficialRulePaintsOverWhileRowsZeroAndOneAreEmpty() {
        List<Candidate> ab = List.of(new Candidate(A, 0.99, 0), new Candidate(B, 0.95, 1));
        assertArrayEquals(bytes(0, 0, 0, 0, 2, 2, 1, 1, 2, 1, 1, 0), PseudoMaps.paint(W, H, ab, 0.9, Rule.PAPER));
        assertArrayEquals(bytes(0, 0, 0, 0, 2, 2, 1, 2, 2, 1, 1, 0), PseudoMaps.paint(W, H, ab, 0.9, Rule.OFFICIAL));
        assertArrayEquals(PseudoMaps.paint(W * H, ab, 0.9), PseudoMaps.paint(W, H, ab, 0.9, Rule.PAPER));
    }

    @Test
    void officialRuleSkipsEveryLaterCandidateOnceRowZeroOrOneHoldsALabel() {
        // c paints row 0; d (mask holds 0s) then looks at row 0 and is skipped, although it overlaps nothing
        List<Candidate> cd = List.of(new Candidate(C, 0.99, 2), new Candidate(D, 0.95, 0));
        assertArrayEquals(bytes(3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), PseudoMaps.paint(W, H, cd, 0.9, Rule.OFFICIAL));
        assertArrayEquals(bytes(3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), PseudoMaps.paint(W, H, cd, 0.9, Rule.PAPER));
        // b paints row 1: d looks at rows 0 and 1 and is skipped
        List<Candidate> bd = List.of(new Candidate(B, 0.99, 1), new Candidate(D, 0.95, 0));
        assertArrayEquals(bytes(0, 0, 0, 0, 2, 2, 0, 2, 2, 0, 0, 0), PseudoMaps.paint(W, H, bd, 0.9, Rule.OFFICIAL));
    }

    @Test
    void bothRulesKeepTheConfidentCandidatesInDescendingScore() {
        // given in ascending score: the rule sorts first, so b (0.99) is painted before a (0.95) in both rules
        List<Candidate> ba = List.of(new Candidate(A, 0.95, 0), new Candidate(B, 0.99, 1));
        assertArrayEquals(bytes(0, 0, 0, 0, 2, 2, 1, 2, 2, 1, 1, 0), PseudoMaps.paint(W, H, ba, 0.9, Rule.PAPER));
        // nothing reaches tau: the top one alone
        assertArrayEquals(bytes(0, 0, 0, 0, 2, 2, 0, 2, 2, 0, 0, 0), PseudoMaps.paint(W, H, ba, 0.999, Rule.OFFICIAL));
    }

    @Test
    void ruleNamesParse() {
        assertEquals(Rule.PAPER, Rule.parse("paper"));
        assertEquals(Rule.OFFICIAL, Rule.parse("Official"));
        assertThrows(IllegalArgumentException.class, () -> Rule.parse("overwrite"));
    }
}
