package dev.maskseg.pipeline;

import dev.maskseg.pipeline.batch.BatchOptions;
import dev.maskseg.pipeline.data.ImageFiles;
import dev.maskseg.pipeline.data.MasksIndex;
import dev.maskseg.pipeline.data.PriorMasks;
import dev.maskseg.pipeline.mining.MaskMiningStage;
import dev.maskseg.prior.MaskPrior;
import dev.maskseg.prior.PriorContext;
import dev.maskseg.prior.PriorParam;
import dev.maskseg.prior.PriorParams;
import dev.maskseg.prior.PriorResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mining stage through its API: per-image work, masks.json written by MasksIndex and read back by PriorMasks, resume. */
class MaskMiningStageTest {
    @TempDir
    Path tmp;

    /** Left half of the image for "one", both halves (scores 0.9 and 0.4) for "two", nothing for "none". */
    static final class HalvesPrior implements MaskPrior {
        public String name() { return "halves"; }

        public String description() { return "test prior"; }

        public List<PriorParam> params() { return List.of(new PriorParam("masks", "1", "1, 2 or 0 masks")); }

        public PriorResult run(BufferedImage img, PriorParams p, PriorContext c) {
            int w = img.getWidth(), h = img.getHeight(), n = p.integer("masks");
            List<PriorResult.Mask> out = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                byte[] px = new byte[w * h];
                for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) if ((x < w / 2) == (k == 0)) px[y * w + x] = 1;
                out.add(new PriorResult.Mask(w, h, px, k == 0 ? 0.9 : 0.4));
            }
            return new PriorResult(out);
        }
    }

    private Path images() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("images"));
        for (String id : List.of("a", "b")) ImageIO.write(new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB), "png", dir.resolve(id + ".png").toFile());
        Files.write(dir.resolve("broken.png"), new byte[]{1, 2, 3});
        return dir;
    }

    @Test
    void minesWritesTheIndexAndResumes() throws Exception {
        Path in = images(), out = tmp.resolve("masks");
        HalvesPrior prior = new HalvesPrior();
        MaskMiningStage stage = new MaskMiningStage(prior, PriorParams.resolve(prior, Map.of("masks", "2")));
        List<String> problems = new ArrayList<>();
        long[] steps = {0};
        StageListener l = new StageListener() {
            @Override public synchronized void problem(String m) { problems.add(m); }

            @Override public synchronized void advance(long n, String status) { steps[0] += n; }
        };
        MaskMiningStage.Summary s = stage.run(ImageFiles.list(in), out, 2, l);
        assertEquals(List.of(2, 4, 0, 1, 0), List.of(s.mined(), s.masks(), s.dropped(), s.failed(), s.alreadyDone()), s.line());
        assertEquals(3, steps[0]);
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).contains("broken.png"), problems.get(0));
        assertTrue(s.line().startsWith("mine-masks halves: 2 images with 4 masks, 0 dropped (no mask), 1 failed (reported above), 0 already done"), s.line());

        MasksIndex idx = MasksIndex.read(out);
        assertEquals("halves", idx.prior());
        assertEquals(Map.of("masks", "2"), idx.params());
        assertEquals(MasksIndex.Entry.ERROR, idx.entry("broken").status());
        assertEquals(List.of(new MasksIndex.MaskFile("a_0.png", 0.9, 4), new MasksIndex.MaskFile("a_1.png", 0.4, 4)), idx.entry("a").masks());
        List<PriorMasks.Candidate> c = PriorMasks.open(out).candidates("b");
        assertEquals(List.of(new PriorMasks.Candidate(out.resolve("b_0.png"), 0.9), new PriorMasks.Candidate(out.resolve("b_1.png"), 0.4)), c);
        assertArrayEquals(new byte[]{1, 1, 0, 0, 1, 1, 0, 0}, PriorMasks.read(out.resolve("b_0.png"), 4, 2));

        Files.delete(out.resolve("b_1.png")); // a lost file makes its image not done
        var e0 = assertThrows(IllegalArgumentException.class, () -> stage.run(ImageFiles.list(in), out, 1, StageListener.NONE));
        assertTrue(e0.getMessage().contains("holds a finished mine-masks run; pass --resume"), e0.getMessage());
        BatchOptions resume = new BatchOptions(false, RunFolder.Mode.RESUME);
        MaskMiningStage.Summary again = stage.run(ImageFiles.list(in), out, 1, resume, StageListener.NONE);
        assertEquals(List.of(1, 2, 1, 1), List.of(again.mined(), again.masks(), again.failed(), again.alreadyDone()), again.line());
        assertTrue(Files.exists(out.resolve("b_1.png")));

        MaskMiningStage other = new MaskMiningStage(prior, PriorParams.resolve(prior, Map.of()));
        var e = assertThrows(IllegalArgumentException.class, () -> other.run(ImageFiles.list(in), out, 1, resume, StageListener.NONE));
        assertTrue(e.getMessage().contains("holds masks of prior halves with {masks=2}, not halves with {masks=1}"), e.getMessage());
    }

    @Test
    void oneImageAtATimeAsASparkTaskWould() throws Exception {
        Path in = images(), out = Files.createDirectories(tmp.resolve("one"));
        HalvesPrior prior = new HalvesPrior();
        MaskMiningStage one = new MaskMiningStage(prior, PriorParams.resolve(prior, Map.of())), none = new MaskMiningStage(prior,
                PriorParams.resolve(prior, Map.of("masks", "0")));
        MasksIndex.Entry a = one.processImage(in.resolve("a.png"), out, StageListener.NONE);
        assertEquals(MasksIndex.Entry.OK, a.status());
        assertEquals(List.of(new MasksIndex.MaskFile("a.png", 0.9, 4)), a.masks());
        MasksIndex.Entry b = none.processImage(in.resolve("b.png"), out, StageListener.NONE);
        assertEquals(MasksIndex.Entry.DROPPED, b.status());
        MasksIndex idx = MasksIndex.openForWriting(out, "halves", Map.of("masks", "1"));
        idx.record("a", a);
        idx.save();
        MasksIndex back = MasksIndex.read(out);
        assertEquals(a, back.entry("a"));
        assertNull(back.entry("b"));
        assertTrue(back.done("a"));
        assertEquals(1, PriorMasks.open(out).candidates("a").size());
    }
}
