package dev.maskseg.pipeline.eval;

import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.JDKRandomGenerator;

import java.util.ArrayList;
import java.util.List;

/** Seeded k-means (k-means++ then Lloyd, Commons Math): the cluster id of each row, nearest centre, ties to the lower id. */
public final class KMeans {
    private KMeans() {}

    public static int[] assign(double[][] x, int k, long seed) {
        List<DoublePoint> pts = new ArrayList<>();
        for (double[] r : x) pts.add(new DoublePoint(r));
        JDKRandomGenerator rng = new JDKRandomGenerator();
        rng.setSeed(seed);
        EuclideanDistance dist = new EuclideanDistance();
        List<CentroidCluster<DoublePoint>> cs = new KMeansPlusPlusClusterer<DoublePoint>(Math.min(k, x.length), 300, dist, rng).cluster(pts);
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            double best = Double.POSITIVE_INFINITY;
            for (int c = 0; c < cs.size(); c++) {
                double d = dist.compute(x[i], cs.get(c).getCenter().getPoint());
                if (d < best) {
                    best = d;
                    out[i] = c;
                }
            }
        }
        return out;
    }
}
