package dev.maskseg.pipeline.data;

import dev.maskseg.zoo.image.ImageDecoder;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.List;

/**
 * Images with a per-pixel byte map (labels, or a saliency/prior mask as 0/1), checked when the set is opened and
 * decoded again on every {@link #get}: memory stays bounded by what the loader holds, not by the dataset.
 */
public final class ImageSet extends AbstractList<Sample> {
    /** One validated pair of files. */
    public record Entry(String id, Path image, Path map) {}

    private final List<Entry> entries;
    private final boolean binary;

    ImageSet(List<Entry> entries, boolean binary) {
        this.entries = List.copyOf(entries);
        this.binary = binary;
    }

    public String id(int i) { return entries.get(i).id(); }

    public Entry entry(int i) { return entries.get(i); }

    @Override
    public int size() { return entries.size(); }

    @Override
    public Sample get(int i) {
        Entry e = entries.get(i);
        try {
            return decode(e.image(), e.map(), binary);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Both files decoded; the map's first band, as stored or binarized (> 127 → 1) for masks. */
    static Sample decode(Path image, Path map, boolean binary) throws IOException {
        BufferedImage img = read(image, "image"), lab = read(map, binary ? "mask" : "label map");
        if (!binary && (lab.getRaster().getNumBands() != 1 || lab.getColorModel().getPixelSize() > 8)) {
            throw new IOException(map + ": label maps must be 8-bit grayscale or palette PNGs, got " + lab.getRaster().getNumBands() + " band(s) of "
                    + lab.getColorModel().getPixelSize() + " bits");
        }
        if (lab.getWidth() != img.getWidth() || lab.getHeight() != img.getHeight()) {
            throw new IOException(map + ": " + lab.getWidth() + "x" + lab.getHeight() + " but its image " + image.getFileName() + " is "
                    + img.getWidth() + "x" + img.getHeight());
        }
        return Sample.of(img, firstBand(lab, binary));
    }

    /** An image without a map (an all-zero mask), with the same error messages. */
    public static Sample imageOnly(Path image) throws IOException {
        BufferedImage img = read(image, "image");
        return Sample.of(img, new byte[img.getWidth() * img.getHeight()]);
    }

    static byte[] firstBand(BufferedImage map, boolean binary) {
        int[] px = map.getRaster().getPixels(0, 0, map.getWidth(), map.getHeight(), (int[]) null);
        int bands = map.getRaster().getNumBands();
        byte[] m = new byte[map.getWidth() * map.getHeight()];
        for (int i = 0; i < m.length; i++) {
            int v = px[i * bands];
            m[i] = (byte) (binary ? (v > 127 ? 1 : 0) : v);
        }
        return m;
    }

    static BufferedImage read(Path f, String what) throws IOException { return ImageDecoder.read(f, what); }
}
