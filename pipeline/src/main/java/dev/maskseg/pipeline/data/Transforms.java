package dev.maskseg.pipeline.data;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.ResizeParams;
import dev.maskseg.engine.ops.Resize;
import dev.maskseg.prior.image.FloatMaps;

import java.util.SplittableRandom;

/**
 * Joint image/mask transforms with torchvision's sampling rules (docs/methods.md §2.4), on {@link Sample}s. Images are
 * resized bilinearly (or bicubically, {@link #resizeBicubic}) with half-pixel centres (no antialiasing), masks by
 * nearest neighbour.
 */
public final class Transforms {
    private Transforms() {}

    /** torchvision RandomResizedCrop: area U(scale), log-uniform ratio, 10 tries, then the clamped central crop. */
    public static Sample randomResizedCrop(Sample s, int size, double minScale, double maxScale, SplittableRandom r) {
        int w = s.width(), h = s.height();
        double area = (double) w * h, logLo = Math.log(3.0 / 4), logHi = Math.log(4.0 / 3);
        int cx = 0, cy = 0, cw = w, ch = h;
        boolean found = false;
        for (int t = 0; t < 10 && !found; t++) {
            double target = area * (minScale + (maxScale - minScale) * r.nextDouble());
            double ratio = Math.exp(logLo + (logHi - logLo) * r.nextDouble());
            int tw = (int) Math.round(Math.sqrt(target * ratio)), th = (int) Math.round(Math.sqrt(target / ratio));
            if (tw > 0 && th > 0 && tw <= w && th <= h) {
                cy = r.nextInt(h - th + 1);
                cx = r.nextInt(w - tw + 1);
                cw = tw;
                ch = th;
                found = true;
            }
        }
        if (!found) {
            double in = (double) w / h;
            if (in < 3.0 / 4) {
                cw = w;
                ch = (int) Math.round(w / (3.0 / 4));
            } else if (in > 4.0 / 3) {
                ch = h;
                cw = (int) Math.round(h * (4.0 / 3));
            }
            cy = (h - ch) / 2;
            cx = (w - cw) / 2;
        }
        return resize(crop(s, cx, cy, cw, ch), size, size);
    }

    public static Sample crop(Sample s, int x0, int y0, int cw, int ch) {
        int w = s.width(), n = w * s.height(), m = cw * ch;
        float[] rgb = new float[3 * m];
        byte[] mask = new byte[m];
        for (int y = 0; y < ch; y++) {
            for (int x = 0; x < cw; x++) {
                int src = (y0 + y) * w + x0 + x, dst = y * cw + x;
                for (int c = 0; c < 3; c++) rgb[c * m + dst] = s.rgb()[c * n + src];
                mask[dst] = s.mask()[src];
            }
        }
        return new Sample(rgb, mask, cw, ch);
    }

    /** Image bilinear (align_corners false), mask nearest (torch 'nearest': floor(dst · in/out)). */
    public static Sample resize(Sample s, int ow, int oh) {
        int w = s.width(), h = s.height(), n = w * h, m = ow * oh;
        if (ow == w && oh == h) return s;
        float[] rgb = new float[3 * m];
        for (int c = 0; c < 3; c++) {
            float[] plane = java.util.Arrays.copyOfRange(s.rgb(), c * n, (c + 1) * n);
            System.arraycopy(FloatMaps.resizeBilinear(plane, w, h, ow, oh), 0, rgb, c * m, m);
        }
        return new Sample(rgb, nearest(s.mask(), w, h, ow, oh), ow, oh);
    }

    /** torch 'nearest': source index floor(dst · in/out). */
    private static byte[] nearest(byte[] map, int w, int h, int ow, int oh) {
        byte[] out = new byte[ow * oh];
        double sx = (double) w / ow, sy = (double) h / oh;
        for (int y = 0; y < oh; y++) {
            int ny = Math.min(h - 1, (int) Math.floor(y * sy));
            for (int x = 0; x < ow; x++) out[y * ow + x] = map[ny * w + Math.min(w - 1, (int) Math.floor(x * sx))];
        }
        return out;
    }

