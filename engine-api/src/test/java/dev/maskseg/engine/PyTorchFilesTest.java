package dev.maskseg.engine;

import dev.maskseg.engine.io.PyTorchFiles;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The restricted .pth reader on files written by torch.save (tools/gen_model_fixtures.py). */
class PyTorchFilesTest {
    private static Path fixture(String name) throws Exception {
        return Path.of(PyTorchFilesTest.class.getResource("/fixtures/pth/" + name).toURI());
    }

    @Test
    void readsPlainStateDictWithViewsAndDtypes() throws Exception {
        Map<String, Tensor> sd = PyTorchFiles.stateDict(fixture("plain.pth"), List.of());
        assertArrayEquals(new int[]{4, 3, 3, 3}, sd.get("conv.weight").shape());
        float[] t = sd.get("transposed").toFloatArray();   // base.t() of arange(24).reshape(4, 6)
        assertArrayEquals(new int[]{6, 4}, sd.get("transposed").shape());
        assertEquals(6f, t[1]);
        assertEquals(1f, t[4]);
        assertArrayEquals(new float[]{12, 13, 14, 15, 16, 17}, sd.get("row").toFloatArray());
        assertArrayEquals(new float[]{1.5f, -2.25f, 65504f}, sd.get("half").toFloatArray());
        assertArrayEquals(new float[]{1f, -3.5f}, sd.get("bf16").toFloatArray());
        assertEquals(DType.FLOAT64, sd.get("double").dtype());
        assertArrayEquals(new long[]{1, -2, 3, 1L << 40}, sd.get("long").toLongArray());
        assertArrayEquals(new long[]{7, -8}, sd.get("int").toLongArray());
        assertEquals(DType.BOOL, sd.get("mask").dtype());
        assertArrayEquals(new long[]{1, 0, 1}, sd.get("mask").toLongArray());
        assertArrayEquals(new long[]{0, 255}, sd.get("bytes").toLongArray());
        assertEquals(0, sd.get("bn.num_batches_tracked").dim());
        assertEquals(5, sd.get("bn.num_batches_tracked").item());
    }

    @Test
    void picksNestedCheckpointByKeyAndKeepsScalars() throws Exception {
        Map<String, Tensor> teacher = PyTorchFiles.stateDict(fixture("nested.pth"), List.of("teacher", "student"));
        assertEquals(List.of("backbone.cls_token", "head.last_layer.weight"), List.copyOf(teacher.keySet()));
        assertArrayEquals(new float[]{1, 1, 1, 1, 1, 1, 1, 1}, teacher.get("backbone.cls_token").toFloatArray());
        Map<String, Tensor> student = PyTorchFiles.stateDict(fixture("nested.pth"), List.of("student"));
        assertTrue(student.containsKey("module.backbone.cls_token"));
        Map<?, ?> root = (Map<?, ?>) PyTorchFiles.read(fixture("nested.pth"));
        assertEquals(100L, root.get("epoch"));
        assertEquals(0.5, root.get("lr"));
        assertEquals("dino", root.get("name"));
        assertEquals("vit_small", ((Map<?, ?>) root.get("args")).get("arch"));
    }

    @Test
    void readsParametersOfAModuleStateDict() throws Exception {
        Map<String, Tensor> sd = PyTorchFiles.stateDict(fixture("parameter.pth"), List.of());
        assertArrayEquals(new int[]{3, 2}, sd.get("weight").shape());
        assertArrayEquals(new int[]{3}, sd.get("bias").shape());
    }

    @Test
    void rejectsForeignGlobalsWithoutRunningThem() throws Exception {
        Path marker = Path.of("/tmp/pwn");
        Files.deleteIfExists(marker);
        for (String f : List.of("evil_os_system.pth", "evil_eval.pth")) {
            IOException e = assertThrows(IOException.class, () -> PyTorchFiles.read(fixture(f)));
            assertTrue(e.getMessage().contains(f.contains("eval") ? "builtins.eval" : "os.system"), e.getMessage());
            assertTrue(e.getMessage().contains(f), "names the file: " + e.getMessage());
        }
        assertFalse(Files.exists(marker));
    }

    @Test
    void legacyFormatGetsAHowToError() throws Exception {
        IOException e = assertThrows(IOException.class, () -> PyTorchFiles.read(fixture("legacy.pth")));
        assertTrue(e.getMessage().contains("legacy") && e.getMessage().contains("torch.save"), e.getMessage());
    }

    @Test
    void truncatedOrForeignFilesGiveOneClearError() throws Exception {
        byte[] full = Files.readAllBytes(fixture("plain.pth"));
        Path dir = Files.createTempDirectory("pth");
        Path cut = dir.resolve("cut.pth");
        Files.write(cut, java.util.Arrays.copyOf(full, full.length / 2));
        IOException e = assertThrows(IOException.class, () -> PyTorchFiles.read(cut));
        assertTrue(e.getMessage().contains("cut.pth"), e.getMessage());
        Path text = dir.resolve("notes.pth");
        Files.writeString(text, "hello");
        e = assertThrows(IOException.class, () -> PyTorchFiles.read(text));
        assertTrue(e.getMessage().contains("notes.pth") && e.getMessage().contains("not a PyTorch zip"), e.getMessage());
    }
}
