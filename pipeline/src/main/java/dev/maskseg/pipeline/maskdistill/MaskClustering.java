package dev.maskseg.pipeline.maskdistill;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.eval.KMeans;
import dev.maskseg.zoo.image.ImageTensors;
import dev.maskseg.zoo.Models;
import dev.maskseg.zoo.vit.ViTConfig;
import dev.maskseg.zoo.vit.VisionTransformer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * MaskDistill's mask clustering (docs/methods.md §3.3, as the code does it): the ViT's final-norm CLS token of each
 * mask's bounding-box crop of the full image (pixels outside the mask kept, zero-padded to the patch size),
 * per-dimension std-whitening without mean removal, L2 normalisation, k-means with a seed. Cluster ids are raw
 * (label-free); evaluation matches them to classes.
 */
public final class MaskClustering {
    private MaskClustering() {}

    /**
     * The clustering's ViT, frozen for inference: {@code clustering.vit} with {@code clustering.weights}, or at random
     * initialisation from {@code initSeed} when no weights are given (callers say so to the user).
     */
    public static VisionTransformer vit(ClusteringConfig clustering, long initSeed) throws IOException {
        if (clustering.weights().isEmpty()) {
            return new VisionTransformer(clustering.vit().endsWith("8") ? ViTConfig.SMALL_8 : ViTConfig.SMALL_16, new Generator(initSeed)).freeze();
        }
        return ((VisionTransformer) Models.load(clustering.vit(), Path.of(clustering.weights())).module()).freeze();
    }

    /** The CLS feature of each of one image's masks (0/1 per pixel, the image's size). */
    public static double[][] features(VisionTransformer vit, Sample image, List<byte[]> masks) {
        vit.eval();
        int p = vit.config.patch(), w = image.width(), n = w * image.height();
        double[][] out = new double[masks.size()][];
        try (var ng = GradMode.noGrad()) {
            for (int m = 0; m < masks.size(); m++) {
                int[] box = bbox(masks.get(m), w, image.height());
                int bw = box[2] - box[0], bh = box[3] - box[1], pw = (bw + p - 1) / p * p, ph = (bh + p - 1) / p * p;
                float[] crop = new float[3 * pw * ph];
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < bh; y++) {
                        for (int x = 0; x < bw; x++) crop[c * pw * ph + y * pw + x] = image.rgb()[c * n + (box[1] + y) * w + box[0] + x];
                    }
                }
                // normalize, then zero-pad in normalized space (the crop's padding is exactly 0 after normalization)
                float[] tn = ImageTensors.normalize(Tensor.of(crop, 1, 3, ph, pw)).contiguous().toFloatArray();
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < ph; y++) for (int x = 0; x < pw; x++) if (y >= bh || x >= bw) tn[c * pw * ph + y * pw + x] = 0;
                }
                float[] cls = vit.run(Tensor.of(tn, 1, 3, ph, pw)).cls().contiguous().toFloatArray();
                out[m] = new double[cls.length];
                for (int i = 0; i < cls.length; i++) out[m][i] = cls[i];
            }
        }
        return out;
    }

    /** §3.3 steps 4–5: whitening, L2 and k-means (seeded); the cluster of each feature row. */
    public static int[] cluster(double[][] features, int clusters, long seed) {
        if (features.length < clusters) {
            throw new IllegalArgumentException("mask clustering: " + features.length + " masks for " + clusters + " clusters; need at least one mask per cluster");
        }
        return KMeans.assign(whitenAndNormalize(features), clusters, seed);
    }

    /** [x0, y0, x1, y1) of the mask's pixels (the whole image when empty). */
    static int[] bbox(byte[] mask, int w, int h) {
        int x0 = w, y0 = h, x1 = 0, y1 = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (mask[y * w + x] == 0) continue;
                x0 = Math.min(x0, x);
                y0 = Math.min(y0, y);
                x1 = Math.max(x1, x + 1);
                y1 = Math.max(y1, y + 1);
            }
        }
        return x1 <= x0 ? new int[]{0, 0, w, h} : new int[]{x0, y0, x1, y1};
    }

    /** scipy.cluster.vq.whiten (divide each column by its std over rows, no centring), then L2 per row. */
    public static double[][] whitenAndNormalize(double[][] x) {
        int n = x.length, d = x[0].length;
        double[] std = new double[d];
        for (int c = 0; c < d; c++) {
            double mean = 0, sq = 0;
            for (double[] r : x) mean += r[c] / n;
            for (double[] r : x) sq += (r[c] - mean) * (r[c] - mean) / n;
            std[c] = Math.sqrt(sq) > 0 ? Math.sqrt(sq) : 1; // scipy leaves zero-variance columns unscaled
        }
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int c = 0; c < d; c++) {
                out[i][c] = x[i][c] / std[c];
                norm += out[i][c] * out[i][c];
            }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            for (int c = 0; c < d; c++) out[i][c] /= norm;
        }
        return out;
    }
}
