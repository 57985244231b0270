package dev.maskseg.engine.tornado;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.ResizeParams.Mode;
import dev.maskseg.engine.ops.Conv;
import dev.maskseg.engine.ops.Index;
import dev.maskseg.engine.ops.Norm;
import dev.maskseg.engine.ops.Pointwise;
import dev.maskseg.engine.ops.Pool;
import dev.maskseg.engine.ops.Reduce;
import dev.maskseg.engine.ops.Resize;
import dev.maskseg.engine.ops.RoiAlign;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OpenCL execution of every kernel (device time measured by TornadoVM's profiler), dtypes, index errors, bailouts. */
class TornadoBackendTest {
    @Test
    void runsOnTheOpenClDevice() {
        TornadoBackend be = TornadoTesting.backend();
        Tensor x = Tensor.randn(new Generator(1), 5, 7).to(be);
        float[] y = x.mul(2).add(1).toFloatArray();
        float[] ref = x.toFloatArray();
        for (int i = 0; i < y.length; i++) assertEquals(ref[i] * 2 + 1, y[i], 1e-6);
        assertEquals(TornadoVMBackendType.OPENCL, be.lastDevice().getTornadoVMBackend(), "the plan's device");
        assertTrue(be.device().startsWith("TornadoVM OPENCL"), be.device());
        assertEquals(0, be.threads(), "a device backend has no host thread count");
    }

    /** Each op once, forward and backward, so that every kernel of the backend is launched. */
    private static void everyOp(Backend be) {
        Generator g = new Generator(3);
        Tensor x = Tensor.randn(g, 2, 3, 9, 8).to(be).requiresGrad(true);
        Tensor w = Tensor.randn(g, 4, 3, 3, 3).to(be).requiresGrad(true);
        Tensor y = Conv.conv2d(x, w, null, 1, 1, 1, 1);
        Tensor pooled = Pool.maxPool2d(y, 2, 2, 0).add(Pool.avgPool2d(y, 2, 2, 0));
        Tensor up = Resize.interpolate(pooled, 9, 8, Mode.BILINEAR, false).add(Pool.adaptiveAvgPool2d(y, 1, 1));
        Tensor rows = up.reshape(2 * 4 * 9, 8);
        Tensor ln = Norm.layerNorm(rows, 1, Tensor.ones(8).to(be).requiresGrad(true), Tensor.zeros(8).to(be), 1e-5);
        Tensor sm = Norm.softmax(ln.matmul(Tensor.randn(g, 8, 5).to(be)), -1);
        Tensor picked = Index.indexSelect(sm, 1, Tensor.ofLongs(new long[]{4, 0, 2}, 3).to(be));
        Tensor gated = Pointwise.where(picked.gt(0.2), picked.exp(), picked.neg());
        Tensor rois = Tensor.of(new float[]{0, 1, 2, 14, 15, 1, -3, 4, 9, 20}, 2, 5).to(be);
        Tensor pooledBoxes = RoiAlign.roiAlign(y, rois, 3, 2, 0.5, 0, true);
        Reduce.sum(gated, new int[]{0, 1}, false).add(pooledBoxes.sum()).backward();
        Reduce.topk(sm.detach(), 2, 1, true).values().sum().item();
    }

    @Test
    void everyKernelRunsOnTheDevice() {
        Map<Kernel, KernelStats.Totals> stats = new java.util.EnumMap<>(Kernel.class);
        for (TornadoLinAlg.Gemm gemm : TornadoLinAlg.Gemm.values()) {
            TornadoBackend be = TornadoTesting.instance(false, true, 16, gemm);
            everyOp(be);
            stats.putAll(be.kernelStats());
            assertTrue(be.hostOps().isEmpty(), "ops on the host: " + be.hostOps());
            assertEquals(TornadoVMBackendType.OPENCL, be.lastDevice().getTornadoVMBackend());
        }
        Set<Kernel> missing = EnumSet.allOf(Kernel.class);
        missing.removeAll(stats.keySet());
        assertTrue(missing.isEmpty(), "kernels never launched: " + missing);
        stats.forEach((k, t) -> assertTrue(t.deviceNanos() > 0,
                k + ": no device time in " + t.launches() + " launch(es), so it did not run on the device"));
    }

    @Test
    void aKernelThatDoesNotCompileIsAnErrorNamingTheOpUnlessTheHostMayRunIt() {
        TornadoBackend strict = TornadoTesting.instance(false, false);
        strict.arena.failedKernels().add(Kernel.SOFTMAX);
        Tensor x = Tensor.randn(new Generator(2), 3, 7);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Norm.softmax(x.to(strict), -1));
        assertTrue(e.getMessage().contains("softmax (float32[3, 7], float32[3, 7])")
                && e.getMessage().contains("kernel softmax did not compile")
                && e.getMessage().contains(TornadoBackendProvider.ALLOW_FALLBACK), e.getMessage());

        TornadoBackend lenient = TornadoTesting.instance(true, false);
        lenient.arena.failedKernels().add(Kernel.SOFTMAX);
        assertArrayEquals(Norm.softmax(x, -1).toFloatArray(), Norm.softmax(x.to(lenient), -1).toFloatArray(), 1e-6f);
        assertEquals(Set.of("softmax"), lenient.hostOps());
        assertTrue(lenient.device().contains("host fallback allowed"), lenient.device());
    }

    @Test
    void everyDtypeRoundTripsThroughTheDevice() {
        TornadoBackend be = TornadoTesting.backend();
        long[] labels = {0, 255, -1, 1L << 40, 7};
        assertArrayEquals(labels, Tensor.ofLongs(labels, 5).to(be).toLongArray());
        double[] dbl = {1e-300, Math.PI, -2.5};
        assertArrayEquals(dbl, Tensor.of(dbl, 3).to(be).toDoubleArray());
        Tensor mask = Tensor.of(new float[]{-1, 0, 2}, 3).to(be).gt(0);
        assertEquals(DType.BOOL, mask.dtype());
        assertArrayEquals(new long[]{0, 0, 1}, mask.to(DType.INT64).toLongArray());
        assertArrayEquals(new float[]{0, 0, 0, 0}, Tensor.zeros(DType.FLOAT32, 4).to(be).toFloatArray());
        float[] big = new float[KernelPlan.STAGE_LARGE + 5];
        for (int i = 0; i < big.length; i++) big[i] = i % 1000;
        assertArrayEquals(big, Tensor.of(big, big.length).to(be).toFloatArray(), "an upload over several staging chunks");
    }

    @Test
    void outOfRangeIndexIsOneClearError() {
        TornadoBackend be = TornadoTesting.backend();
        Tensor src = Tensor.ones(2, 3).to(be);
        Tensor idx = Tensor.ofLongs(new long[]{0, 5}, 2, 1).to(be);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> Index.gather(src, 1, idx));
        assertTrue(e.getMessage().contains("gather: index 5 out of range for dim 1 of size 3"), e.getMessage());
        assertEquals(2.0, Index.gather(src, 1, Tensor.ofLongs(new long[]{0, 2}, 2, 1).to(be)).sum().item(), 1e-6);
        IndexOutOfBoundsException select = assertThrows(IndexOutOfBoundsException.class,
                () -> Index.indexSelect(src, 1, Tensor.ofLongs(new long[]{7}, 1).to(be)));
        assertTrue(select.getMessage().contains("index_select: index 7 out of range for dim 1 of size 3"), select.getMessage());
    }

    @Test
    void optionsChooseTheDeviceAndRefuseAThreadCount() {
        String name = TornadoTesting.backend().info().name();
        Backend byName = Backends.get(TornadoBackend.NAME, BackendOptions.device(name.substring(0, 6)));
        assertTrue(byName.device().contains(name), byName.device());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> Backends.get(TornadoBackend.NAME, BackendOptions.device("no-such-device")));
        assertTrue(none.getMessage().contains("no-such-device") && none.getMessage().contains(name), none.getMessage());
        IllegalArgumentException threads = assertThrows(IllegalArgumentException.class,
                () -> Backends.get(TornadoBackend.NAME, BackendOptions.threads(2)));
        assertTrue(threads.getMessage().contains("tornado") && threads.getMessage().contains("threads=2"), threads.getMessage());
    }
}
