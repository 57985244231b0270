package dev.maskseg.pipeline;

import dev.maskseg.engine.Tensor;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.SyntheticScenes;
import dev.maskseg.pipeline.maskcontrast.MaskContrastConfig;
import dev.maskseg.pipeline.maskcontrast.MaskContrastTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaskContrastTrainerTest {
    @TempDir
    Path tmp;

    private static final MaskContrastConfig TINY = new MaskContrastConfig("small", 8, 8, 3, 4, 8, 32, 0.05, "sgd", 0.9, 1e-4, 0.9, 0.5, false, 5, "");

    /** Generated scenes with their ground-truth objects as masks. */
    private static List<Sample> data() {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            SyntheticScenes.Scene s = SyntheticScenes.generate(40, 40, new SplittableRandom(i));
            byte[] m = new byte[s.label().length];
            for (int p = 0; p < m.length; p++) m[p] = (byte) (s.label()[p] != 0 ? 1 : 0);
            out.add(Sample.of(s.image(), m));
        }
        return out;
    }

    /**
     * On both CPU backends. The straight and the resumed run execute in one JVM at different JIT states, so this also
     * catches arithmetic whose last bits depend on the compiler tier (as the Vector API's EXP/LOG did).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"reference", "jvm"})
    void resumeGivesBitIdenticalWeights(String backend) throws Exception {
        String before = dev.maskseg.engine.backend.Backends.defaultBackend().name();
        dev.maskseg.engine.backend.Backends.setDefault(backend);
        try {
            resumeRun();
        } finally {
            dev.maskseg.engine.backend.Backends.setDefault(before);
        }
    }

    private void resumeRun() throws Exception {
        List<Sample> data = data();
        MaskContrastTrainer straight = new MaskContrastTrainer(TINY);
        straight.train(data, null, null);

        Path ckpt = tmp.resolve("ckpt.safetensors");
        MaskContrastTrainer first = new MaskContrastTrainer(TINY.withEpochs(3));
        int[] seen = {0};
        try {
            first.train(data, ckpt, (e, s, n, loss, lr) -> {
                if (e == 1 && s == 1) throw new IllegalStateException("killed in epoch 2");
                seen[0]++;
            });
        } catch (IllegalStateException expected) {
            assertEquals("killed in epoch 2", expected.getMessage());
        }
        MaskContrastTrainer resumed = new MaskContrastTrainer(TINY);
        resumed.resume(ckpt);
        assertEquals(1, resumed.epoch(), "the checkpoint after epoch 1");
        resumed.train(data, ckpt, null);
        Map<String, Tensor> a = straight.query.stateDict(), b = resumed.query.stateDict();
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
        Map<String, Tensor> ka = straight.key.stateDict(), kb = resumed.key.stateDict();
        for (String k : ka.keySet()) assertArrayEquals(ka.get(k).toFloatArray(), kb.get(k).toFloatArray(), "key encoder " + k);
        assertEquals(straight.history(), resumed.history());
    }

    @Test
    void lossDecreasesAndConfigErrorsAreClear() throws Exception {
        MaskContrastTrainer t = new MaskContrastTrainer(TINY.withEpochs(6));
        t.train(data(), null, null);
        var h = t.history();
        assertTrue(h.get(h.size() - 1).saliency() < h.get(0).saliency(), "saliency BCE goes down: " + h);
        var e = assertThrows(IllegalArgumentException.class, () -> new MaskContrastConfig("small", 8, 8, 1, 4, 10, 32, 0.1, "sgd", 0.9, 0, 0.9, 0.5, false, 1, ""));
        assertTrue(e.getMessage().contains("multiple of the batch"), e.getMessage());
        Path other = tmp.resolve("other.safetensors");
        t.save(other);
        var r = assertThrows(java.io.IOException.class, () -> new MaskContrastTrainer(TINY).resume(other));
        assertTrue(r.getMessage().contains("different configuration"), r.getMessage());
    }
}
