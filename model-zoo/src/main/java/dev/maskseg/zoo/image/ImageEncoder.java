package dev.maskseg.zoo.image;

import dev.maskseg.engine.io.AtomicFiles;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Images written atomically as PNG or JPEG. Encoding happens in memory: {@code ImageIO.write} to a stream caches in a
 * temp file and closes it from a shutdown thread, which on a full disk threw a NullPointerException from that thread
 * instead of the write's own "no space left on device".
 */
public final class ImageEncoder {
    private ImageEncoder() {}

    public static void writePng(Path file, BufferedImage img) throws IOException { AtomicFiles.write(file, png(img)); }

    /** The PNG of {@code img}, encoded now, as a writer (for {@link AtomicFiles#write} or a folder of another file system). */
    public static AtomicFiles.Writer png(BufferedImage img) throws IOException {
        byte[] bytes = encode(img, "png", null);
        return out -> out.write(bytes);
    }

    /** JPEG at {@code quality} in (0, 1]. */
    public static void writeJpeg(Path file, BufferedImage img, float quality) throws IOException {
        byte[] bytes = encode(img, "jpeg", quality);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    static byte[] encode(BufferedImage img, String format, Float quality) throws IOException {
        ImageWriter w = ImageIO.getImageWritersByFormatName(format).next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            w.setOutput(out);
            ImageWriteParam p = w.getDefaultWriteParam();
            if (quality != null) {
                p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                p.setCompressionQuality(quality);
            }
            w.write(null, new IIOImage(img, null, null), p);
        } finally {
            w.dispose();
        }
        return bytes.toByteArray();
    }
}
