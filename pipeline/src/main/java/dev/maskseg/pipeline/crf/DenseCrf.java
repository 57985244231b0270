package dev.maskseg.pipeline.crf;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.ops.Norm;
import dev.maskseg.pipeline.data.Sample;

/**
 * The fully connected CRF post-processing of both methods (docs/methods.md §1.5: {@code segmentation/utils/crf.py} with
 * pydensecrf's DenseCRF2D), with densecrf's mean-field inference: unary −log(clip(p, 1e-5, 1)); a Gaussian kernel on
 * (x, y) / sxy and a bilateral kernel on (x, y) / sxy and the 8-bit colour / srgb (channels in OpenCV's B, G, R
 * order), both Potts with their compatibility weight and symmetric normalisation, filtered on a permutohedral
 * lattice; Q ← softmax(−U + Σ w · K(Q)) for the given iterations.
 */
public final class DenseCrf {
    /** The official settings: Gaussian sxy 1, compat 3; bilateral sxy 67, srgb 3, compat 4; 10 iterations. */
    public record Params(double gaussianSxy, double gaussianCompat, double bilateralSxy, double bilateralSrgb, double bilateralCompat, int iterations) {
        public static Params official() { return new Params(1, 3, 67, 3, 4, 10); }
    }

    private DenseCrf() {}

    /**
     * {@code probs}: {@code classes} planes of w·h softmax probabilities; {@code rgb}: planar RGB in [0, 1] of the same
     * size. Returns the refined probabilities Q in the same layout.
     */
    public static float[] infer(float[] probs, int classes, float[] rgb, int w, int h, Params p) {
        int n = w * h;
        if (probs.length != classes * n || rgb.length != 3 * n) {
            throw new IllegalArgumentException("crf: " + probs.length + " probabilities and " + rgb.length + " colour values for " + classes
                    + " classes of a " + w + "x" + h + " image");
        }
        float[] gf = new float[2 * n], bf = new float[5 * n];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                gf[2 * i] = (float) (x / p.gaussianSxy());
                gf[2 * i + 1] = (float) (y / p.gaussianSxy());
                bf[5 * i] = (float) (x / p.bilateralSxy());
                bf[5 * i + 1] = (float) (y / p.bilateralSxy());
                for (int c = 0; c < 3; c++) bf[5 * i + 2 + c] = (float) (uint8(rgb[(2 - c) * n + i]) / p.bilateralSrgb());
            }
        }
        Kernel[] kernels = {new Kernel(new PermutohedralLattice(gf, n, 2), n, p.gaussianCompat()),
                new Kernel(new PermutohedralLattice(bf, n, 5), n, p.bilateralCompat())};
        float[] unary = new float[classes * n];
        for (int i = 0; i < unary.length; i++) unary[i] = (float) -Math.log(Math.min(1.0, Math.max(1e-5, probs[i])));
        float[] q = new float[classes * n], energy = new float[classes * n];
        for (int i = 0; i < unary.length; i++) energy[i] = -unary[i];
        softmax(energy, q, classes, n);
        for (int it = 0; it < p.iterations(); it++) {
            for (int i = 0; i < unary.length; i++) energy[i] = -unary[i];
            for (Kernel k : kernels) k.addMessage(q, classes, energy);
            softmax(energy, q, classes, n);
        }
        return q;
    }

    /** Labels of one image from its logits [1, C, H, W] (already at the image's size): softmax, CRF, arg-max. */
    public static int[] refine(Tensor logits, Sample image, Params p) {
        int classes = logits.size(1), n = image.width() * image.height();
        if (logits.size(2) != image.height() || logits.size(3) != image.width()) {
            throw new IllegalArgumentException("crf: logits " + logits.shapeString() + " for a " + image.width() + "x" + image.height() + " image");
        }
        float[] probs;
        try (var ng = GradMode.noGrad()) {
            probs = Norm.softmax(logits, 1).contiguous().toFloatArray();
        }
        return labels(infer(probs, classes, image.rgb(), image.width(), image.height(), p), classes, n);
    }

    /** Arg-max label per pixel of {@link #infer}'s output (ties to the lower class). */
    public static int[] labels(float[] q, int classes, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            for (int c = 1; c < classes; c++) if (q[c * n + i] > q[out[i] * n + i]) out[i] = c;
        }
        return out;
    }

    /** As cv2.imread gives it: the 8-bit value the float came from. */
    private static int uint8(float v) { return Math.round(Math.min(1f, Math.max(0f, v)) * 255f); }

    private static void softmax(float[] energy, float[] q, int classes, int n) {
        for (int i = 0; i < n; i++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) max = Math.max(max, energy[c * n + i]);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += q[c * n + i] = (float) Math.exp(energy[c * n + i] - max);
            for (int c = 0; c < classes; c++) q[c * n + i] /= (float) sum;
        }
    }

    /** One Potts pairwise term with densecrf's symmetric normalisation: w · N K (N Q), N = (K 1)^−1/2. */
    private static final class Kernel {
        final PermutohedralLattice lattice;
        final float[] norm;
        final float weight;

        Kernel(PermutohedralLattice lattice, int n, double weight) {
            this.lattice = lattice;
            this.weight = (float) weight;
            float[] ones = new float[n];
            java.util.Arrays.fill(ones, 1f);
            norm = lattice.filter(ones, 1);
            for (int i = 0; i < n; i++) norm[i] = (float) (1.0 / Math.sqrt(norm[i] + 1e-20));
        }

        void addMessage(float[] q, int classes, float[] energy) {
            int n = norm.length;
            float[] scaled = new float[q.length];
            for (int c = 0; c < classes; c++) for (int i = 0; i < n; i++) scaled[c * n + i] = q[c * n + i] * norm[i];
            float[] filtered = lattice.filter(scaled, classes);
            for (int c = 0; c < classes; c++) for (int i = 0; i < n; i++) energy[c * n + i] += weight * filtered[c * n + i] * norm[i];
        }
    }
}
