package dev.maskseg.engine.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.maskseg.engine.DType;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.storage.HostStorage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The safetensors format: u64 little-endian header length, a JSON header, then raw little-endian
 * data. Reads map each tensor's bytes (in chunks, so files and tensors over 2 GiB work); F16 and BF16 are widened to
 * FLOAT32. The header is checked strictly (duplicate keys, value types, offsets within the file) and the heap for the
 * decoded tensors before any is read; every malformed file is one {@link IOException} naming the file.
 */
public final class SafeTensors {
    /** Headers beyond this are rejected (the reference implementation uses 100 MB). */
    static final long MAX_HEADER = 100L << 20;
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

    private SafeTensors() {}

    public record Entry(String name, String dtype, int[] shape, long begin, long end) {}

    /** All tensors in file order, on the default backend. */
    public static Map<String, Tensor> read(Path file) throws IOException { return read(file, name -> true); }

    /** The tensors whose names {@code wanted} accepts, in file order; the others are not read. */
    public static Map<String, Tensor> read(Path file, Predicate<String> wanted) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (FileChannel ch = open(file)) {
            Header h = header(file, ch, ch.size());
            List<Entry> chosen = h.entries.stream().filter(e -> wanted.test(e.name())).toList();
            long bytes = 0;
            for (Entry e : chosen) bytes += (e.end() - e.begin()) / RawData.width(e.dtype()) * RawData.decodedWidth(e.dtype());
            HeapBudget.require(bytes, "safetensors file " + file + " (" + chosen.size() + " tensors)");
            for (Entry e : chosen) {
                int n = (int) ((e.end() - e.begin()) / RawData.width(e.dtype()));
                out.put(e.name(), Tensor.fromHost(RawData.read(e.dtype(), ch, h.dataStart + e.begin(), n), e.shape()));
            }
        }
        return out;
    }

    public static Map<String, String> metadata(Path file) throws IOException {
        try (FileChannel ch = open(file)) {
            return header(file, ch, ch.size()).metadata;
        }
    }

    /** The tensors' names, dtypes, shapes and byte ranges, in file order, without reading their data. */
    public static List<Entry> entries(Path file) throws IOException {
        try (FileChannel ch = open(file)) {
            return header(file, ch, ch.size()).entries;
        }
    }

    private static FileChannel open(Path file) throws IOException {
        if (Files.isDirectory(file)) throw new IOException("safetensors file " + file + ": is a directory");
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    private record Header(List<Entry> entries, Map<String, String> metadata, long dataStart) {}

    private static IOException bad(Path file, String why) {
        return new IOException("safetensors file " + file + ": " + why);
    }

    private static Header header(Path file, FileChannel ch, long size) throws IOException {
        if (size < 8) throw bad(file, "truncated: " + size + " bytes, the 8-byte header length is missing");
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(len, 0);
        long n = len.flip().getLong();
        if (n < 2 || n > MAX_HEADER) throw bad(file, "header length " + Long.toUnsignedString(n) + " is not in [2, " + MAX_HEADER + "]");
        if (8 + n > size) throw bad(file, "truncated: header of " + n + " bytes but the file has " + size);
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        while (hb.hasRemaining()) if (ch.read(hb, 8 + hb.position()) < 0) throw bad(file, "truncated header");
        JsonNode root;
        try {
            root = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            throw bad(file, "header is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) throw bad(file, "header is not a JSON object");
        long dataStart = 8 + n, dataLen = size - dataStart;
        List<Entry> entries = new ArrayList<>();
        Map<String, String> meta = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            var f = it.next();
            if (f.getKey().equals("__metadata__")) {
                if (!f.getValue().isObject()) throw bad(file, "__metadata__ must be an object of strings");
                for (var m : (Iterable<Map.Entry<String, JsonNode>>) () -> f.getValue().fields()) {
                    if (!m.getValue().isTextual()) throw bad(file, "__metadata__ value '" + m.getKey() + "' is " + m.getValue() + ", not a string");
                    meta.put(m.getKey(), m.getValue().asText());
                }
                continue;
            }
            entries.add(entry(file, f.getKey(), f.getValue(), dataLen));
        }
        entries.sort((a, b) -> Long.compare(a.begin(), b.begin()));
        return new Header(entries, meta, dataStart);
    }

    private static Entry entry(Path file, String name, JsonNode node, long dataLen) throws IOException {
        if (!node.isObject()) throw bad(file, "tensor '" + name + "' is " + node + ", not an object");
        JsonNode dt = node.get("dtype"), sh = node.get("shape"), off = node.get("data_offsets");
        if (dt == null || sh == null || off == null) throw bad(file, "tensor '" + name + "' lacks dtype, shape or data_offsets");
        if (!dt.isTextual() || RawData.width(dt.asText()) < 0) throw bad(file, "tensor '" + name + "' has unsupported dtype " + dt);
        int width = RawData.width(dt.asText());
        if (!sh.isArray()) throw bad(file, "tensor '" + name + "' has shape " + sh + ", not a list of integers");
        int[] shape = new int[sh.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = integer(sh.get(i));
            if (d < 0 || d > Integer.MAX_VALUE) throw bad(file, "tensor '" + name + "' has invalid dimension " + sh.get(i) + " (shape " + sh + ")");
            shape[i] = (int) d;
            numel = Math.min(numel * d, 1L << 32); // saturating at 2^32 (times a dimension < 2^31 stays below 2^63): only "more than 2^31-1" matters
        }
        if (numel > Integer.MAX_VALUE) throw bad(file, "tensor '" + name + "' of shape " + sh + " has more than 2^31-1 elements (the engine's limit)");
        if (!off.isArray() || off.size() != 2) throw bad(file, "tensor '" + name + "' has data_offsets " + off + ", not a pair of integers");
        long b = integer(off.get(0)), e = integer(off.get(1));
        if (b < 0 || e < b || e > dataLen) {
            throw bad(file, "tensor '" + name + "' data_offsets " + off + " are out of order or outside the " + dataLen + "-byte data");
        }
        if (e - b != numel * width) {
            throw bad(file, "tensor '" + name + "' has " + (e - b) + " bytes but " + dt.asText() + java.util.Arrays.toString(shape)
                    + " needs " + numel * width);
        }
        return new Entry(name, dt.asText(), shape, b, e);
    }

    /** A JSON integer that fits a long, else -1 (so 1.9, "1", 1e3 and 2^64 are all invalid). */
    private static long integer(JsonNode v) {
        return v.isIntegralNumber() && v.canConvertToLong() ? v.asLong() : -1;
    }

    private static String code(DType t) {
        return switch (t) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case UINT8 -> "U8";
            case BOOL -> "BOOL";
        };
    }

    /** Writes tensors (in map order) and string metadata atomically. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        AtomicFiles.write(file, writer(tensors, metadata));
    }

    /** The bytes {@link #write(Path, Map, Map)} writes, for a destination of the caller's (tensors copied to the host now). */
    public static AtomicFiles.Writer writer(Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        List<HostStorage> data = new ArrayList<>();
        for (var e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long bytes = (long) t.numel() * t.dtype().bytes();
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", code(t.dtype()));
            var shape = n.putArray("shape");
            for (int s : t.shape()) shape.add(s);
            n.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
            data.add(t.toHost());
        }
        byte[] hj = JSON.writeValueAsBytes(header);
        int pad = (8 - hj.length % 8) % 8;
        byte[] hp = java.util.Arrays.copyOf(hj, hj.length + pad);
        java.util.Arrays.fill(hp, hj.length, hp.length, (byte) ' ');
        return out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hp.length);
            out.write(len.array());
            out.write(hp);
            for (HostStorage h : data) out.write(bytes(h));
        };
    }

    private static byte[] bytes(HostStorage h) {
        ByteBuffer b = ByteBuffer.allocate(h.length() * h.dtype().bytes()).order(ByteOrder.LITTLE_ENDIAN);
        switch (h) {
            case HostStorage.F32 f -> b.asFloatBuffer().put(f.data);
            case HostStorage.F64 f -> b.asDoubleBuffer().put(f.data);
            case HostStorage.I64 f -> b.asLongBuffer().put(f.data);
            case HostStorage.I32 f -> b.asIntBuffer().put(f.data);
            case HostStorage.U8 f -> b.put(f.data);
        }
        return b.array();
    }
}
