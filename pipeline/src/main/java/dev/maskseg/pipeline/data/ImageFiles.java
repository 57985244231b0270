package dev.maskseg.pipeline.data;

import dev.maskseg.zoo.image.ImageDecoder;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The PNG/JPEG files of a folder, sorted by name, and their stems (the ids every per-image output is named by). */
public final class ImageFiles {
    private ImageFiles() {}

    /** The folder's PNG/JPEG/BMP files by name; a missing folder or one without images is an error naming it. */
    public static List<Path> list(Path dir) throws IOException {
        if (!Files.exists(dir)) throw new java.nio.file.NoSuchFileException(dir.toString(), null, "does not exist");
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": is a file, not a folder of images");
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(p -> isImage(p.getFileName().toString())).sorted().toList();
            if (files.isEmpty()) throw new IOException(dir + ": no PNG/JPEG images");
            return files;
        }
    }

    /** The folder the files are in, as an absolute path (what a run records as its input); "" for no files. */
    public static String folderOf(List<Path> files) {
        return files.isEmpty() ? "" : files.get(0).toAbsolutePath().normalize().getParent().toString();
    }

    /** Whether a file name is one {@link #list} takes (.png, .jpg, .jpeg, .bmp in any case). */
    public static boolean isImage(String fileName) { return fileName.toLowerCase().matches(".*\\.(png|jpe?g|bmp)"); }

    /**
     * The folder's images whose stems are listed in {@code ids} (one per line, e.g. a VOC {@code ImageSets/Segmentation}
     * split), in the list's order; a listed id without an image is an error naming it.
     */
    public static List<Path> list(Path dir, Path ids) throws IOException {
        if (!Files.exists(ids)) throw new java.nio.file.NoSuchFileException(ids.toString(), null, "does not exist");
        java.util.Map<String, Path> byStem = new java.util.HashMap<>();
        for (Path f : list(dir)) byStem.putIfAbsent(stem(f), f);
        List<Path> out = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(ids)) {
            String id = line.trim();
            if (id.isEmpty()) continue;
            Path f = byStem.get(id);
            if (f == null) throw new IOException(ids + ": no image for id " + id + " in " + dir);
            out.add(f);
        }
        if (out.isEmpty()) throw new IOException(ids + ": lists no ids");
        return out;
    }

    /** The file name without its extension. */
    public static String stem(Path f) { return stem(f.getFileName().toString()); }

    /** The file name without its extension. */
    public static String stem(String fileName) { return fileName.replaceFirst("\\.[^.]+$", ""); }

    /**
     * An encoded image (a file of another file system, as its bytes) decoded by {@link ImageDecoder}, so with the same
     * checks as a local file: an undecodable, truncated or oversized image is an {@link IOException}.
     */
    public static BufferedImage decode(byte[] encoded) throws IOException { return ImageDecoder.read("image", encoded, "image"); }
}
