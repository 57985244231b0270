package dev.maskseg.zoo.image;

import dev.maskseg.testing.BadImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad image is one IOException naming the file and what is wrong; CMYK and YCCK JPEGs decode to Pillow's colours. */
class ReliabilityImageTest {
    @TempDir
    Path dir;

    private void refused(Path f, String fragment) {
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(IOException.class, () -> ImageDecoder.read(f)));
        assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "says why (" + fragment + "): " + e.getMessage());
    }

    @Test
    void truncatedImagesAreRefused() throws IOException {
        refused(BadImages.truncated(dir.resolve("quarter.jpg"), 0.25), "truncated or corrupt image");
        refused(BadImages.truncated(dir.resolve("half.jpg"), 0.5), "premature end");
        refused(BadImages.truncated(dir.resolve("half.png"), 0.5), "truncated or corrupt image");
        refused(BadImages.truncated(dir.resolve("header.jpg"), 0.01), "truncated or corrupt image");
        Path empty = Files.write(dir.resolve("empty.png"), new byte[0]);
        refused(empty, "not a PNG, JPEG, BMP or GIF image");
        BufferedImage whole = ImageDecoder.read(BadImages.write(dir.resolve("whole.jpg"), BadImages.noise(200, 150, 3)));
        assertEquals(200, whole.getWidth(), "an intact JPEG decodes");
    }

    @Test
    void absurdHeadersAreRefusedBeforeDecoding() throws IOException {
        refused(BadImages.pngClaiming(dir.resolve("huge.png"), 1 << 30, 1 << 30), "more than the 268435456");
        refused(BadImages.pngClaiming(dir.resolve("wide.png"), 20_000, 20_000), "20000x20000 pixels");
        refused(BadImages.pngClaiming(dir.resolve("zero.png"), 0, 5), "truncated or corrupt image");
    }

    @Test
    void missingFoldersAndForeignFilesAreNamed() throws IOException {
        refused(dir.resolve("missing.png"), "does not exist");
        refused(Files.createDirectory(dir.resolve("folder.png")), "is a directory");
        refused(BadImages.text(dir.resolve("notes.jpg")), "not a PNG, JPEG, BMP or GIF image");
    }

    /** A file of another file system, given as its bytes (a Spark task's input), gets the same checks and conversions. */
    @Test
    void bytesAreDecodedWithTheSameChecks() throws IOException {
        byte[] cut = Files.readAllBytes(BadImages.truncated(dir.resolve("half.jpg"), 0.5));
        IOException e = assertThrows(IOException.class, () -> ImageDecoder.read("hdfs:///x/half.jpg", cut, "image"));
        assertTrue(e.getMessage().startsWith("hdfs:///x/half.jpg: truncated or corrupt image"), e.getMessage());
        byte[] huge = Files.readAllBytes(BadImages.pngClaiming(dir.resolve("huge.png"), 1 << 30, 1 << 30));
        assertThrows(IOException.class, () -> ImageDecoder.read("huge.png", huge, "image"));
        byte[] cmyk = Files.readAllBytes(BadImages.fourChannelJpeg(dir.resolve("c.jpg"), new int[]{200, 30, 100, 180}, false));
        assertRgb(ImageDecoder.read("c.jpg", cmyk, "image"), 141, 21, 71);
    }

    /** Expected values: Pillow 12 on the same files gives (141, 21, 71) and (66, 1, 162); ImageIO's own decoding gives other colours. */
    @Test
    void cmykAndYcckJpegsGetPillowsColours() throws IOException {
        BufferedImage cmyk = ImageDecoder.read(BadImages.fourChannelJpeg(dir.resolve("cmyk.jpg"), new int[]{200, 30, 100, 180}, false));
        assertRgb(cmyk, 141, 21, 71);
        BufferedImage ycck = ImageDecoder.read(BadImages.fourChannelJpeg(dir.resolve("ycck.jpg"), new int[]{200, 30, 100, 180}, true));
        assertRgb(ycck, 66, 1, 162);
        assertEquals(64, ycck.getWidth());
        assertEquals(48, ycck.getHeight());
    }

    private static void assertRgb(BufferedImage img, int r, int g, int b) {
        for (int[] at : new int[][]{{0, 0}, {31, 20}, {63, 47}}) {
            int p = img.getRGB(at[0], at[1]);
            int[] got = {(p >> 16) & 255, (p >> 8) & 255, p & 255};
            int[] want = {r, g, b};
            for (int c = 0; c < 3; c++) assertTrue(Math.abs(got[c] - want[c]) <= 2, "channel " + c + " at " + at[0] + "," + at[1] + ": " + got[c] + " vs " + want[c]);
        }
    }
}
