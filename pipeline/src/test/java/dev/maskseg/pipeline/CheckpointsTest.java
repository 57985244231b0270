package dev.maskseg.pipeline;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.optim.ParamGroup;
import dev.maskseg.engine.optim.Sgd;
import dev.maskseg.pipeline.train.Checkpoints;
import dev.maskseg.zoo.LinearProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One checkpoint format: modules, optimizer buffers, extra tensors and values, loss history and generator state round-trip. */
class CheckpointsTest {
    @TempDir
    Path tmp;

    @Test
    void everythingRoundTripsAndAnotherConfigIsRefused() throws Exception {
        LinearProbe a = new LinearProbe(3, 2, new Generator(1)), b = new LinearProbe(3, 2, new Generator(2));
        Sgd sgd = new Sgd(List.of(new ParamGroup(a.parameters(), 0.1, 0)), 0.9, false);
        a.forward(Tensor.randn(new Generator(3), 1, 3, 2, 2)).sum().backward();
        sgd.step();
        Generator g = new Generator(5);
        g.nextLong();
        Path f = tmp.resolve("ckpt.safetensors");
        List<double[]> history = List.of(new double[]{0, 1.5, 0.25}, new double[]{1, 1.25, 0.125});
        Checkpoints.of("cfg A").module("a", a).module("b", b).optimizer(sgd).generator("loader", g)
                .save(f, new Checkpoints.State(2, history, Map.of("queue", Tensor.of(new float[]{1, 2, 3}, 3)), Map.of("queue_ptr", "7")));

        LinearProbe a2 = new LinearProbe(3, 2, new Generator(9)), b2 = new LinearProbe(3, 2, new Generator(9));
        Sgd sgd2 = new Sgd(List.of(new ParamGroup(a2.parameters(), 0.1, 0)), 0.9, false);
        Generator g2 = new Generator(0);
        Checkpoints.State s = Checkpoints.of("cfg A").module("a", a2).module("b", b2).optimizer(sgd2).generator("loader", g2).restore(f);
        assertEquals(2, s.epoch());
        assertEquals(2, s.history().size());
        assertArrayEquals(history.get(1), s.history().get(1));
        assertArrayEquals(new float[]{1, 2, 3}, s.tensors().get("queue").toFloatArray());
        assertEquals(Map.of("queue_ptr", "7"), s.values());
        assertEquals(java.util.Set.of("queue"), s.tensors().keySet(), "modules and optimizer are not extra tensors");
        assertArrayEquals(a.conv.weight.toFloatArray(), a2.conv.weight.toFloatArray());
        assertArrayEquals(b.conv.weight.toFloatArray(), b2.conv.weight.toFloatArray());
        assertEquals(sgd.stepCount(), sgd2.stepCount());
        Tensor m = sgd.stateDict().values().iterator().next(), m2 = sgd2.stateDict().values().iterator().next();
        assertArrayEquals(m.toFloatArray(), m2.toFloatArray(), "momentum buffer");
        assertEquals(g.nextLong(), g2.nextLong(), "generator continues where it was saved");

        IOException other = assertThrows(IOException.class, () -> Checkpoints.of("cfg B").module("a", a2).restore(f));
        assertTrue(other.getMessage().contains("checkpoint of a different configuration (cfg A)"), other.getMessage());
        IOException missing = assertThrows(IOException.class, () -> Checkpoints.of("cfg A").restore(tmp.resolve("none.safetensors")));
        assertTrue(missing.getMessage().startsWith("resume: no checkpoint"), missing.getMessage());
        IOException shape = assertThrows(IOException.class, () -> Checkpoints.of("cfg A").module("a", new LinearProbe(4, 2, new Generator(0))).restore(f));
        assertTrue(shape.getMessage().contains("a. does not fit the model"), shape.getMessage());
    }
}
