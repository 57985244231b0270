package dev.maskseg.engine;

import dev.maskseg.engine.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    @TempDir Path dir;

    @Test
    void roundTripsEveryDtypeAndMetadata() throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("f", Tensor.of(new float[]{1.5f, -2f, 3f, 4f, 5f, 6f}, 2, 3));
        m.put("d", Tensor.of(new double[]{Math.PI}, 1));
        m.put("l", Tensor.ofLongs(new long[]{Long.MAX_VALUE, -7}, 2));
        m.put("b", Tensor.ofBools(new boolean[]{true, false, true}, 3));
        m.put("nc", Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3).t());
        Path f = dir.resolve("t.safetensors");
        SafeTensors.write(f, m, Map.of("format", "pt"));
        Map<String, Tensor> r = SafeTensors.read(f);
        assertEquals(m.keySet(), r.keySet());
        assertArrayEquals(new float[]{1.5f, -2f, 3f, 4f, 5f, 6f}, r.get("f").toFloatArray());
        assertEquals(Math.PI, r.get("d").item());
        assertArrayEquals(new long[]{Long.MAX_VALUE, -7}, r.get("l").toLongArray());
        assertEquals(DType.BOOL, r.get("b").dtype());
        assertArrayEquals(new float[]{1, 4, 2, 5, 3, 6}, r.get("nc").toFloatArray());
        assertArrayEquals(new int[]{3, 2}, r.get("nc").shape());
        assertEquals("pt", SafeTensors.metadata(f).get("format"));
    }

    @Test
    void widensHalfAndBfloat16() throws IOException {
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[4,6]}}";
        ByteBuffer data = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-0.25f));
        data.putShort((short) (Float.floatToIntBits(3.0f) >>> 16));
        Path f = raw(header, data.array());
        Map<String, Tensor> r = SafeTensors.read(f);
        assertArrayEquals(new float[]{1.5f, -0.25f}, r.get("h").toFloatArray());
        assertArrayEquals(new float[]{3.0f}, r.get("b").toFloatArray());
    }

    private Path raw(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path f = Files.createTempFile(dir, "raw", ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    private void rejects(Path f, String fragment) {
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains(f.toString()), "message names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "message explains (" + fragment + "): " + e.getMessage());
    }

    @Test
    void corruptFilesGiveOneClearError() throws IOException {
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[]{1, 2, 3});
        rejects(tiny, "truncated");
        Path huge = dir.resolve("huge.safetensors");
        Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE / 2).array());
        rejects(huge, "header length");
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        rejects(cut, "truncated");
        rejects(raw("{not json", new byte[0]), "JSON");
        rejects(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]), "outside");
        rejects(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]), "needs 12");
        rejects(raw("{\"x\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]), "unsupported dtype");
        rejects(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]), "invalid dimension");
    }
}
