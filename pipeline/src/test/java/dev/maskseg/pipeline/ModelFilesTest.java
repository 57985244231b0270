package dev.maskseg.pipeline;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.pipeline.maskcontrast.MaskContrastConfig;
import dev.maskseg.pipeline.maskcontrast.MaskContrastTrainer;
import dev.maskseg.pipeline.maskdistill.MaskDistillConfig;
import dev.maskseg.pipeline.maskdistill.MaskDistillTrainer;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.pipeline.train.Checkpoints;
import dev.maskseg.pipeline.train.ModelFiles;
import dev.maskseg.zoo.LinearProbe;
import dev.maskseg.zoo.SmallSegmenter;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Trained model files: each kind is rebuilt from its metadata with the same weights; a file of another kind is a clear error. */
class ModelFilesTest {
    @TempDir
    Path tmp;

    private static void assertSameWeights(Module a, Module b) {
        Map<String, Tensor> x = a.stateDict(), y = b.stateDict();
        assertEquals(x.keySet(), y.keySet());
        for (String k : x.keySet()) assertArrayEquals(x.get(k).toFloatArray(), y.get(k).toFloatArray(), k);
    }

    @Test
    void modelsAndProbesRoundTrip() throws Exception {
        MaskContrastConfig mc = MaskContrastConfig.demo();
        MaskContrastModel m = MaskContrastTrainer.create(mc, 3);
        Path mcFile = tmp.resolve("mc.safetensors");
        ModelFiles.saveMaskContrast(mcFile, m, mc);
        assertEquals(ModelFiles.MASKCONTRAST, ModelFiles.kind(mcFile));
        assertSameWeights(m, ModelFiles.loadMaskContrast(mcFile));

        MaskDistillConfig md = MaskDistillConfig.demo();
        Module s = MaskDistillTrainer.create(md, 4);
        Path mdFile = tmp.resolve("md.safetensors");
        ModelFiles.saveMaskDistill(mdFile, s, md);
        assertEquals(ModelFiles.MASKDISTILL, ModelFiles.kind(mdFile));
        Module back = ModelFiles.loadMaskDistill(mdFile);
        assertInstanceOf(SmallSegmenter.class, back);
        assertSameWeights(s, back);

        LinearProbe p = new LinearProbe(6, 5, new Generator(2));
        Path pFile = tmp.resolve("probe.safetensors");
        ModelFiles.saveProbe(pFile, p, 5);
        assertEquals(ModelFiles.LINEAR_PROBE, ModelFiles.kind(pFile));
        assertSameWeights(p, ModelFiles.loadProbe(pFile));

        IOException wrong = assertThrows(IOException.class, () -> ModelFiles.loadMaskContrast(mdFile));
        assertTrue(wrong.getMessage().contains("is not a MaskContrast model"), wrong.getMessage());
        var notProbe = assertThrows(IllegalArgumentException.class, () -> ModelFiles.loadProbe(mcFile));
        assertTrue(notProbe.getMessage().contains("not a linear probe"), notProbe.getMessage());
        assertEquals(null, ModelFiles.kind(tmp.resolve("official.pth")), "a .pth has no kind: the loaders take it as an official checkpoint");
    }

    /** A training checkpoint and a file without our metadata each get an error saying what the file is and what was expected. */
    @Test
    void checkpointsAndForeignFilesAreNamedForWhatTheyAre() throws Exception {
        MaskContrastConfig mc = MaskContrastConfig.demo();
        MaskContrastModel m = MaskContrastTrainer.create(mc, 3);
        Path ckpt = tmp.resolve("checkpoint.safetensors");
        Checkpoints.of(mc.toString()).module("query", m).save(ckpt, new Checkpoints.State(2, List.of(), Map.of(), Map.of()));
        IOException e = assertThrows(IOException.class, () -> ModelFiles.loadMaskContrast(ckpt));
        assertTrue(e.getMessage().contains("is a training checkpoint of MaskContrastConfig[backbone=small, width=64, ...] after epoch 2")
                && e.getMessage().contains("model.safetensors"), e.getMessage());
        assertThrows(IOException.class, () -> ModelFiles.loadMaskDistill(ckpt));

        Path bare = tmp.resolve("bare.safetensors"); // the small model's weights without our metadata: read as the official resnet50
        SafeTensors.write(bare, m.stateDict(), Map.of());
        IOException f = assertThrows(IOException.class, () -> ModelFiles.loadMaskContrast(bare));
        assertTrue(f.getMessage().contains("has no maskseg metadata, so it was read as an official MaskContrast checkpoint (resnet50)")
                && f.getMessage().contains(m.stateDict().size() + " tensors") && f.getMessage().contains("missing"), f.getMessage());
    }
}