    /**
     * Image bicubic (a = −0.75, half-pixel centres, no antialiasing: OpenCV INTER_CUBIC and torch 'bicubic', through the
     * engine's interpolate), clamped to [0, 1] as a uint8 image saturates; mask nearest. The fine-tuning and evaluation
     * resize to 512x512 of §2.7 and §3.6.
     */
    public static Sample resizeBicubic(Sample s, int ow, int oh) {
        if (ow == s.width() && oh == s.height()) return s;
        float[] rgb;
        try (var ng = GradMode.noGrad()) {
            rgb = Resize.interpolate(Tensor.of(s.rgb(), 1, 3, s.height(), s.width()), oh, ow, ResizeParams.Mode.BICUBIC, false).contiguous().toFloatArray();
        }
        for (int i = 0; i < rgb.length; i++) rgb[i] = Math.min(1f, Math.max(0f, rgb[i]));
        return new Sample(rgb, nearest(s.mask(), s.width(), s.height(), ow, oh), ow, oh);
    }

    public static Sample horizontalFlip(Sample s) {
        int w = s.width(), h = s.height(), n = w * h;
        float[] rgb = new float[3 * n];
        byte[] mask = new byte[n];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int src = y * w + (w - 1 - x), dst = y * w + x;
                for (int c = 0; c < 3; c++) rgb[c * n + dst] = s.rgb()[c * n + src];
                mask[dst] = s.mask()[src];
            }
        }
        return new Sample(rgb, mask, w, h);
    }

    /**
     * torchvision ColorJitter on a float image: factors brightness, contrast, saturation ∈ U[1−v, 1+v] and hue shift
     * ∈ U[−hue, hue], applied in a random order; contrast blends with the mean grayscale, saturation with the grayscale
     * image, hue rotates in HSV. Results are clamped to [0, 1] after each step.
     */
    public static Sample colorJitter(Sample s, double brightness, double contrast, double saturation, double hue, SplittableRandom r) {
        int[] order = {0, 1, 2, 3};
        for (int i = 3; i > 0; i--) {
            int j = r.nextInt(i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        double fb = 1 - brightness + 2 * brightness * r.nextDouble(), fc = 1 - contrast + 2 * contrast * r.nextDouble();
        double fs = 1 - saturation + 2 * saturation * r.nextDouble(), fh = -hue + 2 * hue * r.nextDouble();
        float[] p = s.rgb().clone();
        int n = s.width() * s.height();
        for (int op : order) {
            switch (op) {
                case 0 -> blend(p, n, null, fb, 0);
                case 1 -> {
                    double mean = 0;
                    for (int i = 0; i < n; i++) mean += gray(p, n, i);
                    blend(p, n, null, fc, mean / n);
                }
                case 2 -> {
                    float[] g = new float[n];
                    for (int i = 0; i < n; i++) g[i] = (float) gray(p, n, i);
                    blend(p, n, g, fs, 0);
                }
                default -> shiftHue(p, n, fh);
            }
        }
        return new Sample(p, s.mask(), s.width(), s.height());
    }

    /** ITU-R 601-2 luma, as torchvision's rgb_to_grayscale. */
    static double gray(float[] p, int n, int i) { return 0.299 * p[i] + 0.587 * p[n + i] + 0.114 * p[2 * n + i]; }

    public static Sample grayscale(Sample s) {
        int n = s.width() * s.height();
        float[] p = new float[3 * n];
        for (int i = 0; i < n; i++) p[i] = p[n + i] = p[2 * n + i] = (float) gray(s.rgb(), n, i);
        return new Sample(p, s.mask(), s.width(), s.height());
    }

    /** p ← clamp(f·p + (1−f)·other), other = the per-pixel gray map or the constant. */
    private static void blend(float[] p, int n, float[] grayMap, double f, double constant) {
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < n; i++) {
                double other = grayMap != null ? grayMap[i] : constant;
                p[c * n + i] = (float) Math.max(0, Math.min(1, f * p[c * n + i] + (1 - f) * other));
            }
        }
    }

    private static void shiftHue(float[] p, int n, double shift) {
        for (int i = 0; i < n; i++) {
            double r = p[i], g = p[n + i], b = p[2 * n + i];
            double max = Math.max(r, Math.max(g, b)), min = Math.min(r, Math.min(g, b)), d = max - min;
            double hh = 0;
            if (d > 0) {
                if (max == r) hh = ((g - b) / d) / 6;
                else if (max == g) hh = ((b - r) / d + 2) / 6;
                else hh = ((r - g) / d + 4) / 6;
            }
            hh = ((hh + shift) % 1 + 1) % 1;
            double[] rgb = hsvToRgb(hh, max == 0 ? 0 : d / max, max);
            for (int c = 0; c < 3; c++) p[c * n + i] = (float) rgb[c];
        }
    }

    /** HSV (hue in turns, wrapped into [0, 1)) to RGB. */
    public static double[] hsvToRgb(double h, double s, double v) {
        double h6 = ((h % 1 + 1) % 1) * 6, f = h6 - Math.floor(h6);
        double p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
        return switch ((int) Math.floor(h6) % 6) {
            case 0 -> new double[]{v, t, p};
            case 1 -> new double[]{q, v, p};
            case 2 -> new double[]{p, v, t};
            case 3 -> new double[]{p, q, v};
            case 4 -> new double[]{t, p, v};
            default -> new double[]{v, p, q};
        };
    }

    /**
     * ScaleNRotate (docs/methods.md §2.7.1): rotation by {@code degrees} and scaling by {@code scale} about the image centre
     * (OpenCV getRotationMatrix2D + warpAffine, same output size), image bilinear (the official code: bicubic), labels
     * nearest; outside the source the image is 0 and the label {@code border} (0 = background, as the official code).
     */
    public static Sample scaleAndRotate(Sample s, double degrees, double scale, int border) {
        int w = s.width(), h = s.height(), n = w * h;
        double a = Math.toRadians(degrees), cos = Math.cos(a) * scale, sin = Math.sin(a) * scale;
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0, det = cos * cos + sin * sin;
        float[] rgb = new float[3 * n];
        byte[] mask = new byte[n];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                // inverse of OpenCV's M = [[cos, sin, ...], [-sin, cos, ...]] (angle counter-clockwise)
                double dx = x - cx, dy = y - cy;
                double sx = (cos * dx - sin * dy) / det + cx, sy = (sin * dx + cos * dy) / det + cy;
                int o = y * w + x;
                int nx = (int) Math.round(sx), ny = (int) Math.round(sy);
                mask[o] = nx >= 0 && ny >= 0 && nx < w && ny < h ? s.mask()[ny * w + nx] : (byte) border;
                int x0 = (int) Math.floor(sx), y0 = (int) Math.floor(sy);
                double fx = sx - x0, fy = sy - y0;
                for (int c = 0; c < 3; c++) {
                    double v = 0;
                    for (int k = 0; k < 4; k++) {
                        int xx = x0 + (k & 1), yy = y0 + (k >> 1);
                        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
                        v += s.rgb()[c * n + yy * w + xx] * ((k & 1) == 1 ? fx : 1 - fx) * ((k >> 1) == 1 ? fy : 1 - fy);
                    }
                    rgb[c * n + o] = (float) v;
                }
            }
        }
        return new Sample(rgb, mask, w, h);
    }

    /** The fine-tuning augmentation of §2.7.1 and §3.6: flip p=0.5, ScaleNRotate ±5°, 0.75–1.25, border label 0. */
    public static Sample fineTuneView(Sample s, SplittableRandom r) {
        Sample v = r.nextDouble() < 0.5 ? horizontalFlip(s) : s;
        return scaleAndRotate(v, -5 + 10 * r.nextDouble(), 0.75 + 0.5 * r.nextDouble(), 0);
    }

    /** The §2.4 view: RandomResizedCrop(size, 0.2–1), p=0.8 ColorJitter(0.4, 0.4, 0.4, 0.1), p=0.2 grayscale, p=0.5 flip. */
    public static Sample pretrainView(Sample s, int size, SplittableRandom r) {
        Sample v = randomResizedCrop(s, size, 0.2, 1.0, r);
        if (r.nextDouble() < 0.8) v = colorJitter(v, 0.4, 0.4, 0.4, 0.1, r);
        if (r.nextDouble() < 0.2) v = grayscale(v);
        if (r.nextDouble() < 0.5) v = horizontalFlip(v);
        return v;
    }
}
