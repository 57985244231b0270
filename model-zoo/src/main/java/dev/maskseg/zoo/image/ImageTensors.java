package dev.maskseg.zoo.image;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.ResizeParams.Mode;
import dev.maskseg.engine.ops.Index;
import dev.maskseg.engine.ops.Resize;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/** Images to network inputs: RGB in [0, 1], ImageNet normalisation, shorter-side resize, zero padding to a multiple. */
public final class ImageTensors {
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private ImageTensors() {}

    /** The image in {@code file} ({@link ImageDecoder}: one clear error for a missing, truncated, corrupt or oversized file). */
    public static BufferedImage read(Path file) throws IOException { return ImageDecoder.read(file); }

    /** [1, 3, H, W] RGB in [0, 1] (alpha dropped, gray expanded). */
    public static Tensor toTensor(BufferedImage img) {
        int h = img.getHeight(), w = img.getWidth(), n = h * w;
        float[] d = new float[3 * n];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x], i = y * w + x;
                d[i] = ((p >> 16) & 0xFF) / 255f;
                d[n + i] = ((p >> 8) & 0xFF) / 255f;
                d[2 * n + i] = (p & 0xFF) / 255f;
            }
        }
        return Tensor.of(d, 1, 3, h, w);
    }

    /** (x - mean) / std per channel, ImageNet statistics. */
    public static Tensor normalize(Tensor rgb) {
        Tensor mean = Tensor.of(IMAGENET_MEAN, 1, 3, 1, 1).to(rgb.backend()), std = Tensor.of(IMAGENET_STD, 1, 3, 1, 1).to(rgb.backend());
        return rgb.sub(mean).div(std);
    }

    /** torchvision Resize(int): {width, height} with the shorter side = {@code shorter}, the longer int(shorter * long / short). */
    public static int[] shorterSideSize(int w, int h, int shorter) {
        return w <= h ? new int[]{shorter, (int) ((double) shorter * h / w)} : new int[]{(int) ((double) shorter * w / h), shorter};
    }

    /** Bilinear resize (our kernel, no antialiasing) to {@link #shorterSideSize}. */
    public static Tensor resizeShorter(Tensor x, int shorter) {
        int[] size = shorterSideSize(x.size(3), x.size(2), shorter);
        return Resize.interpolate(x, size[1], size[0], Mode.BILINEAR, false);
    }

    /** Zero padding at the bottom and right up to multiples of {@code multiple}. */
    public static Tensor padTo(Tensor x, int multiple) {
        int h = x.size(2), w = x.size(3);
        int ph = (multiple - h % multiple) % multiple, pw = (multiple - w % multiple) % multiple;
        return ph == 0 && pw == 0 ? x : Index.pad(x, new int[]{0, pw, 0, ph}, 0.0);
    }
}
