package dev.maskseg.engine.tornado;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.ops.Conv;
import dev.maskseg.engine.ops.Norm;
import dev.maskseg.engine.ops.Pool;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Device memory over a long run: dead tensors' ranges are reused, the arenas and the plan stay as they are. */
class TornadoMemoryTest {
    /** One SGD step of a small conv net; returns the new weights. */
    private static Tensor[] step(Tensor x, Tensor[] w) {
        Tensor h = Conv.conv2d(x, w[0], null, 1, 1, 1, 1).relu();
        h = Pool.maxPool2d(h, 2, 2, 0);
        Tensor logits = Pool.adaptiveAvgPool2d(Conv.conv2d(h, w[1], null, 1, 0, 1, 1), 1, 1).reshape(x.size(0), -1);
        Norm.logSoftmax(logits, -1).mul(-1).mean().backward();
        Tensor[] next = new Tensor[w.length];
        for (int i = 0; i < w.length; i++) next[i] = w[i].detach().sub(w[i].grad().mul(0.01)).requiresGrad(true);
        return next;
    }

    @Test
    void deviceMemoryStaysFlatOverManyTrainingSteps() {
        TornadoBackend be = TornadoTesting.instance(false, false, 1);
        Generator g = new Generator(5);
        Tensor x = Tensor.randn(g, 4, 3, 32, 32).to(be);
        Tensor[] w = {Tensor.randn(g, 16, 3, 3, 3).mul(0.1).to(be).requiresGrad(true),
                Tensor.randn(g, 10, 16, 1, 1).mul(0.1).to(be).requiresGrad(true)};
        for (int i = 0; i < 20; i++) w = step(x, w);
        int floats = be.arena.floatCapacity(), doubles = be.arena.doubleCapacity(), rebuilds = be.arena.rebuilds();
        long launchesBefore = be.kernelStats().values().stream().mapToLong(KernelStats.Totals::launches).sum();
        for (int i = 0; i < 150; i++) w = step(x, w);
        long launches = be.kernelStats().values().stream().mapToLong(KernelStats.Totals::launches).sum() - launchesBefore;
        assertTrue(launches > 150 * 20, "the steps ran on the device: " + launches + " launches");
        assertEquals(floats, be.arena.floatCapacity(), "float arena grew: " + be.memoryUsage());
        assertEquals(doubles, be.arena.doubleCapacity(), "double arena grew: " + be.memoryUsage());
        assertEquals(rebuilds, be.arena.rebuilds(), "the execution plan was rebuilt");
        // every step's tensors are dead now; one collection and one op give their ranges back
        for (int i = 0; i < 3 && be.bytesInUse() >= 64 * live() * Float.BYTES; i++) {
            System.gc();
            sleep();
            be.fill(Tensor.zeros(1).to(be).view(), 0);
        }
        assertTrue(be.bytesInUse() < 64 * live() * Float.BYTES, "in use after a collection: " + be.memoryUsage());
    }

    @Test
    void aGrowingArenaKeepsEveryTensor() {
        TornadoBackend be = TornadoTesting.instance(false, false, 1 << 10);
        Tensor[] keep = new Tensor[20];
        for (int i = 0; i < keep.length; i++) {
            keep[i] = Tensor.full(DType.FLOAT32, i + 1, 10_000).to(be).mul(1.0);
            if (i % 3 == 0) keep[i].get(5); // a partial copy to the host, which TornadoVM remembers
        }
        Tensor labels = Tensor.ofLongs(new long[]{1L << 40, -3}, 2).to(be);
        int before = be.arena.rebuilds();
        Tensor big = Tensor.zeros(be.arena.floatCapacity() + 1000).to(be);
        assertTrue(be.arena.rebuilds() > before, "the float arena grew: " + be.memoryUsage());
        for (int i = 0; i < keep.length; i++) {
            for (float v : keep[i].toFloatArray()) assertEquals(i + 1, v, "tensor " + i + " after the arena grew");
        }
        assertEquals(0.0, big.sum().item());
        assertEquals(List.of(1L << 40, -3L), java.util.Arrays.stream(labels.toLongArray()).boxed().toList());
    }

    /** Elements of the tensors still referenced: the weights and the input. */
    private static long live() { return 2L * (16 * 3 * 3 * 3 + 10 * 16) + 4 * 3 * 32 * 32; }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
