package dev.maskseg.pipeline.maskrcnn;

import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.data.LabelMaps;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.SyntheticScenes;
import dev.maskseg.pipeline.instances.CocoDataset;
import dev.maskseg.pipeline.instances.CocoJson;
import dev.maskseg.pipeline.instances.ImageId;
import dev.maskseg.pipeline.maskdistill.ClustersIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The COCO training set made from clustered masks, read back as training images, and the detector's train/test views. */
class DetectionDataTest {
    @TempDir
    Path tmp;

    /** Per train image of a generated set: one mask per visible object (from SegmentationObject), cluster = object class - 1. */
    private ClustersIndex objectMasks(Path data, Path masks, List<String> ids) throws Exception {
        Files.createDirectories(masks);
        Map<String, List<ClustersIndex.Assignment>> images = new LinkedHashMap<>();
        for (String id : ids) {
            int[] obj = LabelMaps.read(data.resolve("SegmentationObject/" + id + ".png")).labels();
            int[] cls = LabelMaps.read(data.resolve("SegmentationClass/" + id + ".png")).labels();
            List<ClustersIndex.Assignment> rows = new ArrayList<>();
            for (int o = 1; o <= 3; o++) {
                int[] px = new int[obj.length];
                int c = -1;
                for (int p = 0; p < obj.length; p++) {
                    if (obj[p] != o) continue;
                    px[p] = 255;
                    c = cls[p] - 1;
                }
                if (c < 0) continue;
                String f = id + "_" + (o - 1) + ".png";
                LabelMaps.write(masks.resolve(f), 48, 48, px);
                rows.add(new ClustersIndex.Assignment(f, 1.0, c, -1, 1 + c));
            }
            images.put(id, rows);
        }
        return new ClustersIndex(masks.toString(), 4, 1, 0.9, 1, ClustersIndex.Naming.NONE, 5, images);
    }

    @Test
    void clusteredMasksBecomeACocoTrainingSetThatLoadsBackAsTrainingImages() throws Exception {
        Path data = tmp.resolve("data"), masks = tmp.resolve("masks");
        SyntheticScenes.write(data, 10, 48, 4);
        List<String> ids = Files.readAllLines(data.resolve("ImageSets/Segmentation/train.txt"));
        ClustersIndex clusters = objectMasks(data, masks, ids);
        // an empty mask is left out, a mask of the wrong size drops its image with one problem line
        List<ClustersIndex.Assignment> first = new ArrayList<>(clusters.images().get(ids.get(0)));
        LabelMaps.write(masks.resolve("empty.png"), 48, 48, new int[48 * 48]);
        first.add(new ClustersIndex.Assignment("empty.png", 0.5, 2, -1, 3));
        Map<String, List<ClustersIndex.Assignment>> images = new LinkedHashMap<>(clusters.images());
        images.put(ids.get(0), first);
        ImageIO.write(new BufferedImage(20, 48, BufferedImage.TYPE_BYTE_GRAY), "png", masks.resolve(ids.get(1) + "_0.png").toFile());
        clusters = new ClustersIndex(clusters.priorMasks(), 4, 1, 0.9, 1, ClustersIndex.Naming.NONE, 5, images);

        List<String> problems = new ArrayList<>();
        Path json = tmp.resolve("instances.json");
        TrainingSet.Summary s = TrainingSet.fromClusters(clusters, masks, id -> data.resolve("JPEGImages/" + id + ".jpg"), json, false,
                new StageListener() {
                    @Override public void problem(String m) { problems.add(m); }
                });
        assertEquals(1, s.emptyMasks());
        assertEquals(1, s.skipped());
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains(ids.get(1) + "_0.png") && problems.get(0).contains("20x48"), problems.get(0));
        assertEquals(ids.size() - 1, s.images());

