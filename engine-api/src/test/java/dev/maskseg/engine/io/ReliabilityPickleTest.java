package dev.maskseg.engine.io;

import dev.maskseg.engine.Tensor;
import dev.maskseg.testing.PickleBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static dev.maskseg.testing.PickleBytes.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile .pth files built opcode by opcode: each is refused within seconds by one {@link IOException} naming the file
 * and what is wrong, never a hang, a StackOverflowError, an OutOfMemoryError or an arithmetic/array exception.
 */
class ReliabilityPickleTest {
    @TempDir
    Path dir;

    private void refused(String name, PickleBytes p, Map<String, byte[]> storages, String fragment) throws IOException {
        Path f = dir.resolve(name);
        p.writePth(f, storages);
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(IOException.class, () -> PyTorchFiles.read(f)));
        assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "says why (" + fragment + "): " + e.getMessage());
    }

    /** t0 = (1,), t(i+1) = (t(i), t(i)): a 2^80-leaf tree in 80 memo steps, used as a dict key (hashing it never ends). */
    @Test
    void sharedTupleKeyDoesNotHang() throws IOException {
        PickleBytes p = new PickleBytes().op(EMPTY_DICT).integer(1).op(TUPLE1).put(0);
        for (int i = 1; i <= 80; i++) p.op(POP).get(i - 1).get(i - 1).op(TUPLE2).put(i);
        p.integer(7).op(SETITEM);
        refused("shared_key.pth", p, Map.of(), "tuple key of more than");
    }

    /** A list appended to itself, used as a dict key: hashing it recursed until the stack overflowed. */
    @Test
    void selfReferentialKeyIsRefused() throws IOException {
        PickleBytes p = new PickleBytes().op(EMPTY_DICT, EMPTY_LIST).put(0).get(0).op(APPEND).integer(1).op(SETITEM);
        refused("self_key.pth", p, Map.of(), "list key (unhashable)");
    }

    @Test
    void selfReferentialValueAndDeepNestingAreRefused() throws IOException {
        PickleBytes self = new PickleBytes().op(EMPTY_DICT).string("loop").op(EMPTY_LIST).put(0).get(0).op(APPEND, SETITEM);
        refused("self_value.pth", self, Map.of(), "contains itself");
        PickleBytes deep = new PickleBytes().op(EMPTY_DICT).string("deep");
        for (int i = 0; i < 200_000; i++) deep.op(EMPTY_LIST);
        for (int i = 0; i < 199_999; i++) deep.op(APPEND);
        deep.op(SETITEM);
        refused("deep.pth", deep, Map.of(), "nest more than 100 deep");
        PickleBytes deepKey = new PickleBytes().op(EMPTY_DICT).integer(0);
        for (int i = 0; i < 100_000; i++) deepKey.op(TUPLE1);
        deepKey.integer(1).op(SETITEM);
        refused("deep_key.pth", deepKey, Map.of(), "tuple key of more than");
    }

    /** 25M pushes of one value then LIST: more work than any state dict needs. */
    @Test
    void totalWorkIsBounded() throws IOException {
        PickleBytes p = new PickleBytes().op(MARK).integer(3);
        byte[] dups = new byte[25_000_000];
        java.util.Arrays.fill(dups, (byte) DUP);
        p.op(toInts(dups)).op(LIST);
        refused("work.pth", p, Map.of(), "steps of work");
    }

    private static int[] toInts(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) out[i] = b[i] & 0xFF;
        return out;
    }

    private static PickleBytes oneTensor(String type, long numel, long offset, long[] size, long[] stride) {
        return new PickleBytes().op(EMPTY_DICT).string("w").tensor(type, "0", numel, offset, size, stride).op(SETITEM);
    }

    private static byte[] floats(int n) {
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) b.putFloat(i);
        return b.array();
    }

    @Test
    void tensorRecordsAreCheckedBeforeAllocating() throws IOException {
        Map<String, byte[]> four = Map.of("0", floats(4));
        refused("zero_stride.pth", oneTensor("FloatStorage", 4, 0, new long[]{100_000, 100_000}, new long[]{0, 0}), four, "more than 2^31-1 elements");
        refused("heap.pth", oneTensor("DoubleStorage", 2, 0, new long[]{46_000, 46_000}, new long[]{0, 0}), four, "MASKSEG_JAVA_OPTS=-Xmx"); // 16.9 GB
        refused("negative_offset.pth", oneTensor("FloatStorage", 4, -2, new long[]{2}, new long[]{1}), four, "outside its storage");
        refused("past_end.pth", oneTensor("FloatStorage", 4, 1, new long[]{2, 2}, new long[]{2, 1}), four, "outside its storage");
        refused("wrapping_count.pth", oneTensor("FloatStorage", 4, 0, new long[]{1L << 30, 1L << 30, 1L << 24}, new long[]{0, 0, 0}), four,
                "more than 2^31-1 elements"); // 2^84 elements: a count saturating at 2^40 wrapped to 0
        refused("huge_stride.pth", oneTensor("FloatStorage", 4, 0, new long[]{3, 3}, new long[]{1L << 40, 1}), four, "[0, 2^31-1]");
        refused("negative_size.pth", oneTensor("FloatStorage", 4, 0, new long[]{-1}, new long[]{1}), four, "[0, 2^31-1]");
        refused("numel.pth", oneTensor("FloatStorage", (1L << 62) + 3, 0, new long[]{2}, new long[]{1}), four, "claims 4611686018427387907 elements");
        refused("short_storage.pth", oneTensor("FloatStorage", 8, 0, new long[]{8}, new long[]{1}), four, "has 16 bytes");
        PickleBytes notStorage = new PickleBytes().op(EMPTY_DICT).string("w").op(MARK).string("storage").global("collections", "OrderedDict")
                .string("0").string("cpu").longValue(4).op(TUPLE, BINPERSID, SETITEM);
        refused("not_storage.pth", notStorage, four, "not a torch storage");

        Path ok = dir.resolve("ok.pth");
        oneTensor("FloatStorage", 4, 1, new long[]{3}, new long[]{1}).writePth(ok, four);
        assertArrayEquals(new float[]{1, 2, 3}, PyTorchFiles.stateDict(ok, List.of()).get("w").toFloatArray(), "a valid record still loads");
        Path expanded = dir.resolve("expanded.pth");
        oneTensor("FloatStorage", 4, 2, new long[]{2, 3}, new long[]{0, 0}).writePth(expanded, four);
        Tensor t = PyTorchFiles.stateDict(expanded, List.of()).get("w");
        assertArrayEquals(new float[]{2, 2, 2, 2, 2, 2}, t.toFloatArray(), "zero strides within limits expand as torch does");
    }

    /** data.pkl that deflates from a few hundred KB to 300 MB. */
    @Test
    void inflatingPickleEntryIsRefused() throws IOException {
        Path f = dir.resolve("zipbomb.pth");
        try (OutputStream os = Files.newOutputStream(f); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 300; i++) zip.write(zeros);
        }
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(IOException.class, () -> PyTorchFiles.read(f)));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("more than"), e.getMessage());
    }

    @Test
    void unpicklerLimitsApplyToEachKind() {
        Unpickler.Host none = new Unpickler.Host() {
            public void checkGlobal(Unpickler.Global g) {}
            public Object call(Unpickler.Global c, List<Object> a) { return null; }
            public Object persistentLoad(Object pid) { return null; }
            public Object build(Object o, Object s) { return o; }
        };
        Unpickler.Limits small = new Unpickler.Limits(1_000, 3, 4, 16);
        IOException depth = assertThrows(IOException.class, () -> new Unpickler(new PickleBytes().op(EMPTY_LIST, EMPTY_LIST, EMPTY_LIST, EMPTY_LIST,
                APPEND, APPEND, APPEND, STOP).bytes(), "x.pkl", none, small).load());
        assertTrue(depth.getMessage().contains("more than 3 deep"), depth.getMessage());
        IOException key = assertThrows(IOException.class, () -> new Unpickler(new PickleBytes().op(EMPTY_DICT, MARK, 0x4b, 1, 0x4b, 2, 0x4b, 3, 0x4b, 4,
                TUPLE, 0x4b, 0, SETITEM, STOP).bytes(), "x.pkl", none, small).load());
        assertTrue(key.getMessage().contains("more than 4 elements"), key.getMessage());
        IOException big = assertThrows(IOException.class, () -> new Unpickler(new PickleBytes().op(0x8b, 100, 0, 0, 0).op(new int[100]).op(STOP).bytes(),
                "x.pkl", none, small).load());
        assertTrue(big.getMessage().contains("an integer of 100 bytes"), big.getMessage());
    }
}
