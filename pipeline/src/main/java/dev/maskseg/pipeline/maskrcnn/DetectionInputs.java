package dev.maskseg.pipeline.maskrcnn;

import dev.maskseg.engine.Tensor;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.prior.image.PillowResize;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What the detector sees (docs/methods.md §3.4, detectron2's DatasetMapper): an image resized so that its shorter side is a
 * chosen size (longer side capped), with Pillow's bilinear filter on 8-bit values, masks resized by nearest neighbour,
 * boxes scaled; in training a random size of the configured list and a horizontal flip with probability 0.5; then boxes
 * clipped to the image and objects whose box has a side ≤ 1e-5 or whose mask is empty dropped. Pixels are normalized as
 * {@code (v - mean) / std} on the 0..255 scale; a batch is padded with 0 at the bottom and right.
 */
public final class DetectionInputs {
    private DetectionInputs() {}

    /** One image as the detector sees it: normalized CHW pixels of h x w, and (training only) its objects. */
    public record View(float[] pixels, int height, int width, float[] boxes, int[] classes, List<byte[]> masks) {
        public int objects() { return classes.length; }
    }

    /** A padded batch: input [N,3,H,W] and each image's own (h, w). */
    public record Batch(Tensor input, int[][] sizes, List<View> views) {}

    /** The training view of {@code image} (decoded {@code rgb}) with the draws of {@code random}: a size, then the flip. */
    public static View train(TrainingSet.Image image, Sample rgb, MaskRcnnConfig cfg, SplittableRandom random) {
        int shortSide = cfg.minSizeTrain().get(random.nextInt(cfg.minSizeTrain().size()));
        boolean flip = cfg.flip() && random.nextDouble() < 0.5;
        int[] hw = MaskRcnnConfig.resizedSize(image.height(), image.width(), shortSide, cfg.maxSizeTrain());
        int h = hw[0], w = hw[1];
        double sx = (double) w / image.width(), sy = (double) h / image.height();
        float[] pixels = resize(rgb, w, h, flip, cfg);
        List<float[]> boxes = new ArrayList<>();
        List<Integer> classes = new ArrayList<>();
        List<byte[]> masks = new ArrayList<>();
        for (TrainingSet.Instance inst : image.instances()) {
            double[] b = inst.box();
            double x1 = b[0] * sx, y1 = b[1] * sy, x2 = b[2] * sx, y2 = b[3] * sy;
            if (flip) {
                double t = w - x2;
                x2 = w - x1;
                x1 = t;
            }
            float[] box = {clip((float) x1, w), clip((float) y1, h), clip((float) x2, w), clip((float) y2, h)};
            byte[] m = nearest(inst.mask().decode(), image.width(), image.height(), w, h, flip);
            if (box[2] - box[0] <= 1e-5f || box[3] - box[1] <= 1e-5f || empty(m)) continue;
            boxes.add(box);
            classes.add(inst.classIndex());
            masks.add(m);
        }
        float[] flat = new float[4 * boxes.size()];
        for (int i = 0; i < boxes.size(); i++) System.arraycopy(boxes.get(i), 0, flat, 4 * i, 4);
        return new View(pixels, h, w, flat, classes.stream().mapToInt(Integer::intValue).toArray(), List.copyOf(masks));
    }

    /** The detection view: shorter side {@code minSizeTest} (longer side capped), no objects. */
    public static View test(Sample rgb, MaskRcnnConfig cfg) {
        int[] hw = MaskRcnnConfig.resizedSize(rgb.height(), rgb.width(), cfg.minSizeTest(), cfg.maxSizeTest());
        return new View(resize(rgb, hw[1], hw[0], false, cfg), hw[0], hw[1], new float[0], new int[0], List.of());
    }

    /** Views padded into one input tensor. */
    public static Batch batch(List<View> views) {
        int mh = 0, mw = 0;
        for (View v : views) {
            mh = Math.max(mh, v.height());
            mw = Math.max(mw, v.width());
        }
        float[] d = new float[views.size() * 3 * mh * mw];
        int[][] sizes = new int[views.size()][];
        for (int i = 0; i < views.size(); i++) {
            View v = views.get(i);
            sizes[i] = new int[]{v.height(), v.width()};
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < v.height(); y++) {
                    System.arraycopy(v.pixels(), (c * v.height() + y) * v.width(), d, ((i * 3 + c) * mh + y) * mw, v.width());
                }
            }
        }
        return new Batch(Tensor.of(d, views.size(), 3, mh, mw), sizes, List.copyOf(views));
    }

    /** Pillow bilinear on the 8-bit values, optional flip, then (v - mean) / std per channel, planar. */
    private static float[] resize(Sample s, int w, int h, boolean flip, MaskRcnnConfig cfg) {
        int n = s.width() * s.height();
        int[] rgb8 = new int[3 * n];
        for (int i = 0; i < n; i++) for (int c = 0; c < 3; c++) rgb8[3 * i + c] = Math.round(s.rgb()[c * n + i] * 255f);
        int[] out = w == s.width() && h == s.height() ? rgb8 : PillowResize.resize(rgb8, s.width(), s.height(), 3, w, h, PillowResize.Filter.BILINEAR);
        float[] pixels = new float[3 * w * h];
        for (int c = 0; c < 3; c++) {
            float mean = cfg.pixelMean().get(c).floatValue(), std = cfg.pixelStd().get(c).floatValue();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int sx = flip ? w - 1 - x : x;
                    pixels[(c * h + y) * w + x] = (out[3 * (y * w + sx) + c] - mean) / std;
                }
            }
        }
        return pixels;
    }

    /** Pillow's NEAREST resize (source pixel floor((x + 0.5) * in / out)), then the optional flip. */
    static byte[] nearest(boolean[] mask, int w, int h, int ow, int oh, boolean flip) {
        byte[] out = new byte[ow * oh];
        for (int y = 0; y < oh; y++) {
            int sy = Math.min(h - 1, (int) ((y + 0.5) * h / oh));
            for (int x = 0; x < ow; x++) {
                int sx = Math.min(w - 1, (int) ((x + 0.5) * w / ow));
                out[y * ow + (flip ? ow - 1 - x : x)] = (byte) (mask[sy * w + sx] ? 1 : 0);
            }
        }
        return out;
    }

    private static float clip(float v, int max) { return Math.max(0, Math.min(max, v)); }

    private static boolean empty(byte[] m) {
        for (byte b : m) if (b != 0) return false;
        return true;
    }
}
