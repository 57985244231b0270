package dev.maskseg.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bench models --cases / --rounds: which cases the peers are asked for, and the table's medians over rounds. */
class RoundsTest {
    private static ModelBench.Record rec(String backend, int threads, double ms, int round) {
        return new ModelBench.Record("resnet50", "1x3x224x224", "forward", backend, threads, ms, 1000 / ms, 2 * ms, null).inRound(round);
    }

    @Test
    void eachBackendAndThreadCountIsShownByItsMedianOverTheRounds() {
        List<ModelBench.Record> shown = Rounds.medians(List.of(rec("jvm-frozen", 2, 51, 1), rec("onnxruntime-1.22", 2, 41, 1),
                rec("jvm-frozen", 2, 38, 2), rec("onnxruntime-1.22", 2, 42, 2), rec("jvm-frozen", 2, 39, 3), rec("onnxruntime-1.22", 2, 40, 3),
                rec("jvm-frozen", 1, 70, 1)));
        assertEquals(3, shown.size());
        assertEquals(39, shown.get(0).ms());
        assertEquals(78, shown.get(0).cpuMs());
        assertEquals(41, shown.get(1).ms());
        assertEquals(70, shown.get(2).ms());
        assertNull(shown.get(0).round());
        assertEquals(1000 / 39.0, shown.get(0).imagesPerSecond(), 1e-9);
        assertEquals(40.5, Rounds.median(new double[]{42, 39, 40, 41}));
    }

    @Test
    void theModelCasesChosenAreNamedForThePeersByModelAndShape() {
        assertEquals(List.of("resnet50", "resnet50-frozen"),
                ModelCases.chosen(List.of("resnet50-frozen", "resnet50")).stream().map(ModelCases.Case::id).toList());
        assertEquals(List.of("resnet50_1x3x224x224"), ModelCases.peerCases(List.of("resnet50", "resnet50-frozen")));
        assertEquals(List.of("vit_small_patch16_8x3x224x224", "deeplabv3_resnet50_2x3x321x321"),
                ModelCases.peerCases(List.of("deeplabv3-train", "vit-s16-batch8-frozen")));
        assertEquals(List.of(), ModelCases.peerCases(List.of()));
        assertEquals(ModelCases.all().size(), ModelCases.chosen(List.of()).size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelCases.chosen(List.of("resnet101")));
        assertTrue(e.getMessage().contains("resnet101") && e.getMessage().contains("resnet50-frozen"), e.getMessage());
    }

    @Test
    void roundsBelowOneAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new BenchRuns.Settings(null, true, false, null, false, List.of(), List.of(), false, 0));
    }
}
