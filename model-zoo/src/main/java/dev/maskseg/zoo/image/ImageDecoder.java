package dev.maskseg.zoo.image;

import dev.maskseg.engine.io.HeapBudget;
import org.w3c.dom.Node;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The one place images are decoded (every loader, stage and prior reads through it), so a bad file is always one
 * {@link IOException} naming it: missing, a folder, not an image, a header claiming more pixels than {@link #MAX_PIXELS}
 * or the heap can hold (checked before decoding), truncated or corrupt data (ImageIO's exceptions, and the warnings its
 * JPEG reader gives while it fills the missing part with grey). CMYK and YCCK JPEGs, which ImageIO decodes to wrong
 * colours, are converted to RGB as Pillow (the official code's image library) converts them ({@link CmykJpeg}).
 */
public final class ImageDecoder {
    /** Images of more pixels are refused: 16384 x 16384 (a PNG header can claim 2^31 x 2^31). */
    public static final long MAX_PIXELS = 1L << 28;
    /** Heap per pixel a decoded image and the float copy the pipeline makes of it need. */
    static final int BYTES_PER_PIXEL = 16;

    private ImageDecoder() {}

    /** The image in {@code file}. */
    public static BufferedImage read(Path file) throws IOException { return read(file, "image"); }

    /** The image in {@code file}; {@code what} names it in messages ("image", "label map", "mask"). */
    public static BufferedImage read(Path file, String what) throws IOException {
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "does not exist");
        if (Files.isDirectory(file)) throw new IOException(file + ": is a directory, not an " + what + " file");
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) throw new IOException(file + ": cannot be opened");
            return decode(in, file.toString(), what);
        }
    }

    /** An image from its file's bytes (a file of another file system); {@code source} names the file in messages. */
    public static BufferedImage read(String source, byte[] encoded, String what) throws IOException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            return decode(in, source, what);
        }
    }

    private static BufferedImage decode(ImageInputStream in, String source, String what) throws IOException {
        try {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new IOException(source + ": not a PNG, JPEG, BMP or GIF " + what);
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, false);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
                checkSize(source, what, reader.getWidth(0), reader.getHeight(0));
                int[] jpeg = jpegComponentsAndTransform(reader);
                BufferedImage img = jpeg[0] == 4 ? CmykJpeg.toRgb(reader.readRaster(0, null), jpeg[1] == 2) : reader.read(0);
                String damage = damage(warnings);
                if (damage != null) throw new IOException(source + ": truncated or corrupt " + what + " (" + damage + ")");
                if (img == null) throw new IOException(source + ": not a PNG, JPEG, BMP or GIF " + what);
                return img;
            } finally {
                reader.dispose();
            }
        } catch (IIOException | RuntimeException e) {
            throw new IOException(source + ": truncated or corrupt " + what + " (" + rootMessage(e) + ")", e);
        }
    }

    private static void checkSize(String file, String what, int w, int h) throws IOException {
        if (w < 1 || h < 1) throw new IOException(file + ": " + what + " of " + w + "x" + h + " pixels");
        long pixels = (long) w * h;
        if (pixels > MAX_PIXELS) {
            throw new IOException(file + ": " + what + " of " + w + "x" + h + " pixels, more than the " + MAX_PIXELS + " (16384x16384) maskseg decodes");
        }
        HeapBudget.require(pixels * BYTES_PER_PIXEL, file + ": a " + w + "x" + h + " " + what);
    }

    /** {components, Adobe transform} of a JPEG's first frame ({0, -1} for other formats; transform -1 without an Adobe marker). */
    private static int[] jpegComponentsAndTransform(ImageReader reader) throws IOException {
        if (!reader.getFormatName().equalsIgnoreCase("jpeg")) return new int[]{0, -1};
        IIOMetadata md = reader.getImageMetadata(0);
        if (md == null || !List.of(md.getMetadataFormatNames()).contains("javax_imageio_jpeg_image_1.0")) return new int[]{0, -1};
        Node root = md.getAsTree("javax_imageio_jpeg_image_1.0");
        int components = 0, transform = -1;
        for (Node n : descendants(root)) {
            if (n.getNodeName().equals("sof") && components == 0) components = intAttribute(n, "numFrameComponents", 0);
            if (n.getNodeName().equals("app14Adobe")) transform = intAttribute(n, "transform", -1);
        }
        return new int[]{components, transform};
    }

    private static List<Node> descendants(Node root) {
        List<Node> out = new ArrayList<>();
        List<Node> todo = new ArrayList<>(List.of(root));
        while (!todo.isEmpty()) {
            Node n = todo.removeLast();
            out.add(n);
            for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) todo.add(c);
        }
        return out;
    }

    private static int intAttribute(Node n, String name, int otherwise) {
        Node a = n.getAttributes() == null ? null : n.getAttributes().getNamedItem(name);
        try {
            return a == null ? otherwise : Integer.parseInt(a.getNodeValue());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /**
     * The reader's warnings that mean pixels are missing or wrong (libjpeg's "premature end of data segment", "missing
     * EOI marker", ...); null when there are none. Extraneous bytes between markers leave the image whole and pass.
     */
    private static String damage(List<String> warnings) {
        List<String> bad = warnings.stream().filter(w -> !w.toLowerCase().contains("extraneous bytes")).toList();
        return bad.isEmpty() ? null : String.join("; ", bad);
    }

    private static String rootMessage(Throwable e) {
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable c = e.getCause();
        if (c != null && c != e && c.getMessage() != null && !msg.contains(c.getMessage())) msg += ": " + c.getMessage();
        return msg;
    }
}
