package dev.maskseg.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.pipeline.eval.Confusion;
import dev.maskseg.pipeline.eval.Hungarian;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.pipeline.eval.MiouFiles;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** eval miou against tools/gen_miou_fixtures.py (scipy linear_sum_assignment) to 1e-9. */
class MiouReferenceTest {
    @Test
    void matchesScipyForEveryMatching() throws Exception {
        Path root = Path.of(MiouReferenceTest.class.getResource("/miou").toURI());
        JsonNode expected = new ObjectMapper().readTree(root.resolve("expected.json").toFile());
        for (String name : new String[]{"perm", "over", "ident"}) {
            JsonNode e = expected.get(name);
            for (Miou.Matching m : Miou.Matching.values()) {
                JsonNode ref = e.get(m.cliName());
                Miou.Result r = MiouFiles.evaluate(root.resolve(name + "/pred"), root.resolve(name + "/gt"), e.get("num_classes").asInt(), m, 255);
                String what = name + "/" + m;
                assertEquals(ref.get("miou").asDouble(), r.miou(), 1e-9, what);
                assertEquals(ref.get("pixel_accuracy").asDouble(), r.pixelAccuracy(), 1e-9, what);
                for (int c = 0; c < r.perClassIou().length; c++) assertEquals(ref.get("per_class_iou").get(c).asDouble(), r.perClassIou()[c], 1e-9, what + " class " + c);
                assertEquals(ref.get("matching").size(), r.matching().size(), what);
            }
        }
    }

    @Test
    void hungarianFindsTheOptimumOfSmallProblemsByBruteForce() {
        Random rnd = new Random(4);
        for (int trial = 0; trial < 50; trial++) {
            int n = 1 + rnd.nextInt(6);
            double[][] s = new double[n][n];
            for (double[] row : s) for (int j = 0; j < n; j++) row[j] = rnd.nextInt(5); // ties on purpose
            int[] a = Hungarian.maximize(s);
            double got = 0;
            for (int i = 0; i < n; i++) got += s[i][a[i]];
            assertEquals(best(s, 0, new boolean[n]), got, 1e-12);
        }
        assertArrayEquals(new int[]{-1, 0}, Hungarian.maximize(new double[][]{{1}, {2}}), "more rows than columns");
    }

    private static double best(double[][] s, int row, boolean[] used) {
        if (row == s.length) return 0;
        double b = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < s.length; j++) {
            if (used[j]) continue;
            used[j] = true;
            b = Math.max(b, s[row][j] + best(s, row + 1, used));
            used[j] = false;
        }
        return b;
    }

    /**
     * Label 2 covers 6 pixels of the large class 0 and all 4 pixels of the small class 1: the IoU vote (MaskContrast) names
     * it class 1 (IoU 0.4 against 6 / 104), the count vote (MaskDistill's cluster.py) class 0 (6 pixels against 4).
     */
    @Test
    void countVoteAndIouVoteDifferOnACraftedConfusion() {
        Confusion c = new Confusion(2, 255);
        int[] pred = new int[110], gt = new int[110];
        for (int i = 0; i < 100; i++) pred[i] = i < 6 ? 2 : 0; // class 0: 94 pixels as label 0, 6 as label 2
        for (int i = 100; i < 104; i++) {
            pred[i] = 2;
            gt[i] = 1;
        }
        for (int i = 104; i < 110; i++) {
            pred[i] = 1;
            gt[i] = 255;
        }
        c.add(pred, gt);
        assertEquals(1, Miou.match(c, Miou.Matching.MAJORITY).get(2), "IoU vote");
        assertEquals(0, Miou.match(c, Miou.Matching.MAJORITY_COUNT).get(2), "count vote");
        assertEquals((0.94 + 0.4) / 2, Miou.evaluate(c, Miou.Matching.MAJORITY).miou(), 1e-12, "class 0: 94 of 100; class 1: 4 of 4 + 6");
        Miou.Result count = Miou.evaluate(c, Miou.Matching.MAJORITY_COUNT);
        assertEquals(0.5 * 100 / 104.0, count.miou(), 1e-12, "class 0: 100 of 104 predicted; class 1 never");
        assertEquals(Miou.Matching.MAJORITY_COUNT, Miou.Matching.parse("majority-count"));
        Confusion tie = new Confusion(3, 255);
        tie.add(new int[]{0, 0, 0, 0}, new int[]{2, 2, 1, 1});
        assertEquals(1, Miou.match(tie, Miou.Matching.MAJORITY_COUNT).get(0), "equal counts: the lower class");
    }

    @Test
    void ignoredPixelsAndAbsentClasses() {
        Confusion c = new Confusion(3, 255);
        c.add(new int[]{0, 1, 1, 2}, new int[]{0, 1, 255, 1});
        Miou.Result r = Miou.evaluate(c, Miou.Matching.NONE);
        assertEquals(1.0, r.perClassIou()[0]);
        assertEquals(0.5, r.perClassIou()[1]);
        assertEquals(0.0, r.perClassIou()[2], "predicted but absent from the ground truth");
        assertEquals(0.5, r.miou(), 1e-12);
        assertEquals(2.0 / 3, r.pixelAccuracy(), 1e-12);
    }
}
