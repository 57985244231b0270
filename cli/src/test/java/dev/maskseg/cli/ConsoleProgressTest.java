package dev.maskseg.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The terminal bar keeps its fields apart and whole at any width, and an error never lands on a bar's line. */
class ConsoleProgressTest {
    @TempDir
    Path tmp;

    private static final String STATUS = "epoch 5/20 | loss 4.0581 | lr 0.004";

    /** Renders a bar at {@code width} columns, as the progressbar library's thread does, and returns every rendering. */
    private static List<String> renders(int width) {
        List<String> seen = new ArrayList<>();
        ProgressBarConsumer capture = new ProgressBarConsumer() {
            @Override public int getMaxRenderedLength() { return width; }

            @Override public void accept(String s) { seen.add(s); }

            @Override public void close() {}
        };
        ProgressBar bar = new ProgressBar("train", 5120, 10, false, false, 0, Duration.ZERO, new ConsoleProgress.Renderer("images"), capture);
        bar.setExtraMessage(STATUS);
        bar.stepBy(2048);
        try {
            Thread.sleep(60);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        bar.close();
        return seen;
    }

    @Test
    void barFieldsAreSeparatedAndNeverCutAtAnyWidth() {
        List<String> wide = renders(160);
        String last = wide.get(wide.size() - 1);
        assertTrue(last.startsWith("train  40% ["), last);
        assertTrue(last.contains("] 2048/5120 images | epoch 5/20 | loss 4.0581 | lr 0.004 | "), last);
        assertTrue(last.matches(".* \\| \\d+(\\.\\d+)? images/s \\| .*"), "speed is a field of its own: " + last);
        for (int width : new int[]{120, 100, 80, 60, 45}) {
            for (String r : renders(width)) {
                assertTrue(r.length() < width, width + " columns: " + r.length() + " '" + r + "'");
                for (String field : r.substring(r.indexOf(']') + 1).split(" \\| ")) {
                    String f = field.trim();
                    assertTrue(f.matches("\\d+/\\d+ images|epoch 5/20|loss 4\\.0581|lr 0\\.004|(\\d+(\\.\\d+)?|-) images/s|[\\d.:]+( s)?( < [\\d.:]+( s)?)?"),
                            width + " columns, a field cut or run together: '" + f + "' in '" + r + "'");
                }
            }
        }
    }

    /** A demo that fails while its training bar is up (too few images for one batch): the error starts a line of its own. */
    @Test
    void errorIsNeverGluedOntoABar() {
        String before = System.getProperty("maskseg.progress");
        System.setProperty("maskseg.progress", "bar");
        try {
            Console c = Console.run("demo", "--out", tmp.resolve("demo").toString(), "--images", "5", "--size", "32", "--epochs", "1");
            assertEquals(1, c.code(), c.err());
            int at = c.err().indexOf("maskseg demo: ");
            assertTrue(at >= 0, c.err());
            assertTrue(c.err().contains("\r"), "bars were drawn: " + c.err());
            assertTrue(at == 0 || c.err().charAt(at - 1) == '\n', "the error starts its own line:\n" + c.err().replace("\r", "<CR>"));
            assertFalse(c.err().substring(at).contains("\r"), "nothing redraws over the error");
        } finally {
            if (before == null) System.clearProperty("maskseg.progress");
            else System.setProperty("maskseg.progress", before);
        }
    }
}
