package dev.maskseg.pipeline.data;

import dev.maskseg.pipeline.instances.CocoDataset;
import dev.maskseg.pipeline.instances.VocInstances;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generated scenes' object maps (SegmentationObject) agree with their class maps, and the older outputs did not change. */
class SyntheticScenesTest {
    @TempDir
    Path tmp;

    @Test
    void everyObjectHasOneClassAndBackgroundIsObjectZero() {
        int multi = 0;
        for (int i = 0; i < 40; i++) {
            SyntheticScenes.Scene s = SyntheticScenes.generate(64, 64, new SplittableRandom(i));
            Map<Integer, Integer> classOf = new HashMap<>();
            for (int p = 0; p < s.label().length; p++) {
                int obj = s.objects()[p] & 255, cls = s.label()[p] & 255;
                assertEquals(obj == 0, cls == 0, "scene " + i + " pixel " + p);
                if (obj == 0) continue;
                assertTrue(obj <= 3, "at most 3 objects");
                Integer before = classOf.putIfAbsent(obj, cls);
                assertTrue(before == null || before == cls, "object " + obj + " of scene " + i + " has classes " + before + " and " + cls);
            }
            if (classOf.size() > 1) multi++;
        }
        assertTrue(multi >= 5, "some scenes hold several visible objects, got " + multi);
    }

    @Test
    void makeInstancesReadsTheWrittenObjectMaps() throws Exception {
        SyntheticScenes.write(tmp, 12, 48, 7);
        VocInstances.Report r = VocInstances.build(tmp, null, SyntheticScenes.CLASSES.subList(1, 5), true);
        assertTrue(r.problems().isEmpty(), r.problems().toString());
        assertEquals(12, r.dataset().images().size());
        for (CocoDataset.Image im : r.dataset().images()) {
            String stem = im.id().text();
            int[] obj = LabelMaps.read(tmp.resolve("SegmentationObject/" + stem + ".png")).labels();
            int[] cls = LabelMaps.read(tmp.resolve("SegmentationClass/" + stem + ".png")).labels();
            Set<Integer> ids = new HashSet<>();
            for (int v : obj) if (v != 0) ids.add(v);
            List<CocoDataset.Annotation> anns = r.dataset().annotationsByImage().getOrDefault(im.id(), List.of());
            assertEquals(ids.size(), anns.size(), stem);
            for (CocoDataset.Annotation a : anns) {
                long area = 0;
                for (int p = 0; p < obj.length; p++) if (cls[p] == a.categoryId() && obj[p] != 0) area++;
                assertTrue(a.area() > 0 && a.area() <= area, stem + ": object area " + a.area() + " within its class's " + area);
            }
        }
    }

    /** SHA-256 over train/trainval/val.txt, the JPEGs and the class PNGs of {@code write(_, 6, 48, 7)}, taken before SegmentationObject existed. */
    @Test
    void theImagesClassMapsAndListsAreByteIdenticalToBefore() throws Exception {
        SyntheticScenes.write(tmp, 6, 48, 7);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (String d : List.of("ImageSets/Segmentation", "JPEGImages", "SegmentationClass")) {
            try (Stream<Path> files = Files.list(tmp.resolve(d))) {
                for (Path f : files.sorted().toList()) sha.update(Files.readAllBytes(f));
            }
        }
        assertEquals("662328beee259377a8c640fa71823a222099f96cfc42fbc4f70af355aa838058", HexFormat.of().formatHex(sha.digest()));
    }
}
