package dev.maskseg.pipeline;

import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.eval.KMeansProtocol;
import dev.maskseg.pipeline.eval.Prototypes;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The k-means protocol on hand-made prototypes: two well-separated categories are found under every seed. */
class KMeansProtocolTest {
    @Test
    void separatedPrototypesScorePerfectlyAndTheMeanIsOverSeeds() {
        Random r = new Random(4);
        int n = 10, hw = 4;
        double[][] v = new double[n][];
        boolean[][] sal = new boolean[n][];
        List<Sample> gt = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int cls = 1 + i % 2;
            v[i] = new double[]{cls == 1 ? 1 : -1, cls == 1 ? -1 : 1, 0.05 * r.nextGaussian(), 0.05 * r.nextGaussian()};
            sal[i] = new boolean[]{true, true, false, false};
            gt.add(new Sample(new float[3 * hw], new byte[]{(byte) cls, (byte) cls, 0, 0}, 2, 2));
        }
        Prototypes p = new Prototypes(v, sal);
        // one whitened component: the category direction (whitening all four would give the noise the same weight)
        long[] seeds = {1, 2, 3};
        KMeansProtocol.Result res = KMeansProtocol.evaluate(p, gt, 3, 2, 1, seeds);
        assertEquals(List.of(1.0, 1.0, 1.0), res.perSeed());
        assertEquals(1.0, res.summary().miou(), 1e-12);
        for (int i = 0; i < n; i++) assertArrayEquals(new int[]{1 + i % 2, 1 + i % 2, 0, 0}, res.matchedMaps().get(i), "image " + i);
        assertEquals(n, res.firstMaps().size());

        // over-clustering (k != classes - 1): majority matching, several clusters may map to one class
        KMeansProtocol.Result over = KMeansProtocol.evaluate(p, gt, 3, 4, 1, seeds);
        double mean = over.perSeed().stream().mapToDouble(Double::doubleValue).sum() / seeds.length;
        assertEquals(mean, over.meanMiou(), 1e-12);
        assertEquals(1.0, over.meanMiou(), 1e-12, "every cluster lies inside one category");
    }
}
