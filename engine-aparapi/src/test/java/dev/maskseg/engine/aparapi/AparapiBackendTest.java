package dev.maskseg.engine.aparapi;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.backend.DeviceRank;
import dev.maskseg.engine.ops.Index;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Device residency, OpenCL execution (no silent Java fallback), dtypes and memory reuse. */
class AparapiBackendTest {
    private static AparapiBackend backend() {
        Backend b = Backends.get(AparapiBackend.NAME);
        return (AparapiBackend) b;
    }

    @Test
    void runsOnOpenClNotTheJavaThreadPool() {
        AparapiBackend be = backend();
        Tensor x = Tensor.randn(new Generator(1), 5, 7).to(be);
        float[] y = x.mul(2).add(1).toFloatArray();
        assertTrue(be.launcher.k.isRunningCL(), "Aparapi fell back to Java: " + be.launcher.k.getTargetDevice());
        assertTrue(be.device().startsWith("OpenCL"), be.device());
        float[] ref = x.toFloatArray();
        for (int i = 0; i < y.length; i++) assertEquals(ref[i] * 2 + 1, y[i], 1e-6);
    }

    @Test
    void everyDtypeRoundTripsThroughTheDevice() {
        AparapiBackend be = backend();
        long[] labels = {0, 255, -1, 1L << 40, 7};
        assertArrayEquals(labels, Tensor.ofLongs(labels, 5).to(be).toLongArray());
        double[] dbl = {1e-300, Math.PI, -2.5};
        assertArrayEquals(dbl, Tensor.of(dbl, 3).to(be).toDoubleArray());
        Tensor mask = Tensor.of(new float[]{-1, 0, 2}, 3).to(be).gt(0);
        assertEquals(DType.BOOL, mask.dtype());
        assertArrayEquals(new long[]{0, 0, 1}, mask.to(DType.INT64).toLongArray());
        assertArrayEquals(new float[]{0, 0, 0, 0}, Tensor.zeros(DType.FLOAT32, 4).to(be).toFloatArray());
    }

    @Test
    void memoryOfDeadTensorsIsReused() {
        // a 16 MiB device budget: 4M floats, far less than the 26M allocated below
        AparapiBackend be = new AparapiBackend(DeviceInfo.choose(null), false, 16L << 20);
        Tensor keep = Tensor.ones(1000).to(be);
        for (int i = 0; i < 400; i++) {
            Tensor t = Tensor.empty(be, DType.FLOAT32, 1 << 16);
            be.fill(t.view(), i);
        }
        assertEquals(1000.0, keep.sum().item(), 1e-6);
        assertTrue(be.arena.floatCapacity() <= 4 << 20, "arena grew past its limit: " + be.arena.usage());
    }

    @Test
    void arenaStaysBelowAparapisIntByteSizesAndAThirdOfTheHeap() {
        assertEquals(Integer.MAX_VALUE - 4096L, DeviceArena.maxArenaBytes(4L << 30, 24L << 30), "PoCL's 4 GiB max alloc would overflow");
        assertEquals(1L << 30, DeviceArena.maxArenaBytes(4L << 30, 3L << 30), "a third of a 3 GiB heap");
        assertEquals(16L << 20, DeviceArena.maxArenaBytes(16L << 20, 3L << 30), "the device's own limit");
    }

    @Test
    void outOfRangeIndexIsOneClearError() {
        AparapiBackend be = backend();
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
    void ranksByItsDevice() {
        AparapiBackendProvider p = new AparapiBackendProvider();
        String type = DeviceInfo.choose(null).getType().name();
        assertEquals(DeviceRank.of(type), p.rank());
        assertTrue(p.rankReason().contains(DeviceInfo.choose(null).getName()), p.rankReason());
        if (type.equals("CPU")) assertTrue(p.rank() < DeviceRank.JVM, "an OpenCL CPU driver ranks below the jvm backend");
        else assertTrue(p.rank() > DeviceRank.JVM, "a GPU or accelerator ranks above the jvm backend");
    }

    @Test
    void optionsChooseTheDeviceAndRefuseAThreadCount() {
        String name = DeviceInfo.choose(null).getName();
        Backend byName = Backends.get(AparapiBackend.NAME, BackendOptions.device(name));
        assertTrue(byName.device().contains(name), byName.device());
        assertEquals(0, byName.threads(), "a device backend has no host thread count");
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> Backends.get(AparapiBackend.NAME, BackendOptions.device("no-such-device")));
        assertTrue(none.getMessage().contains("no-such-device") && none.getMessage().contains(name), none.getMessage());
        IllegalArgumentException threads = assertThrows(IllegalArgumentException.class,
                () -> Backends.get(AparapiBackend.NAME, BackendOptions.threads(2)));
        assertTrue(threads.getMessage().contains("aparapi") && threads.getMessage().contains("threads=2"), threads.getMessage());
    }
}
