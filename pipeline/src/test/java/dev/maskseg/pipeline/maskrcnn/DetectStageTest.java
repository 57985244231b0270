package dev.maskseg.pipeline.maskrcnn;

import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.data.ImageFiles;
import dev.maskseg.pipeline.data.LabelMaps;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.SyntheticScenes;
import dev.maskseg.pipeline.instances.CocoJson;
import dev.maskseg.pipeline.instances.CocoResult;
import dev.maskseg.pipeline.instances.ImageId;
import dev.maskseg.pipeline.maskdistill.DetectorPseudoMaps;
import dev.maskseg.pipeline.maskdistill.PseudoMaps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code detect}'s results file (order, RLE, boxes, per-file errors, continuation) and the §3.5 maps painted from it. */
class DetectStageTest {
    @TempDir
    Path tmp;

    /** A detector that returns, for every image, two fixed candidates: a left block (0.95, class 1) and a right block (0.5, class 0). */
    private static final class Blocks implements InstanceDetector {
        int calls;

        @Override
        public List<Detection> detect(Sample image) {
            calls++;
            int w = image.width(), h = image.height();
            byte[] left = new byte[w * h], right = new byte[w * h];
            for (int y = 2; y < 10; y++) {
                for (int x = 1; x < 6; x++) left[y * w + x] = 1;
                for (int x = 4; x < 20; x++) right[y * w + x] = 1;
            }
            return List.of(new Detection(new float[]{1, 2, 6, 10}, 0.95f, 1, left), new Detection(new float[]{4, 2, 20, 10}, 0.5f, 0, right));
        }

        @Override
        public long categoryId(int classIndex) { return 10 + classIndex; }
    }

    @Test
    void resultsAreSortedPerImageWithRleMasksBadFilesAreRecordedAndAKilledRunContinues() throws Exception {
        Path data = tmp.resolve("data");
        SyntheticScenes.write(data, 4, 32, 2);
        List<Path> images = new ArrayList<>(ImageFiles.list(data.resolve("JPEGImages")));
        Files.write(images.get(2), new byte[]{1, 2, 3});  // corrupt
        Path out = tmp.resolve("det/results.json");
        Files.createDirectories(out.getParent());
        // a run killed after the first image left its partial file: that image is not detected again
        Blocks det = new Blocks();
        String firstStem = ImageFiles.stem(images.get(0));
        Files.createDirectories(tmp.resolve("det/results.json.partial"));
        CocoJson.writeResults(tmp.resolve("det/results.json.partial/" + firstStem + ".json"), new DetectStage(det, false).results(firstStem, image(images.get(0))));
        det.calls = 0;

        List<String> problems = new ArrayList<>();
        DetectStage.Summary s = new DetectStage(det, false).run(images, out, new StageListener() {
            @Override public void problem(String m) { problems.add(m); }
        });
        assertEquals(2, det.calls, "the first image was done, the third is corrupt");
        assertEquals(1, s.alreadyDone());
        assertEquals(1, s.failed());
        assertEquals(3, s.images());
        assertEquals(6, s.detections());
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).contains(images.get(2).toString()), problems.get(0));
        assertTrue(Files.readString(tmp.resolve("det/results.json.errors.json")).contains(ImageFiles.stem(images.get(2))));
        assertFalse(Files.exists(tmp.resolve("det/results.json.partial")), "the partial folder is removed");

        List<CocoResult> r = CocoJson.readResults(out);
        assertEquals(ImageId.of(firstStem), r.get(0).imageId());
        assertEquals(11, r.get(0).categoryId());
        assertEquals(0.95f, (float) r.get(0).score());
        assertEquals(10, r.get(1).categoryId());
        assertArrayEquals(new double[]{1, 2, 5, 8}, r.get(0).bbox(), 1e-6);
        assertEquals(40, r.get(0).segmentation().toRle(0, 0).area());
        assertEquals(32, r.get(0).segmentation().toRle(0, 0).width());

        // the confident-mask maps: the left block (0.95 >= 0.9) alone, painted 1 + 11
        Path maps = tmp.resolve("pseudo");
        DetectorPseudoMaps.Summary p = DetectorPseudoMaps.paint(out, 0.9, PseudoMaps.Rule.PAPER, maps, StageListener.NONE);
        assertEquals(3, p.images());
        assertEquals(3, p.painted());
        int[] m = LabelMaps.read(maps.resolve(firstStem + ".png")).labels();
        assertEquals(12, m[3 * 32 + 2]);
        assertEquals(0, m[3 * 32 + 10], "the 0.5 block is below tau");
        assertFalse(Files.exists(maps.resolve(ImageFiles.stem(images.get(2)) + ".png")), "no map for an image without detections");
        assertTrue(DetectorPseudoMaps.madeWith(maps, out, 0.9, PseudoMaps.Rule.PAPER));
        assertFalse(DetectorPseudoMaps.madeWith(maps, out, 0.8, PseudoMaps.Rule.PAPER));
        assertFalse(DetectorPseudoMaps.madeWith(maps, out, 0.9, PseudoMaps.Rule.OFFICIAL));
        // below tau everywhere: the top candidate alone
        DetectorPseudoMaps.paint(out, 0.99, PseudoMaps.Rule.OFFICIAL, maps, StageListener.NONE);
        m = LabelMaps.read(maps.resolve(firstStem + ".png")).labels();
        assertEquals(12, m[3 * 32 + 5]);
        assertEquals(0, m[3 * 32 + 10]);

        // the guarded entry: an existing results file needs overwrite; another detector's partial results are refused
        assertThrows(java.io.IOException.class, () -> new DetectStage(new Blocks(), false).run(images, out, "m1", false, StageListener.NONE));
        Path other = tmp.resolve("det/other.json");
        Files.createDirectories(tmp.resolve("det/other.json.partial"));
        Files.writeString(tmp.resolve("det/other.json.partial/detector.txt"), "m0");
        var e = assertThrows(java.io.IOException.class, () -> new DetectStage(new Blocks(), false).run(images, other, "m1", false, StageListener.NONE));
        assertTrue(e.getMessage().contains("another detector") && e.getMessage().contains("m0"), e.getMessage());
        assertEquals(3, new DetectStage(new Blocks(), false).run(images, other, "m1", true, StageListener.NONE).images());

        Files.write(images.get(2), Files.readAllBytes(images.get(1)));
        Files.writeString(images.get(3), "not an image");
        assertThrows(java.io.IOException.class, () -> new DetectStage(new Blocks(), true).run(images, tmp.resolve("strict.json"), StageListener.NONE));
    }

    private static Sample image(Path f) throws Exception { return dev.maskseg.pipeline.data.ImageSet.imageOnly(f); }
}
