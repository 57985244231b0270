package dev.maskseg.engine.io;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.storage.HostStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** safetensors files over 2 GiB (sparse, so no disk is used), headers with values of the wrong type, inputs larger than the heap. */
class ReliabilitySafeTensorsTest {
    @TempDir
    Path dir;

    /** A file of this header, its data placed at {@code at} bytes into the data section and the file {@code dataLength} long (sparse). */
    private Path sparse(String name, String header, long dataLength, long at, byte[] data) throws IOException {
        Path f = dir.resolve(name);
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            raf.write(h);
            raf.setLength(8 + h.length + dataLength);
            raf.seek(8 + h.length + at);
            raf.write(data);
        }
        return f;
    }

    @Test
    void filesOverTwoGibibytesAreRead() throws IOException {
        long pad = Integer.MAX_VALUE; // a U8 tensor of 2^31-1 bytes, then a small one beyond 2 GiB
        String header = "{\"__metadata__\":{\"format\":\"pt\"},\"pad\":{\"dtype\":\"U8\",\"shape\":[" + pad + "],\"data_offsets\":[0," + pad + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + pad + "," + (pad + 16) + "]}}";
        ByteBuffer tail = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2).putFloat(3).putFloat(4.25f);
        Path f = sparse("big.safetensors", header, pad + 16, pad, tail.array());
        assertTrue(Files.size(f) > (2L << 30), "the file is larger than 2 GiB");
        Map<String, Tensor> t = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> SafeTensors.read(f, "tail"::equals));
        assertArrayEquals(new float[]{1.5f, -2, 3, 4.25f}, t.get("tail").toFloatArray());
        assertArrayEquals(new int[]{2, 2}, t.get("tail").shape());
        assertEquals("pt", SafeTensors.metadata(f).get("format"));
        assertEquals(2, SafeTensors.entries(f).size());
    }

    /** The chunked reader on a small file with 24-byte chunks: every dtype crosses chunk boundaries intact. */
    @Test
    void chunkedMappingKeepsEveryElement() throws IOException {
        Path f = dir.resolve("chunks.bin");
        ByteBuffer b = ByteBuffer.allocate(8 + 80).order(ByteOrder.LITTLE_ENDIAN).putLong(0);
        for (int i = 0; i < 10; i++) b.putDouble(i + 0.5);
        Files.write(f, b.array());
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            HostStorage.F64 d = (HostStorage.F64) RawData.read("F64", ch, 8, 10, 24);
            for (int i = 0; i < 10; i++) assertEquals(i + 0.5, d.data[i]);
            HostStorage.I32 ints = (HostStorage.I32) RawData.read("I32", ch, 8, 20, 24);
            assertEquals(20, ints.data.length);
            HostStorage.U8 bytes = (HostStorage.U8) RawData.read("U8", ch, 8, 80, 24);
            assertEquals(DType.UINT8, bytes.dtype());
            assertEquals(b.get(8 + 79), bytes.data[79]);
        }
    }

    @Test
    void tensorLargerThanTheHeapIsRefusedBeforeReading() throws IOException {
        long n = Integer.MAX_VALUE; // F64: 16 GiB, more than the test JVM's 8 GiB heap
        String header = "{\"input\":{\"dtype\":\"F64\",\"shape\":[" + n + "],\"data_offsets\":[0," + 8 * n + "]}}";
        Path f = sparse("input.safetensors", header, 8 * n, 0, new byte[8]);
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(IOException.class, () -> SafeTensors.read(f)));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("16.0 GiB") && e.getMessage().contains("MASKSEG_JAVA_OPTS=-Xmx"),
                e.getMessage());
    }

    private void rejects(String header, String fragment) throws IOException {
        Path f = sparse("h" + Math.abs(header.hashCode()) + ".safetensors", header, 16, 0, new byte[16]);
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "says why (" + fragment + "): " + e.getMessage());
    }

    @Test
    void headerValuesOfTheWrongTypeAreRefused() throws IOException {
        rejects("{\"x\":{\"dtype\":\"F32\",\"shape\":[1.9],\"data_offsets\":[0,4]}}", "invalid dimension 1.9");
        rejects("{\"x\":{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}}", "invalid dimension \"1\"");
        rejects("{\"x\":{\"dtype\":\"F32\",\"shape\":[4e0],\"data_offsets\":[0,16]}}", "invalid dimension");
        rejects("{\"x\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", "invalid dimension -4");
        rejects("{\"x\":{\"dtype\":\"F32\",\"shape\":4,\"data_offsets\":[0,16]}}", "not a list of integers");
        rejects("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[\"0\",16]}}", "out of order or outside");
        rejects("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,0]}}", "out of order or outside");
        rejects("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16,32]}}", "not a pair of integers");
        rejects("{\"x\":{\"dtype\":32,\"shape\":[4],\"data_offsets\":[0,16]}}", "unsupported dtype 32");
        rejects("{\"x\":[1,2]}", "not an object");
        rejects("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},\"x\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}",
                "Duplicate field 'x'");
        rejects("{\"__metadata__\":{\"epoch\":3},\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "not a string");
        rejects("{\"x\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,16]}}", "invalid dimension");
        rejects("{\"x\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,16]}}", "more than 2^31-1 elements");
        // 2^30 * 2^30 * 2^24 = 2^84: a count that saturated at 2^40 wrapped to 0 and passed as an empty tensor
        rejects("{\"x\":{\"dtype\":\"U8\",\"shape\":[1073741824,1073741824,16777216],\"data_offsets\":[0,0]}}", "more than 2^31-1 elements");
    }
}
