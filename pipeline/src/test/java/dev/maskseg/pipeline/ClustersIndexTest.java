package dev.maskseg.pipeline;

import dev.maskseg.pipeline.maskdistill.ClusteringConfig;
import dev.maskseg.pipeline.maskdistill.ClustersIndex;
import dev.maskseg.pipeline.maskdistill.MaskDistillConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** clusters.json: written and read by one class; reuse only with the same clusters, tau and seed. */
class ClustersIndexTest {
    @TempDir
    Path dir;

    @Test
    void roundTripAndReuseRule() throws Exception {
        MaskDistillConfig cfg = MaskDistillConfig.demo();
        ClusteringConfig clustering = ClusteringConfig.official();
        assertFalse(ClustersIndex.madeWith(dir, cfg, clustering), "no index yet");
        Map<String, List<ClustersIndex.Assignment>> images = new LinkedHashMap<>();
        images.put("b", List.of(new ClustersIndex.Assignment("b_0.png", 0.9, 2, -1, 3), new ClustersIndex.Assignment("b_1.png", 0.5, 0, -1, 1)));
        images.put("a", List.of(new ClustersIndex.Assignment("a.png", 1.0, 1, -1, 2)));
        ClustersIndex idx = new ClustersIndex("/masks", cfg.clusters(), 1, cfg.tau(), clustering.seed(), ClustersIndex.Naming.NONE, cfg.clusters() + 1, images);
        idx.write(dir);
        ClustersIndex back = ClustersIndex.read(dir);
        assertEquals(idx, back);
        assertEquals(List.of("b", "a"), List.copyOf(back.images().keySet()), "images keep their order");
        assertTrue(ClustersIndex.madeWith(dir, cfg, clustering));
        assertFalse(ClustersIndex.madeWith(dir, cfg, new ClusteringConfig("vit_small_patch8", "", 7, 1, "none")), "another k-means seed");
        assertFalse(ClustersIndex.madeWith(dir, cfg, new ClusteringConfig("vit_small_patch8", "", clustering.seed(), 2, "none")), "over-clustered");
        assertFalse(ClustersIndex.madeWith(dir, cfg, new ClusteringConfig("vit_small_patch8", "", clustering.seed(), 1, "boxes")), "named");
        MaskDistillConfig five = new MaskDistillConfig("small", 64, 5, 15, 16, 0, 0.05, 0.9, 1e-4, 12, 0.2, 0.9, false, 1, "", 0, "prior", "paper");
        assertFalse(ClustersIndex.madeWith(dir, five, clustering), "another number of clusters");
    }

    @Test
    void aNamedIndexKeepsItsMatchingAndTargets() throws Exception {
        Map<String, List<ClustersIndex.Assignment>> images = new LinkedHashMap<>();
        images.put("a", List.of(new ClustersIndex.Assignment("a.png", 1.0, 1, 3, 4)));
        ClustersIndex.Naming naming = new ClustersIndex.Naming("hungarian", "Annotations", Map.of(0, 2, 1, 3, 2, 0, 3, 1), 1);
        ClustersIndex idx = new ClustersIndex("/masks", 4, 1, 0.9, 1234, naming, 5, images);
        idx.write(dir);
        ClustersIndex back = ClustersIndex.read(dir);
        assertEquals(idx.images(), back.images());
        assertEquals(naming.matching(), back.naming().matching());
        assertEquals("Annotations", back.naming().boxes());
        assertTrue(ClustersIndex.madeWith(dir, MaskDistillConfig.demo(), new ClusteringConfig("vit_small_patch8", "", 1234, 1, "boxes")));
    }
}
