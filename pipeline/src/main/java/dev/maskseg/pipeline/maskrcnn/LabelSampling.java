package dev.maskseg.pipeline.maskrcnn;

import java.util.SplittableRandom;

/**
 * detectron2's {@code subsample_labels} (docs/methods.md §3.4): from labels where {@code -1} is ignored and
 * {@code background} is the negative label, at most {@code batch * positiveFraction} positives (every other label) and
 * enough negatives to fill the batch, each a uniformly random subset in random order. detectron2 draws with
 * {@code torch.randperm} on its global generator; here the draw comes from the given {@link SplittableRandom}, which the
 * trainer derives from (seed, iteration, image), so a run and its resumption draw the same subsets.
 */
public final class LabelSampling {
    private LabelSampling() {}

    /** Positive and negative indices, each in the order drawn. */
    public record Sample(int[] positives, int[] negatives) {
        /** Positives followed by negatives (the RoI heads' sampled order). */
        public int[] all() {
            int[] out = new int[positives.length + negatives.length];
            System.arraycopy(positives, 0, out, 0, positives.length);
            System.arraycopy(negatives, 0, out, positives.length, negatives.length);
            return out;
        }
    }

    public static Sample sample(int[] labels, int batch, double positiveFraction, int background, SplittableRandom random) {
        if (batch < 1 || positiveFraction < 0 || positiveFraction > 1) {
            throw new IllegalArgumentException("label sampling: batch " + batch + " and positive fraction " + positiveFraction);
        }
        int pos = 0, neg = 0;
        for (int l : labels) {
            if (l == background) neg++;
            else if (l != -1) pos++;
        }
        int[] p = new int[pos], n = new int[neg];
        pos = neg = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == background) n[neg++] = i;
            else if (labels[i] != -1) p[pos++] = i;
        }
        int numPos = Math.min(pos, (int) (batch * positiveFraction));
        int numNeg = Math.min(neg, batch - numPos);
        return new Sample(firstOfShuffle(p, numPos, random), firstOfShuffle(n, numNeg, random));
    }

    /** The first {@code k} entries of a uniform random permutation of {@code values} (a partial Fisher-Yates shuffle). */
    static int[] firstOfShuffle(int[] values, int k, SplittableRandom random) {
        int[] v = values.clone();
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(v.length - i);
            int t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        int[] out = new int[k];
        System.arraycopy(v, 0, out, 0, k);
        return out;
    }
}
