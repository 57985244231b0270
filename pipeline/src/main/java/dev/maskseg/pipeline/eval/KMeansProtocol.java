package dev.maskseg.pipeline.eval;

import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.data.Sample;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * MaskContrast's prototype k-means protocol (docs/methods.md §2.7.2), the one implementation every caller uses: the
 * {@link Prototypes} PCA-whitened, k-means++ per seed, each image's salient pixels labelled with its cluster + 1 (0
 * elsewhere, which takes part in the matching as background), matched to the classes once per seed (Hungarian when
 * k = classes − 1, many-to-one majority otherwise, or as asked); the score is the mean mIoU over the seeds, computed at
 * the stored resolution.
 */
public final class KMeansProtocol {
    /** The official protocol's PCA size. */
    public static final int PCA_DIMS = 32;
    /** The official protocol's seeds. */
    public static final long[] SEEDS = {1234, 1235, 1236, 1237, 1238};

    /**
     * @param meanMiou the mean mIoU over the seeds
     * @param perSeed  each seed's mIoU
     * @param first    the first seed's full result (pixel accuracy, per-class IoU, matching)
     * @param firstMaps the first seed's label maps before matching
     */
    public record Result(double meanMiou, List<Double> perSeed, Miou.Result first, List<int[]> firstMaps) {
        /** The mean mIoU with the first seed's other fields (what the reports and {@code eval kmeans} show). */
        public Miou.Result summary() { return new Miou.Result(meanMiou, first.pixelAccuracy(), first.perClassIou(), first.matching()); }

        /** The first seed's maps with clusters replaced by their matched classes (unmatched: 0). */
        public List<int[]> matchedMaps() {
            List<int[]> out = new ArrayList<>();
            for (int[] m : firstMaps) {
                int[] o = new int[m.length];
                for (int i = 0; i < m.length; i++) o[i] = first.matching().getOrDefault(m[i], 0);
                out.add(o);
            }
            return out;
        }
    }

    private KMeansProtocol() {}

    /** The protocol on the prototypes of {@code images} (their ground truth in {@link Sample#mask()}), k clusters, matched as the official code. */
    public static Result evaluate(Prototypes p, List<Sample> images, int classes, int k, int pcaDims, long[] seeds) {
        return evaluate(p, images, classes, k, pcaDims, seeds, StageListener.NONE);
    }

    /** As {@link #evaluate(Prototypes, List, int, int, int, long[])}, one step of the task "k-means" per seed. */
    public static Result evaluate(Prototypes p, List<Sample> images, int classes, int k, int pcaDims, long[] seeds, StageListener listener) {
        return evaluate(p, new EvalSplit(images, images, 0), classes, k, pcaDims, seeds, officialMatching(classes, k), listener);
    }

    /** Hungarian when k = classes − 1 (with the non-salient label, one label per class), the IoU-based majority vote otherwise (§2.7.2). */
    public static Miou.Matching officialMatching(int classes, int k) { return k == classes - 1 ? Miou.Matching.HUNGARIAN : Miou.Matching.MAJORITY; }

    /**
     * The protocol on prototypes of {@code split}'s working images; each seed's maps are nearest-resized to the stored
     * size and scored against the stored labels (§2.7.2 step 8).
     */
    public static Result evaluate(Prototypes p, EvalSplit split, int classes, int k, int pcaDims, long[] seeds, Miou.Matching matching) {
        return evaluate(p, split, classes, k, pcaDims, seeds, matching, StageListener.NONE);
    }

    /** As {@link #evaluate(Prototypes, EvalSplit, int, int, int, long[], Miou.Matching)}, one step of the task "k-means" per seed. */
    public static Result evaluate(Prototypes p, EvalSplit split, int classes, int k, int pcaDims, long[] seeds, Miou.Matching matching,
                                  StageListener listener) {
        if (seeds.length == 0) throw new IllegalArgumentException("k-means protocol: no seeds");
        double sum = 0;
        List<Double> perSeed = new ArrayList<>();
        Miou.Result first = null;
        List<int[]> firstMaps = null;
        StageListener.Task task = listener.task("k-means", seeds.length, "seeds");
        for (long s : seeds) {
            List<int[]> maps = predictions(p, k, pcaDims, s);
            Miou.Result r = Miou.evaluate(split.confusion(maps, classes), matching);
            perSeed.add(r.miou());
            sum += r.miou();
            if (first == null) {
                first = r;
                firstMaps = maps;
            }
            task.step(String.format(java.util.Locale.ROOT, "seed %d mIoU %.3f", s, r.miou()));
        }
        task.close();
        return new Result(sum / seeds.length, perSeed, first, firstMaps);
    }

    /** Label maps: 0 where not salient, cluster + 1 elsewhere; {@code pcaDims} at most the embedding size and the image count. */
    public static List<int[]> predictions(Prototypes p, int clusters, int pcaDims, long seed) {
        double[][] z = whiten(p.vectors(), pcaDims);
        int[] assign = KMeans.assign(z, clusters, seed);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < z.length; i++) {
            int[] m = new int[p.salient()[i].length];
            for (int q = 0; q < m.length; q++) m[q] = p.salient()[i][q] ? assign[i] + 1 : 0;
            out.add(m);
        }
        return out;
    }

    /** PCA whitening of the rows to {@code dims} components (sklearn PCA(whiten=True)). */
    static double[][] whiten(double[][] x, int dims) {
        int n = x.length, d = x[0].length;
        double[] mean = new double[d];
        for (double[] r : x) for (int c = 0; c < d; c++) mean[c] += r[c] / n;
        double[][] cov = new double[d][d];
        for (double[] r : x) for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) cov[a][b] += (r[a] - mean[a]) * (r[b] - mean[b]) / Math.max(1, n - 1);
        EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(cov));
        double[] values = eig.getRealEigenvalues();
        Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
        int k = Math.min(dims, Math.min(d, n));
        RealMatrix vecs = eig.getV();
        double[][] out = new double[n][k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                double s = 0;
                for (int c = 0; c < d; c++) s += (x[i][c] - mean[c]) * vecs.getEntry(c, order[j]);
                out[i][j] = s / Math.sqrt(Math.max(values[order[j]], 1e-12));
            }
        }
        return out;
    }
}
