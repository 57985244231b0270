package dev.maskseg.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The PNG/JPEG files of a folder, sorted by name, and their stems. */
final class ImageFiles {
    private ImageFiles() {}

    static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": not a folder");
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(p -> p.getFileName().toString().toLowerCase().matches(".*\\.(png|jpe?g|bmp)")).sorted().toList();
            if (files.isEmpty()) throw new IOException(dir + ": no PNG/JPEG images");
            return files;
        }
    }

    static String stem(Path f) { return f.getFileName().toString().replaceFirst("\\.[^.]+$", ""); }
}
