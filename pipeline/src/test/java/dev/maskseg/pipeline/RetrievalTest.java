package dev.maskseg.pipeline;

import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.eval.Prototypes;
import dev.maskseg.pipeline.maskcontrast.Retrieval;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** §2.7.3 on hand-made prototypes: majority labels of the bank, top-1 cosine neighbour painted on salient pixels. */
class RetrievalTest {
    private static Sample gt(int... labels) {
        byte[] m = new byte[labels.length];
        for (int i = 0; i < m.length; i++) m[i] = (byte) labels[i];
        return new Sample(new float[3 * 4], m, 2, 2);
    }

    @Test
    void bankLabelsAndNearestNeighbour() {
        boolean t = true, f = false;
        Prototypes bank = new Prototypes(
                new double[][]{{1, 0}, {0, 1}, {0.6, 0.8}},
                new boolean[][]{{t, t, f, f}, {t, t, t, f}, {t, f, f, f}});
        List<Sample> bankGt = List.of(gt(1, 1, 2, 0), gt(2, 2, 1, 255), gt(0, 3, 3, 3));
        int[] all = Retrieval.bankLabels(bank, bankGt, 4, Retrieval.allClasses(4));
        assertArrayEquals(new int[]{1, 2, -1}, all, "majority inside the mask; 0 and 255 do not vote; nothing left -> skipped");
        assertArrayEquals(new int[]{-1, 2, -1}, Retrieval.bankLabels(bank, bankGt, 4, Set.of(2)), "only kept classes vote");
        Prototypes two = new Prototypes(new double[][]{{1, 0}}, new boolean[][]{{t, t, t, t}});
        assertArrayEquals(new int[]{3}, Retrieval.bankLabels(two, List.of(gt(1, 3, 3, 1)), 4, Retrieval.allClasses(4)),
                "two pixels each of classes 1 and 3: max((count, class)) takes the higher class");

        Prototypes queries = new Prototypes(
                new double[][]{{0.8, 0.6}, {0.1, 0.99}},
                new boolean[][]{{f, t, t, f}, {t, f, f, t}});
        List<int[]> p = Retrieval.predictions(bank, all, queries);
        // query 0 is nearest to bank 2 (0.96) but bank 2 has no label, so bank 0 (0.8) wins over bank 1 (0.6)
        assertArrayEquals(new int[]{0, 1, 1, 0}, p.get(0));
        assertArrayEquals(new int[]{2, 0, 0, 2}, p.get(1));
    }
}
