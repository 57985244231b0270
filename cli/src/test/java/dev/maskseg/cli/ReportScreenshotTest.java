package dev.maskseg.cli;

import dev.maskseg.pipeline.data.Overlays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The demo report rendered by headless Chromium, as a user's browser shows it: the page renders (not blank), and the
 * colour legend is on screen (each class's swatch colour and the prior mask's appear as solid pixels; the overlays
 * only blend those colours, so solid ones come from the legend and the per-class table). Skipped, with a line saying
 * so, where Chromium is not installed ({@code bin/test} installs Debian's; {@code tools/check-report.sh} too).
 */
class ReportScreenshotTest {
    @TempDir
    Path tmp;

    @Test
    void reportRendersInHeadlessChromiumWithItsLegend() throws Exception {
        Path chromium = chromium();
        if (chromium == null) System.err.println("ReportScreenshotTest: SKIPPED, no chromium on PATH (install Debian's chromium, as bin/test does)");
        assumeTrue(chromium != null, "chromium is not installed");
        Path out = tmp.resolve("demo");
        Console c = Console.run("demo", "--out", out.toString(), "--images", "24", "--size", "48", "--epochs", "1");
        assertEquals(0, c.code(), c.err());
        Path shot = out.resolve("report-screenshot.png");
        Process p = new ProcessBuilder(chromium.toString(), "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--window-size=1200,2600", "--screenshot=" + shot, out.resolve("report.html").toUri().toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "chromium finished within 3 minutes");
        assertTrue(Files.exists(shot), "chromium wrote " + shot);

        BufferedImage img = ImageIO.read(shot.toFile());
        Set<Integer> distinct = new HashSet<>();
        int[] px = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        for (int v : px) distinct.add(v & 0xFFFFFF);
        assertTrue(distinct.size() > 500, "a rendered page, not a blank one: " + distinct.size() + " colours");
        for (int label : List.of(1, 2, 3, 4, 10)) { // the four classes and the prior mask
            int want = Overlays.color(label), n = 0;
            for (int v : px) if ((v & 0xFFFFFF) == want) n++;
            assertTrue(n >= 100, String.format("legend swatch #%06x of label %d on screen: %d pixels", want, label, n));
        }
    }

    /** chromium (Debian), chromium-browser or google-chrome on the PATH; null when none. */
    private static Path chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                Path f = Path.of(dir, name);
                if (Files.isExecutable(f)) return f;
            }
        }
        return null;
    }
}
