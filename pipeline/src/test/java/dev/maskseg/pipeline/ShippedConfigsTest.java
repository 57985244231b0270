package dev.maskseg.pipeline;

import dev.maskseg.pipeline.config.DataConfig;
import dev.maskseg.pipeline.config.RunConfig;
import dev.maskseg.pipeline.config.ValConfig;
import dev.maskseg.pipeline.maskcontrast.MaskContrastConfig;
import dev.maskseg.pipeline.maskdistill.ClusteringConfig;
import dev.maskseg.pipeline.maskdistill.MaskDistillConfig;
import dev.maskseg.pipeline.maskrcnn.MaskRcnnConfig;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every shipped config binds (no unknown key, no bad value), and the official ones say what docs/reproduction.md relies on. */
class ShippedConfigsTest {
    private static RunConfig load(String name) throws Exception {
        try (InputStream in = ShippedConfigsTest.class.getResourceAsStream("/configs/" + name)) {
            return RunConfig.parse(name, new String(in.readAllBytes(), StandardCharsets.UTF_8), List.of());
        }
    }

    @Test
    void everyShippedConfigBinds() throws Exception {
        for (String name : List.of("maskcontrast/demo.yml", "maskcontrast/voc_supervised_saliency.yml", "maskcontrast/voc_unsupervised_saliency.yml")) {
            RunConfig r = load(name);
            r.section("data", DataConfig.defaults(), DataConfig.class);
            r.section("maskcontrast", MaskContrastConfig.official(), MaskContrastConfig.class);
        }
        for (String name : List.of("maskdistill/demo.yml", "maskdistill/voc_deeplab.yml")) {
            RunConfig r = load(name);
            r.section("data", DataConfig.defaults(), DataConfig.class);
            r.section("clustering", ClusteringConfig.official(), ClusteringConfig.class);
            r.section("maskdistill", MaskDistillConfig.official(), MaskDistillConfig.class);
            r.section("val", ValConfig.none(), ValConfig.class);
        }
        RunConfig voc = load("maskdistill/voc_deeplab.yml");
        MaskDistillConfig md = voc.section("maskdistill", MaskDistillConfig.official(), MaskDistillConfig.class);
        assertEquals(40, md.lrStepEpoch());
        assertEquals(45, md.epochs());
        assertTrue(voc.section("clustering", ClusteringConfig.official(), ClusteringConfig.class).byBoxes(), "named by boxes as cluster.py");
        assertEquals("none", voc.section("val", ValConfig.none(), ValConfig.class).matching());
    }

    /** maskrcnn_voc.yml states §3.4 (MaskRcnnConfig.official() plus the MoCo weights' path); demo.yml's detector is MaskRcnnConfig.demo(). */
    @Test
    void theDetectorConfigsAreTheOfficialAndTheDemoSettings() throws Exception {
        MaskRcnnConfig voc = load("maskdistill/maskrcnn_voc.yml").section("maskrcnn", MaskRcnnConfig.official(), MaskRcnnConfig.class);
        assertTrue(voc.pretrained().endsWith(".pth.tar"), voc.pretrained());
        MaskRcnnConfig official = RunConfig.parse("official", "", List.of("maskrcnn.pretrained=" + voc.pretrained()))
                .section("maskrcnn", MaskRcnnConfig.official(), MaskRcnnConfig.class);
        assertEquals(official, voc);
        assertEquals(24000, voc.maxIter());
        assertEquals(List.of(20000, 22000), voc.steps());
        RunConfig demo = load("maskdistill/demo.yml");
        assertEquals(MaskRcnnConfig.demo(), demo.section("maskrcnn", MaskRcnnConfig.official(), MaskRcnnConfig.class));
        assertEquals("maskrcnn", demo.section("maskdistill", MaskDistillConfig.demo(), MaskDistillConfig.class).detector());
        assertEquals("maskrcnn", MaskDistillConfig.official().detector(), "the method's detector is the default");
    }
}
