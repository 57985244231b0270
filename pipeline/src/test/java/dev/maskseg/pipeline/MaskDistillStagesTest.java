package dev.maskseg.pipeline;

import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.Transforms;
import dev.maskseg.pipeline.maskdistill.MaskClustering;
import dev.maskseg.pipeline.maskdistill.MaskDistillConfig;
import dev.maskseg.pipeline.maskdistill.MaskDistillTrainer;
import dev.maskseg.pipeline.maskdistill.PseudoMaps;
import dev.maskseg.pipeline.maskdistill.PseudoMaps.Candidate;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** MaskDistill's §3.3 feature post-processing, §3.5 confident-mask aggregation and the ScaleNRotate transform. */
class MaskDistillStagesTest {
    private static byte[] mask(int... on) {
        byte[] m = new byte[6];
        for (int i : on) m[i] = 1;
        return m;
    }

    @Test
    void confidentCandidatesKeepScoresAboveTauOrTheTopOneAndNeverOverwrite() {
        Candidate a = new Candidate(mask(0, 1, 2), 0.95, 3), b = new Candidate(mask(2, 3), 0.97, 1), c = new Candidate(mask(5), 0.5, 0);
        // descending score: b (label 2) first, then a (label 4) only where b did not paint; c is below tau
        assertArrayEquals(new byte[]{4, 4, 2, 2, 0, 0}, PseudoMaps.paint(6, List.of(a, b, c), 0.9));
        // nothing reaches tau: only the top candidate (a, 0.95) is kept
        assertArrayEquals(new byte[]{4, 4, 4, 0, 0, 0}, PseudoMaps.paint(6, List.of(c, a), 0.99));
        assertEquals(List.of(), PseudoMaps.confident(List.of(), 0.9));
        // score exactly tau is kept (the code's >=)
        assertEquals(2, PseudoMaps.confident(List.of(a, new Candidate(mask(4), 0.9, 2)), 0.9).size());
    }

    /** The official step ({@code np.sum(epoch > [40])}): epochs 0..40 at 0.002, 41..44 at 0.0002. */
    @Test
    void learningRateDropsAfterTheStepEpochNotAtIt() {
        MaskDistillConfig official = MaskDistillConfig.official();
        assertEquals(0.002, MaskDistillTrainer.learningRate(official, 0), 1e-15);
        assertEquals(0.002, MaskDistillTrainer.learningRate(official, 40), 1e-15, "epoch 40 still at the base lr");
        assertEquals(0.0002, MaskDistillTrainer.learningRate(official, 41), 1e-15);
        assertEquals(0.0002, MaskDistillTrainer.learningRate(official, 44), 1e-15);
    }

    @Test
    void whiteningDividesByColumnStdWithoutCentringThenNormalizesRows() {
        double[][] x = {{1, 10}, {3, 10}, {5, 40}};
        double[][] z = MaskClustering.whitenAndNormalize(x);
        double s0 = Math.sqrt(8.0 / 3), s1 = Math.sqrt(200.0); // population std of {1,3,5} and {10,10,40}
        double[] r0 = {1 / s0, 10 / s1};
        double n = Math.hypot(r0[0], r0[1]);
        assertEquals(r0[0] / n, z[0][0], 1e-12);
        assertEquals(r0[1] / n, z[0][1], 1e-12);
        for (double[] r : z) assertEquals(1, Math.hypot(r[0], r[1]), 1e-12);
    }

    @Test
    void scaleAndRotateIsIdentityAtZeroAndFillsTheBorderLabel() {
        float[] rgb = new float[3 * 25];
        byte[] m = new byte[25];
        for (int i = 0; i < 25; i++) {
            rgb[i] = i / 25f;
            m[i] = (byte) (1 + i % 3);
        }
        Sample s = new Sample(rgb, m, 5, 5);
        Sample same = Transforms.scaleAndRotate(s, 0, 1, 0);
        assertArrayEquals(s.mask(), same.mask());
        for (int i = 0; i < 75; i++) assertEquals(s.rgb()[i], same.rgb()[i], 1e-6);
        Sample small = Transforms.scaleAndRotate(s, 0, 0.5, 0);
        assertEquals(0, small.mask()[0], "outside the shrunken image: border label 0");
        assertEquals(s.mask()[12], small.mask()[12], "the centre stays");
        Sample rot = Transforms.scaleAndRotate(s, 90, 1, 0);
        // OpenCV's positive angle turns the content counter-clockwise: the top-right corner goes to the top-left
        assertEquals(s.mask()[4], rot.mask()[0]);
    }

    @Test
    void bicubicResizeKeepsConstantsClampsOvershootAndResizesLabelsByNearest() {
        int w = 6, h = 4, n = w * h;
        float[] rgb = new float[3 * n];
        byte[] m = new byte[n];
        for (int i = 0; i < n; i++) {
            rgb[i] = 0.25f;                          // constant plane
            rgb[n + i] = (i % w) < 3 ? 0f : 1f;      // a hard step: bicubic over- and undershoots
            rgb[2 * n + i] = (i % w) / 5f;
            m[i] = (byte) (i % w);
        }
        Sample s = new Sample(rgb, m, w, h);
        Sample big = Transforms.resizeBicubic(s, 13, 9);
        assertEquals(13, big.width());
        for (int i = 0; i < 13 * 9; i++) {
            assertEquals(0.25f, big.rgb()[i], 1e-6f);
            float v = big.rgb()[13 * 9 + i];
            assertEquals(true, v >= 0f && v <= 1f, "clamped to [0, 1]: " + v);
        }
        assertArrayEquals(Transforms.resize(s, 13, 9).mask(), big.mask(), "labels by nearest, as the bilinear path");
    }
}
