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
        images.put("b", List.of(new ClustersIndex.Assignment("b_0.png", 0.9, 2), new ClustersIndex.Assignment("b_1.png", 0.5, 0)));
        images.put("a", List.of(new ClustersIndex.Assignment("a.png", 1.0, 1)));
        ClustersIndex idx = new ClustersIndex("/masks", cfg.clusters(), cfg.tau(), clustering.seed(), images);
        idx.write(dir);
        ClustersIndex back = ClustersIndex.read(dir);
        assertEquals(idx, back);
        assertEquals(List.of("b", "a"), List.copyOf(back.images().keySet()), "images keep their order");
        assertTrue(ClustersIndex.madeWith(dir, cfg, clustering));
        assertFalse(ClustersIndex.madeWith(dir, cfg, new ClusteringConfig("vit_small_patch8", "", 7)), "another k-means seed");
        MaskDistillConfig five = new MaskDistillConfig("small", 64, 5, 15, 16, 0, 0.05, 0.9, 1e-4, 12, 0.2, 0.9, false, 1, "", "prior", "paper");
        assertFalse(ClustersIndex.madeWith(dir, five, clustering), "another number of clusters");
    }
}
