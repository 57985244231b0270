package dev.maskseg.pipeline.crf;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The permutohedral filter against an exact Gaussian, and the CRF's mean field on a noisy two-region image. */
class DenseCrfTest {
    @Test
    void latticeFilterApproximatesTheNormalizedGaussian() {
        int w = 14, h = 11, n = w * h;
        float[] f = new float[2 * n], in = new float[n];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            f[2 * i] = (i % w) / 1.5f;
            f[2 * i + 1] = (i / w) / 1.5f;
            in[i] = (float) r.nextDouble();
        }
        PermutohedralLattice lattice = new PermutohedralLattice(f, n, 2);
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        float[] got = lattice.filter(in, 1), norm = lattice.filter(ones, 1);
        double worst = 0, spread = 0;
        for (int i = 0; i < n; i++) {
            double num = 0, den = 0;
            for (int j = 0; j < n; j++) {
                double dx = f[2 * i] - f[2 * j], dy = f[2 * i + 1] - f[2 * j + 1], k = Math.exp(-(dx * dx + dy * dy) / 2);
                num += k * in[j];
                den += k;
            }
            worst = Math.max(worst, Math.abs(num / den - got[i] / norm[i]));
            spread = Math.max(spread, Math.abs(num / den - in[i]));
        }
        assertTrue(worst < 0.08, "normalized lattice filter vs exact Gaussian: max error " + worst);
        assertTrue(spread > 0.2, "the test signal is actually smoothed (" + spread + ")");
    }

    @Test
    void withoutPairwiseWeightsTheUnaryDecides() {
        int w = 5, h = 4, n = w * h;
        float[] probs = new float[2 * n], rgb = new float[3 * n];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < n; i++) {
            probs[i] = (float) r.nextDouble();
            probs[n + i] = 1 - probs[i];
            rgb[i] = (float) r.nextDouble();
        }
        float[] q = DenseCrf.infer(probs, 2, rgb, w, h, new DenseCrf.Params(1, 0, 67, 3, 0, 10));
        int[] expected = new int[n];
        for (int i = 0; i < n; i++) expected[i] = probs[n + i] > probs[i] ? 1 : 0;
        assertArrayEquals(expected, DenseCrf.labels(q, 2, n));
        for (int i = 0; i < 2 * n; i++) assertTrue(Math.abs(q[i] - probs[i]) < 1e-4, "Q = softmax(log p) = p");
    }

    @Test
    void meanFieldCleansLabelNoiseAlongColourEdges() {
        int w = 40, h = 30, n = w * h;
        float[] probs = new float[2 * n], rgb = new float[3 * n];
        SplittableRandom r = new SplittableRandom(7);
        int noisyCorrect = 0;
        for (int i = 0; i < n; i++) {
            int truth = (i % w) < w / 2 ? 0 : 1;
            rgb[i] = truth == 0 ? 0.9f : 0.1f;          // R
            rgb[n + i] = 0.2f;                           // G
            rgb[2 * n + i] = truth == 0 ? 0.1f : 0.9f;   // B
            int said = r.nextDouble() < 0.3 ? 1 - truth : truth;
            probs[said * n + i] = 0.6f;
            probs[(1 - said) * n + i] = 0.4f;
            if (said == truth) noisyCorrect++;
        }
        int[] labels = DenseCrf.labels(DenseCrf.infer(probs, 2, rgb, w, h, DenseCrf.Params.official()), 2, n);
        int correct = 0;
        for (int i = 0; i < n; i++) if (labels[i] == ((i % w) < w / 2 ? 0 : 1)) correct++;
        assertTrue(noisyCorrect < 0.75 * n, "the input is noisy: " + noisyCorrect + "/" + n);
        assertTrue(correct > 0.98 * n, "after the CRF " + correct + "/" + n + " pixels are right");
    }
}
