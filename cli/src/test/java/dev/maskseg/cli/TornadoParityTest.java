package dev.maskseg.cli;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.BackendProvider;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.SyntheticScenes;
import dev.maskseg.pipeline.maskcontrast.MaskContrastConfig;
import dev.maskseg.pipeline.maskcontrast.MaskContrastTrainer;
import dev.maskseg.pipeline.maskdistill.MaskDistillConfig;
import dev.maskseg.pipeline.maskdistill.MaskDistillTrainer;
import dev.maskseg.zoo.Models;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tornado (TornadoVM) backend against the jvm backend on whole models: {@code maskseg forward --backend tornado} on
 * ViT-S/16 and DeepLab-v3 to 1e-4 relative, and a few MaskContrast and MaskDistill training steps to 1e-4 in the loss.
 * Runs only with -Ptornado (bin/test with TORNADOVM_HOME set), in a JVM started with TornadoVM's flags.
 */
class TornadoParityTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void tornadoIsThere() {
        BackendProvider p = Backends.providers().stream().filter(x -> x.name().equals("tornado")).findFirst()
                .orElseThrow(() -> new AssertionError("engine-tornado is not on the class path (build with -Ptornado)"));
        assertTrue(p.isAvailable(), "tornado backend unavailable: " + p.unavailableReason());
    }

    @Test
    void backendsListsTornadoWithItsDeviceAndRanksItByTheDevice() {
        Console c = Console.run("backends");
        assertEquals(0, c.code(), c.err());
        String row = c.out().lines().filter(l -> l.startsWith("tornado ")).findFirst()
                .orElseThrow(() -> new AssertionError("no tornado row: " + c.out()));
        assertTrue(row.contains("TornadoVM OPENCL") && row.contains("driver ") && row.contains(" GiB")
                && row.contains(" compute units"), row);
        if (row.contains("OPENCL CPU ")) {
            assertTrue(c.out().contains("default: jvm (highest-ranked available"), "PoCL ranks below jvm: " + c.out());
            assertTrue(c.out().contains("  tornado ranks "), "the rank reason under the default line: " + c.out());
        } else if (row.contains("OPENCL GPU ")) {
            assertTrue(c.out().contains("default: tornado ("), "a GPU backend is the default: " + c.out());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vit_small_patch16", "deeplabv3_resnet50"})
    void forwardOnTornadoMatchesJvm(String model) throws Exception {
        Path w = dir.resolve("w.safetensors"), input = dir.resolve("in.safetensors");
        SafeTensors.write(w, Models.create(model, 5).module().stateDict(), Map.of());
        SafeTensors.write(input, Map.of("input", Tensor.randn(new Generator(9), 1, 3, 32, 48)), Map.of());
        Map<String, Map<String, Tensor>> outs = new HashMap<>();
        for (String be : new String[]{"jvm", "tornado"}) {
            Path out = dir.resolve(be + ".safetensors");
            assertEquals(0, Main.run("--backend", be, "forward", "--model", model, "--weights", w.toString(),
                    "--input", input.toString(), "--out", out.toString()), be);
            outs.put(be, SafeTensors.read(out));
        }
        Backends.setDefault("jvm");
        for (var e : outs.get("jvm").entrySet()) {
            float[] a = e.getValue().toFloatArray(), b = outs.get("tornado").get(e.getKey()).toFloatArray();
            double scale = 1e-12, err = 0;
            for (int i = 0; i < a.length; i++) {
                scale = Math.max(scale, Math.abs(a[i]));
                err = Math.max(err, Math.abs(a[i] - b[i]));
            }
            System.out.printf("tornado vs jvm %s %s: max relative error %.2e%n", model, e.getKey(), err / scale);
            assertTrue(err <= 1e-4 * scale, model + " " + e.getKey() + ": max error " + err + " vs scale " + scale);
        }
    }

    private static List<Sample> scenes(boolean classLabels) {
        List<Sample> data = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            SyntheticScenes.Scene s = SyntheticScenes.generate(40, 40, new SplittableRandom(i));
            byte[] m = new byte[s.label().length];
            for (int p = 0; p < m.length; p++) m[p] = (byte) (classLabels ? Math.min(s.label()[p], 4) : s.label()[p] != 0 ? 1 : 0);
            data.add(Sample.of(s.image(), m));
        }
        return data;
    }

    private static void sameLosses(String what, List<Double> jvm, List<Double> tv) {
        assertEquals(jvm.size(), tv.size());
        double worst = 0;
        for (int i = 0; i < jvm.size(); i++) worst = Math.max(worst, Math.abs(jvm.get(i) - tv.get(i)));
        System.out.printf("tornado vs jvm %s: %d steps, max loss difference %.2e%n", what, jvm.size(), worst);
        assertTrue(jvm.size() >= 4, "a few steps: " + jvm);
        for (int i = 0; i < jvm.size(); i++) {
            assertEquals(jvm.get(i), tv.get(i), 1e-4 * Math.max(1, Math.abs(jvm.get(i))), "step " + i + ": " + jvm + " vs " + tv);
        }
    }

    @Test
    void maskContrastStepsOnTornadoMatchJvm() {
        MaskContrastConfig cfg = new MaskContrastConfig("small", 8, 8, 2, 4, 8, 32, 0.05, "sgd", 0.9, 1e-4, 0.9, 0.5, false, 5, "");
        sameLosses("MaskContrast", maskContrast("jvm", cfg), maskContrast("tornado", cfg));
    }

    private static List<Double> maskContrast(String backend, MaskContrastConfig cfg) {
        Backends.setDefault(backend);
        try {
            List<Double> losses = new ArrayList<>();
            new MaskContrastTrainer(cfg).train(scenes(false), null, (e, s, n, loss, lr) -> losses.add(loss));
            return losses;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            Backends.setDefault("jvm");
        }
    }

    @Test
    void maskDistillStepsOnTornadoMatchJvm() {
        MaskDistillConfig cfg = new MaskDistillConfig("small", 16, 4, 2, 4, 0, 0.05, 0.9, 1e-4, 2, 0.2, 0.9, false, 3, "", 0, "prior", "paper");
        sameLosses("MaskDistill", maskDistill("jvm", cfg), maskDistill("tornado", cfg));
    }

    private static List<Double> maskDistill(String backend, MaskDistillConfig cfg) {
        Backends.setDefault(backend);
        try {
            List<Double> losses = new ArrayList<>();
            new MaskDistillTrainer(cfg).train(scenes(true), null, (e, s, n, loss, lr) -> losses.add(loss));
            return losses;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            Backends.setDefault("jvm");
        }
    }
}
