package dev.maskseg.pipeline.data;

import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.zoo.image.ImageDecoder;
import dev.maskseg.zoo.image.ImageEncoder;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Path;

/** Label maps as 8-bit PNGs: grayscale values or palette indices (VOC's SegmentationClass), 255 = ignore. */
public final class LabelMaps {
    public record LabelMap(int width, int height, int[] labels) {}

    private LabelMaps() {}

    public static LabelMap read(Path file) throws IOException { return labels(file.toString(), ImageDecoder.read(file, "label map")); }

    /** A label map from its file's bytes; {@code source} names the file in messages. */
    public static LabelMap read(String source, byte[] encoded) throws IOException {
        return labels(source, ImageDecoder.read(source, encoded, "label map"));
    }

    private static LabelMap labels(String file, BufferedImage img) throws IOException {
        boolean gray = img.getType() == BufferedImage.TYPE_BYTE_GRAY;
        boolean palette = img.getColorModel() instanceof IndexColorModel;
        if ((!gray && !palette) || img.getRaster().getNumBands() != 1 || img.getColorModel().getPixelSize() > 8) {
            throw new IOException(file + ": label maps must be 8-bit grayscale or palette PNGs, got " + img.getColorModel().getNumComponents()
                    + " channel(s) of " + img.getColorModel().getPixelSize() + " bits");
        }
        int w = img.getWidth(), h = img.getHeight();
        return new LabelMap(w, h, img.getRaster().getPixels(0, 0, w, h, (int[]) null));
    }

    public static void write(Path file, int w, int h, int[] labels) throws IOException {
        AtomicFiles.write(file, png(w, h, labels));
    }

    /** The 8-bit grayscale PNG of a label map, for {@link Folder#write}. */
    public static AtomicFiles.Writer png(int w, int h, int[] labels) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setPixels(0, 0, w, h, labels);
        return ImageEncoder.png(img);
    }
}
