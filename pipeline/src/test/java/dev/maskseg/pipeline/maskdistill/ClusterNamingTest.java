package dev.maskseg.pipeline.maskdistill;

import dev.maskseg.engine.Generator;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.data.LabelMaps;
import dev.maskseg.pipeline.data.PriorMasks;
import dev.maskseg.pipeline.data.SyntheticScenes;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.pipeline.instances.VocInstances;
import dev.maskseg.zoo.vit.ViTConfig;
import dev.maskseg.zoo.vit.VisionTransformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cluster.py's naming: targets from ground-truth boxes, count-based Hungarian or majority, and the pseudo maps it paints. */
class ClusterNamingTest {
    @TempDir
    Path tmp;

    /**
     * Cluster 0 holds 3 masks of class 0 and 2 of class 1, cluster 1 holds 4 of class 0: the count vote names both class 0;
     * the count-based Hungarian (one to one) gives class 0 to cluster 1 (4 masks) and class 1 to cluster 0 (2).
     */
    @Test
    void hungarianOnCountsWithAsManyClustersAsClassesMajorityWhenOverClustering() {
        int[] cluster = {0, 0, 0, 0, 0, 1, 1, 1, 1, 0}, target = {0, 0, 0, 1, 1, 0, 0, 0, 0, -1};
        ClusterNaming h = ClusterNaming.of(cluster, target, 2, 2);
        assertEquals("hungarian", h.method());
        assertEquals(Map.of(0, 1, 1, 0), h.matching());
        assertEquals(9, h.targeted(), "the mask without a target does not vote");

        int[] over = {0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3}, t = {0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, -1};
        ClusterNaming m = ClusterNaming.of(over, t, 4, 2);
        assertEquals("majority-count", m.method());
        assertEquals(Map.of(0, 0, 1, 0, 2, 0, 3, 0), m.matching(), "cluster 2: one vote each, the lower class; cluster 3: no votes");
        assertThrows(IllegalArgumentException.class, () -> ClusterNaming.of(cluster, target, 1, 2));
    }

    @Test
    void vocAnnotationsGiveBoxesAndTheBestIouNamesTheTarget() throws Exception {
        Files.createDirectories(tmp.resolve("Annotations"));
        Files.writeString(tmp.resolve("Annotations/a.xml"), "<annotation><object><name>cat</name><difficult>1</difficult><bndbox><xmin>1</xmin><ymin>1</ymin>"
                + "<xmax>10</xmax><ymax>10</ymax></bndbox></object><object><name>aeroplane</name><difficult>0</difficult><bndbox><xmin>11</xmin>"
                + "<ymin>1</ymin><xmax>30</xmax><ymax>20</ymax></bndbox></object></annotation>");
        GroundTruthBoxes boxes = GroundTruthBoxes.open(tmp, 20);
        assertEquals("Annotations", boxes.source());
        List<GroundTruthBoxes.Box> b = boxes.boxes("a");
        assertEquals(new GroundTruthBoxes.Box(0, 0, 10, 10, 7), b.get(0), "xmin/ymin minus 1, difficult objects kept, cat = 7");
        assertEquals(0, b.get(1).cls());
        assertEquals(7, GroundTruthBoxes.target(new int[]{0, 0, 9, 9}, b));
        assertEquals(0, GroundTruthBoxes.target(new int[]{10, 0, 30, 20}, b));
        assertEquals(-1, GroundTruthBoxes.target(new int[]{0, 0, 5, 5}, List.of()), "no boxes, no target");
        Files.writeString(tmp.resolve("Annotations/b.xml"), "<annotation><object><name>unicorn</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax>"
                + "<ymax>2</ymax></bndbox></object></annotation>");
        assertTrue(assertThrows(java.io.IOException.class, () -> boxes.boxes("b")).getMessage().contains("b.xml: object class 'unicorn'"));
    }

