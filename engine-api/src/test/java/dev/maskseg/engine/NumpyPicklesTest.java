package dev.maskseg.engine;

import dev.maskseg.engine.io.NumpyPickles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The restricted reader of numpy pickles on files written by tools/gen_pickle_fixtures.py: Python 2 style (BINSTRING,
 * latin-1), Python 3 protocols 2, 4 and 5, numpy 1 and 2 module names; every dtype, byte order and Fortran order
 * reads back to the same values; a pickle naming any other global is refused before anything runs.
 */
class NumpyPicklesTest {
    private static Path fixture(String name) throws Exception {
        return Path.of(NumpyPicklesTest.class.getResource("/fixtures/pkl/" + name).toURI());
    }

    @ParameterizedTest
    @ValueSource(strings = {"d2_py2.pkl", "d2_p2.pkl", "d2_p4.pkl", "d2_p5_np2.pkl"})
    void readsDetectron2StylePickles(String file) throws Exception {
        Map<?, ?> root = (Map<?, ?>) NumpyPickles.read(fixture(file));
        assertEquals("maskseg-test", root.get("__author__"));
        assertEquals(Boolean.TRUE, root.get("matching_heuristics"));
        Map<?, ?> m = (Map<?, ?>) root.get("model");
        Tensor w = (Tensor) m.get("stem.conv1.weight");
        assertEquals(DType.FLOAT32, w.dtype());
        assertArrayEquals(new int[]{2, 3}, w.shape());
        assertArrayEquals(new float[]{0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, w.toFloatArray());
        assertEquals(DType.FLOAT64, ((Tensor) m.get("double")).dtype());
        assertArrayEquals(new double[]{1.5, -2.25, 1e300, 0.0}, ((Tensor) m.get("double")).toDoubleArray());
        assertArrayEquals(new long[]{1, -2, 1L << 40}, ((Tensor) m.get("long")).toLongArray());
        assertArrayEquals(new long[]{7, -8}, ((Tensor) m.get("int")).toLongArray());
        Tensor f = (Tensor) m.get("fortran");
        assertArrayEquals(new int[]{3, 2}, f.shape());
        assertArrayEquals(new float[]{0, 1, 2, 3, 4, 5}, f.toFloatArray());
        assertArrayEquals(new float[]{1, -3.5f, 65504}, ((Tensor) m.get("big_endian")).toFloatArray());
        assertArrayEquals(new float[]{1.5f, -2.25f}, ((Tensor) m.get("half")).toFloatArray());
        assertArrayEquals(new long[]{0, 128, 255}, ((Tensor) m.get("bytes")).toLongArray());
        assertEquals(DType.BOOL, ((Tensor) m.get("mask")).dtype());
        assertArrayEquals(new long[]{1, 0, 1}, ((Tensor) m.get("mask")).toLongArray());
        assertEquals(0, ((Tensor) m.get("scalar")).dim());
        assertEquals(2.5, ((Tensor) m.get("scalar")).item());
        assertArrayEquals(new int[]{0, 4}, ((Tensor) m.get("empty")).shape());
    }

    @Test
    void refusesAnyOtherGlobal() throws Exception {
        IOException e = assertThrows(IOException.class, () -> NumpyPickles.read(fixture("evil.pkl")));
        assertTrue(e.getMessage().contains("'posix.system'") || e.getMessage().contains("'os.system'"), e.getMessage());
        assertTrue(e.getMessage().contains("not allowed"), e.getMessage());
    }

    @Test
    void refusesAnArrayWhoseDataDoesNotFitItsShape(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        byte[] good = Files.readAllBytes(fixture("d2_p4.pkl"));
        // the first array is float32 [2, 3]; claim [2, 4] by patching its shape's second BININT1
        byte[] bad = good.clone();
        boolean patched = false;
        for (int i = 0; i + 4 < bad.length && !patched; i++) {
            if (bad[i] == 'K' && bad[i + 1] == 2 && bad[i + 2] == 'K' && bad[i + 3] == 3) {
                bad[i + 3] = 4;
                patched = true;
            }
        }
        assertTrue(patched, "fixture layout changed");
        Path file = dir.resolve("bad.pkl");
        Files.write(file, bad);
        IOException e = assertThrows(IOException.class, () -> NumpyPickles.read(file));
        assertTrue(e.getMessage().contains("needs 32 bytes, has 24"), e.getMessage());
    }
}
