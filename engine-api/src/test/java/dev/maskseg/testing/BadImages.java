package dev.maskseg.testing;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * Test helper: the bad-image corpus, generated in code: truncated PNGs and JPEGs, CMYK and YCCK JPEGs, PNG headers
 * claiming absurd sizes, files that are not images, and flat images. Every method writes {@code file} and returns it.
 */
public final class BadImages {
    private BadImages() {}

    /** A noisy RGB image (noise keeps JPEG data long, so a cut lands inside the scan). */
    public static BufferedImage noise(int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, r.nextInt(0x1000000));
        return img;
    }

    public static BufferedImage flat(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, rgb);
        return img;
    }

    public static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, out)) throw new IOException("no writer for " + format);
        return out.toByteArray();
    }

    public static Path write(Path file, BufferedImage img) throws IOException {
        Files.write(file, encode(img, file.getFileName().toString().toLowerCase().endsWith(".png") ? "png" : "jpg"));
        return file;
    }

    /** The first {@code fraction} of a valid encoding of a noisy 200x150 image. */
    public static Path truncated(Path file, double fraction) throws IOException {
        byte[] full = encode(noise(200, 150, 3), file.getFileName().toString().toLowerCase().endsWith(".png") ? "png" : "jpg");
        Files.write(file, Arrays.copyOf(full, (int) (full.length * fraction)));
        return file;
    }

    /** A valid PNG whose IHDR (CRC recomputed) claims {@code w} x {@code h} pixels. */
    public static Path pngClaiming(Path file, int w, int h) throws IOException {
        byte[] png = encode(noise(8, 8, 1), "png");
        ByteBuffer.wrap(png, 16, 8).putInt(w).putInt(h);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17);
        ByteBuffer.wrap(png, 29, 4).putInt((int) crc.getValue());
        Files.write(file, png);
        return file;
    }

    /**
     * A 64x48 four-channel JPEG of one colour, its raw samples {@code cmyk} (or Y, Cb, Cr, K with {@code ycck}), with an
     * Adobe APP14 marker of transform 0 or 2 (written at full quality, so samples come back within a unit or two).
     */
    public static Path fourChannelJpeg(Path file, int[] samples, boolean ycck) throws IOException {
        WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 64, 48, 4, null);
        for (int y = 0; y < 48; y++) for (int x = 0; x < 64; x++) r.setPixel(x, y, samples);
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream os = ImageIO.createImageOutputStream(bytes)) {
            w.setOutput(os);
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(1f);
            w.write(null, new IIOImage(r, null, null), p);
        } finally {
            w.dispose();
        }
        byte[] jpeg = bytes.toByteArray();
        byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) (ycck ? 2 : 0)};
        byte[] out = new byte[jpeg.length + app14.length];
        System.arraycopy(jpeg, 0, out, 0, 2);
        System.arraycopy(app14, 0, out, 2, app14.length);
        System.arraycopy(jpeg, 2, out, 2 + app14.length, jpeg.length - 2);
        Files.write(file, out);
        return file;
    }

    public static Path text(Path file) throws IOException {
        Files.writeString(file, "not an image\n");
        return file;
    }
}
