package dev.maskseg.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.pipeline.RunFolder;
import dev.maskseg.pipeline.data.SyntheticScenes;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Generated data for the Spark tests, and the comparisons they make. */
final class Fixtures {
    private Fixtures() {}

    /** A VOC-layout folder of generated scenes (docs/design.md §6), plus one broken image in JPEGImages/. */
    static Path dataset(Path root, int images, int size) throws Exception {
        SyntheticScenes.write(root, images, size, 7);
        Files.write(root.resolve("JPEGImages/zz_broken.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        return root;
    }

    /** Label maps that disagree with the ground truth in a seeded way: a permutation of the classes, noise, and one extra label. */
    static Path predictions(Path gt, Path out) throws Exception {
        Files.createDirectories(out);
        SplittableRandom r = new SplittableRandom(3);
        try (Stream<Path> s = Files.list(gt)) {
            for (Path g : s.sorted().toList()) {
                BufferedImage img = ImageIO.read(g.toFile());
                int w = img.getWidth(), h = img.getHeight();
                int[] px = img.getRaster().getPixels(0, 0, w, h, (int[]) null);
                BufferedImage p = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
                int[] labels = new int[w * h];
                for (int i = 0; i < labels.length; i++) {
                    int v = px[i] == 255 ? 0 : (px[i] * 3 + 1) % 5;
                    double u = r.nextDouble();
                    labels[i] = u < 0.1 ? r.nextInt(5) : u < 0.12 ? 6 : v;
                }
                p.getRaster().setPixels(0, 0, w, h, labels);
                ImageIO.write(p, "png", out.resolve(g.getFileName()).toFile());
            }
        }
        return out;
    }

    /** Every file under both folders (hidden ones too): same names, same bytes. */
    static void assertSameFiles(Path expected, Path actual) throws Exception { assertSameFiles(expected, actual, null); }

    /**
     * As {@link #assertSameFiles(Path, Path)} for a job that read its images through the Hadoop file system of
     * {@code scheme}: masks.json names a bad image by its URI there ({@code scheme:/path}), not by its local path.
     */
    static void assertSameFiles(Path expected, Path actual, String scheme) throws Exception {
        TreeMap<String, byte[]> a = files(expected), b = files(actual);
        assertEquals(a.keySet(), b.keySet(), "files of " + actual + " vs " + expected);
        for (String k : a.keySet()) {
            byte[] got = b.get(k);
            if (scheme != null && k.equals("masks.json")) got = new String(got, StandardCharsets.UTF_8).replace(scheme + ":", "").getBytes(StandardCharsets.UTF_8);
            if (k.equals(RunFolder.MARKER)) assertSameRun(a.get(k), got);
            else assertArrayEquals(a.get(k), got, k + " differs");
        }
    }

    /** run.json records times, speeds and what an earlier run did, and names files as each side reads them: the same command, state, images and failures. */
    private static void assertSameRun(byte[] expected, byte[] actual) throws Exception {
        JsonNode a = JSON.readTree(expected), b = JSON.readTree(actual);
        for (String k : new String[]{"/command", "/state", "/summary/images", "/summary/failed"}) assertEquals(a.at(k), b.at(k), "run.json " + k);
        assertEquals(a.at("/summary/errors").size(), b.at("/summary/errors").size(), "run.json errors");
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    static TreeMap<String, byte[]> files(Path dir) throws Exception {
        TreeMap<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
        }
        return out;
    }

    /** What a command printed on stdout and its exit code. */
    record Run(int code, String out) {}

    /** Runs {@code command} with stdout captured (stderr passes through). */
    static synchronized Run stdout(java.util.concurrent.Callable<Integer> command) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = command.call();
            return new Run(code, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }

    static Run spark(String... args) throws Exception { return stdout(() -> SparkMain.run(args)); }

    static Run single(String... args) throws Exception { return stdout(() -> dev.maskseg.cli.Main.run(args)); }
}
