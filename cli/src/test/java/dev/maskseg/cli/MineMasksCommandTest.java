package dev.maskseg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.tools.ToolProvider;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MineMasksCommandTest {
    @TempDir
    Path tmp;

    /** Three scenes with one object each, and one file that is not an image. */
    private Path images() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("images"));
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < 3; i++) {
            BufferedImage img = new BufferedImage(120, 90, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(new Color(110, 140, 90));
            g.fillRect(0, 0, 120, 90);
            for (int k = 0; k < 200; k++) {
                g.setColor(new Color(100 + r.nextInt(30), 130 + r.nextInt(30), 80 + r.nextInt(30)));
                g.fillRect(r.nextInt(120), r.nextInt(90), 3, 3);
            }
            g.setColor(new Color(200, 40 + 40 * i, 60));
            g.fillOval(35 + 5 * i, 25, 45, 35);
            g.dispose();
            ImageIO.write(img, "png", dir.resolve("img" + i + ".png").toFile());
        }
        Files.write(dir.resolve("broken.jpg"), new byte[]{1, 2, 3, 4, 5});
        return dir;
    }

    @Test
    void minesResumesAndReportsUnreadableImages() throws Exception {
        Path in = images(), out = tmp.resolve("masks");
        Console c = Console.run("mine-masks", "--prior", "mbplus", "--images", in.toString(), "--out", out.toString(), "--threads", "2");
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("3 images with 3 masks, 0 dropped (no mask), 1 failed (reported above)"), c.out());
        assertTrue(c.err().contains("broken.jpg"), c.err());
        JsonNode idx = new ObjectMapper().readTree(out.resolve("masks.json").toFile());
        assertEquals("mbplus", idx.get("prior").asText());
        assertEquals("error", idx.at("/images/broken/status").asText());
        JsonNode m = idx.at("/images/img1/masks/0");
        assertEquals("img1.png", m.get("file").asText());
        BufferedImage png = ImageIO.read(out.resolve("img1.png").toFile());
        assertEquals(120, png.getWidth());
        assertEquals(90, png.getHeight());
        int[] px = png.getRaster().getPixels(0, 0, 120, 90, (int[]) null);
        long on = java.util.Arrays.stream(px).filter(v -> v == 255).count();
        assertEquals(m.get("area").asLong(), on);
        assertTrue(java.util.Arrays.stream(px).allMatch(v -> v == 0 || v == 255));
        assertTrue(png.getRaster().getSample(57, 42, 0) == 255, "the object's centre is in the mask");

        FileTime before = Files.getLastModifiedTime(out.resolve("img1.png"));
        Console refused = Console.run("mine-masks", "--prior", "mbplus", "--images", in.toString(), "--out", out.toString());
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("holds a finished mine-masks run; pass --resume to continue it or --overwrite to replace it"), refused.err());
        Console again = Console.run("mine-masks", "--prior", "mbplus", "--images", in.toString(), "--out", out.toString(), "--resume");
        assertEquals(0, again.code());
        assertTrue(again.out().contains("0 images with 0 masks, 0 dropped (no mask), 1 failed (reported above), 3 already done"), again.out());
        assertEquals(before, Files.getLastModifiedTime(out.resolve("img1.png")));

        Console other = Console.run("mine-masks", "--prior", "slic", "--images", in.toString(), "--out", out.toString(), "--resume");
        assertEquals(1, other.code());
        assertTrue(other.err().contains("holds masks of prior mbplus"), other.err());
    }

    @Test
    void severalMasksPerImageAndParameterErrors() throws Exception {
        Path in = images(), out = tmp.resolve("slic");
        Console c = Console.run("mine-masks", "--prior", "slic", "--images", in.toString(), "--out", out.toString(),
                "--param", "segments=12", "--param", "min_area=0.05");
        assertEquals(0, c.code(), c.err());
        assertTrue(Files.exists(out.resolve("img0_0.png")) && Files.exists(out.resolve("img0_1.png")));
        JsonNode idx = new ObjectMapper().readTree(out.resolve("masks.json").toFile());
        assertEquals("12", idx.at("/params/segments").asText());
        for (JsonNode m : idx.at("/images/img0/masks")) assertTrue(m.get("area").asLong() >= 0.05 * 120 * 90);

        Console bad = Console.run("mine-masks", "--prior", "slic", "--images", in.toString(), "--out", tmp.resolve("x").toString(), "--param", "segmnts=3");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("unknown parameter 'segmnts'"), bad.err());
        Console missing = Console.run("mine-masks", "--prior", "lost", "--images", in.toString(), "--out", tmp.resolve("y").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("'weights' is required"), missing.err());
        Console unknown = Console.run("mine-masks", "--prior", "nope", "--images", in.toString(), "--out", tmp.resolve("z").toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown prior 'nope'"), unknown.err());
    }

    /** A third-party prior compiled here, jarred into a plugins folder, listed and used. */
    @Test
    void thirdPartyPluginJarIsPickedUp() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src/example"));
        Files.writeString(src.resolve("BoxPrior.java"), """
                package example;
                import dev.maskseg.prior.*;
                import java.awt.image.BufferedImage;
                import java.util.List;
                public final class BoxPrior implements MaskPrior {
                    public String name() { return "centre-box"; }
                    public String description() { return "the central box of a given fraction"; }
                    public List<PriorParam> params() { return List.of(new PriorParam("size", "0.5", "box side as a fraction")); }
                    public PriorResult run(BufferedImage img, PriorParams p, PriorContext c) {
                        int w = img.getWidth(), h = img.getHeight();
                        double s = p.number("size");
                        byte[] px = new byte[w * h];
                        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++)
                            if (Math.abs(x + 0.5 - w / 2.0) < s * w / 2 && Math.abs(y + 0.5 - h / 2.0) < s * h / 2) px[y * w + x] = 1;
                        return PriorResult.of(new PriorResult.Mask(w, h, px, 1));
                    }
                }
                """);
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                "-cp", System.getProperty("java.class.path"), src.resolve("BoxPrior.java").toString());
        assertEquals(0, rc);
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(plugins.resolve("box-prior.jar")))) {
            jar.putNextEntry(new JarEntry("META-INF/services/dev.maskseg.prior.MaskPrior"));
            jar.write("example.BoxPrior\n".getBytes());
            jar.putNextEntry(new JarEntry("example/BoxPrior.class"));
            jar.write(Files.readAllBytes(classes.resolve("example/BoxPrior.class")));
        }
        Console list = Console.run("plugins", "--plugins", plugins.toString());
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().contains("centre-box") && list.out().contains("box-prior.jar"), list.out());
        assertTrue(!Console.run("plugins").out().contains("centre-box"), "not there without --plugins");

        Path in = images(), out = tmp.resolve("box");
        Console c = Console.run("mine-masks", "--plugins", plugins.toString(), "--prior", "centre-box", "--param", "size=0.5",
                "--images", in.toString(), "--out", out.toString());
        assertEquals(0, c.code(), c.err());
        BufferedImage png = ImageIO.read(out.resolve("img0.png").toFile());
        int[] px = png.getRaster().getPixels(0, 0, 120, 90, (int[]) null);
        assertEquals(60 * 44 * 255L, java.util.Arrays.stream(px).asLongStream().sum());
        assertEquals(List.of("img0.png", "img1.png", "img2.png", "masks.json", "run.json"),
                Files.list(out).map(p -> p.getFileName().toString()).sorted().toList());
    }
}