    @Test
    void withoutAnnotationsTheObjectsOfSegmentationObjectGiveTheBoxes() throws Exception {
        Files.createDirectories(tmp.resolve("SegmentationObject"));
        Files.createDirectories(tmp.resolve("SegmentationClass"));
        int[] objects = {0, 1, 1, 0, 0, 1, 1, 0, 2, 2, 0, 0, 2, 2, 0, 255}, classes = {0, 3, 3, 0, 0, 3, 5, 0, 8, 8, 0, 0, 8, 8, 0, 255};
        LabelMaps.write(tmp.resolve("SegmentationObject/x.png"), 4, 4, objects);
        LabelMaps.write(tmp.resolve("SegmentationClass/x.png"), 4, 4, classes);
        GroundTruthBoxes boxes = GroundTruthBoxes.open(tmp, 20);
        assertEquals("SegmentationObject", boxes.source());
        assertEquals(List.of(new GroundTruthBoxes.Box(1, 0, 3, 2, 2), new GroundTruthBoxes.Box(0, 2, 2, 4, 7)), boxes.boxes("x"),
                "object 1: pixel extent, majority class 3 (0-based 2); object 2: class 8 (7)");
        assertThrows(java.io.IOException.class, () -> GroundTruthBoxes.open(tmp.resolve("nothing"), 20));
    }

    /**
     * Generated scenes with VOC annotations written from their ground truth, one candidate per image (all its objects):
     * the clusters are named with the classes of the boxes, clusters.json records it, and the maps hold 1 + class.
     */
    @Test
    void pseudoMapsOfNamedClustersHoldClassIds() throws Exception {
        Path data = tmp.resolve("data"), masks = Files.createDirectories(tmp.resolve("masks"));
        SyntheticScenes.write(data, 20, 32, 4);
        VocDataset voc = new VocDataset(data, true, m -> {});
        List<String> ids = voc.ids("train");
        Files.createDirectories(data.resolve("Annotations"));
        for (String id : ids) {
            int[] gt = LabelMaps.read(data.resolve("SegmentationClass/" + id + ".png")).labels();
            StringBuilder xml = new StringBuilder("<annotation>");
            for (int c = 1; c <= 4; c++) {
                int x0 = 32, y0 = 32, x1 = -1, y1 = -1;
                for (int p = 0; p < gt.length; p++) {
                    if (gt[p] != c) continue;
                    x0 = Math.min(x0, p % 32);
                    y0 = Math.min(y0, p / 32);
                    x1 = Math.max(x1, p % 32);
                    y1 = Math.max(y1, p / 32);
                }
                if (x1 >= 0) xml.append(String.format("<object><name>%s</name><bndbox><xmin>%d</xmin><ymin>%d</ymin><xmax>%d</xmax><ymax>%d</ymax></bndbox></object>",
                        VocInstances.VOC_CLASSES.get(c - 1), x0 + 1, y0 + 1, x1 + 1, y1 + 1));
            }
            Files.writeString(data.resolve("Annotations/" + id + ".xml"), xml.append("</annotation>"));
            BufferedImage m = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
            for (int p = 0; p < gt.length; p++) m.getRaster().setSample(p % 32, p / 32, 0, gt[p] != 0 ? 255 : 0);
            ImageIO.write(m, "png", masks.resolve(id + ".png").toFile());
        }
        VisionTransformer vit = new VisionTransformer(ViTConfig.SMALL_8, new Generator(5));
        MaskDistillConfig cfg = MaskDistillConfig.demo(); // C = 4
        for (int over : new int[]{1, 2}) {
            Path out = tmp.resolve("pseudo" + over);
            ClusteringConfig clustering = new ClusteringConfig("vit_small_patch8", "", 1234, over, "boxes");
            PseudoLabelStage.Summary s = new PseudoLabelStage(voc::imageFile, PriorMasks.open(masks), true)
                    .run(ids, vit, cfg, clustering, GroundTruthBoxes.open(data, 4), out, StageListener.NONE);
            assertEquals(5, s.labels(), "named maps hold background and the 4 classes, whatever k");
            ClustersIndex idx = ClustersIndex.read(out);
            assertEquals(over == 1 ? "hungarian" : "majority-count", idx.naming().method());
            assertEquals(4 * over, idx.naming().matching().size());
            if (over == 1) assertEquals(new HashSet<>(List.of(0, 1, 2, 3)), new HashSet<>(idx.naming().matching().values()), "one to one");
            for (String id : ids) {
                ClustersIndex.Assignment a = idx.images().get(id).get(0);
                assertEquals(1 + idx.naming().matching().get(a.cluster()), a.label());
                assertTrue(a.target() >= 0 && a.target() < 4, "every image has boxes");
                int[] map = LabelMaps.read(out.resolve(id + ".png")).labels(), gt = LabelMaps.read(data.resolve("SegmentationClass/" + id + ".png")).labels();
                for (int p = 0; p < map.length; p++) assertEquals(gt[p] != 0 ? a.label() : 0, map[p]);
            }
        }
    }
}