        CocoDataset d = CocoJson.readDataset(json);
        assertEquals(4, d.categories().size());
        assertEquals(s.annotations(), d.annotations().size());
        for (CocoDataset.Annotation a : d.annotations()) {
            assertTrue(a.categoryId() >= 0 && a.categoryId() < 4);
            var rle = a.segmentation().toRle(48, 48);
            assertEquals(rle.area(), a.area());
            assertArrayEquals(rle.toBbox(), a.bbox());
        }
        TrainingSet.Loaded loaded = TrainingSet.load(json, data.resolve("JPEGImages"));
        assertTrue(loaded.problems().isEmpty(), loaded.problems().toString());
        assertArrayEquals(new long[]{0, 1, 2, 3}, loaded.categoryIds());
        assertEquals(ids.size() - 1, loaded.images().size());
        TrainingSet.Image im = loaded.images().get(0);
        assertEquals(ImageId.of(ids.get(0)), im.id());
        assertEquals(clusters.images().get(ids.get(0)).size() - 1, im.instances().size(), "the empty mask is not an instance");
        for (TrainingSet.Instance inst : im.instances()) {
            double[] b = inst.box();
            assertTrue(b[2] > b[0] && b[3] > b[1] && b[2] <= 48 && b[3] <= 48);
        }
    }

    @Test
    void nearestResizeIsPillows() {
        boolean[] m = new boolean[20];
        for (int i = 0; i < 20; i++) m[i] = i % 3 == 0;
        byte[] big = DetectionInputs.nearest(m, 5, 4, 7, 9, false), small = DetectionInputs.nearest(m, 5, 4, 3, 2, false);
        // PIL Image.fromarray(m).resize((7, 9), NEAREST) and ((3, 2))
        assertArrayEquals(bytes(1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0,
                0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 0), big);
        assertArrayEquals(bytes(0, 0, 1, 1, 0, 0), small);
        assertArrayEquals(bytes(1, 0, 0, 0, 0, 1), DetectionInputs.nearest(m, 5, 4, 3, 2, true));
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    @Test
    void trainViewsScaleFlipAndClipTheObjectsWithTheImage() {
        // a 40x20 (w x h) image with one 10x6 object at x 2..12, y 4..10
        boolean[] mask = new boolean[40 * 20];
        for (int y = 4; y < 10; y++) for (int x = 2; x < 12; x++) mask[y * 40 + x] = true;
        var rle = dev.maskseg.pipeline.instances.Rle.encode(mask, 20, 40);
        TrainingSet.Image im = new TrainingSet.Image(ImageId.of("a"), Path.of("a.jpg"), 40, 20,
                List.of(new TrainingSet.Instance(1, new double[]{2, 4, 12, 10}, rle)));
        float[] rgb = new float[3 * 800];
        for (int i = 0; i < 800; i++) rgb[i] = (i % 40) / 39f;   // red grows to the right
        Sample s = new Sample(rgb, new byte[800], 40, 20);
        MaskRcnnConfig base = MaskRcnnConfig.demo();
        MaskRcnnConfig cfg = new MaskRcnnConfig(base.width(), false, "bn", "", 0, List.of(0.0, 0.0, 0.0), List.of(1.0, 1.0, 1.0), List.of(40), 1333, 40,
                1333, true, base.anchorSizes(), base.anchorRatios(), 128, 0.5, 100, 10, 100, 10, 0.7, 64, 0.25, 0.05, 0.5, 100, 2, 0.02, 0.9, 1e-4, 10,
                0.001, List.of(), 20, 10, 1);
        boolean sawFlip = false, sawPlain = false;
        for (int seed = 0; seed < 20; seed++) {
            DetectionInputs.View v = DetectionInputs.train(im, s, cfg, new SplittableRandom(seed));
            assertEquals(40, v.height());
            assertEquals(80, v.width());
            assertEquals(1, v.objects());
            boolean flipped = v.pixels()[0] > v.pixels()[79];
            float[] expect = flipped ? new float[]{56, 8, 76, 20} : new float[]{4, 8, 24, 20};
            assertArrayEquals(expect, v.boxes(), 1e-4f);
            assertEquals(1, v.masks().get(0)[(int) (12 * 80 + expect[0] + 1)], "inside the object");
            assertEquals(0, v.masks().get(0)[(int) (12 * 80 + (flipped ? 50 : 30))], "outside it");
            sawFlip |= flipped;
            sawPlain |= !flipped;
        }
        assertTrue(sawFlip && sawPlain, "flip with probability 0.5");
        DetectionInputs.View t = DetectionInputs.test(s, cfg);
        assertEquals(40, t.height());
        assertEquals(0, t.objects());
        DetectionInputs.Batch b = DetectionInputs.batch(List.of(t, DetectionInputs.test(new Sample(new float[3 * 600], new byte[600], 30, 20), cfg)));
        assertArrayEquals(new int[]{2, 3, 40, 80}, b.input().shape());
        assertArrayEquals(new int[]{40, 60}, b.sizes()[1]);
        assertEquals(0f, b.input().select(0, 1).select(0, 0).select(0, 39).select(0, 79).item(), 1e-6, "padding is 0");
        assertFalse(b.input().select(0, 0).select(0, 0).select(0, 39).select(0, 79).item() == 0, "the first image is not padded");
    }
}
