package dev.maskseg.engine.io;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.storage.HostStorage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/** Little-endian raw tensor data to host storage, by safetensors dtype code; F16 and BF16 are widened to FLOAT32. */
final class RawData {
    /** Files are mapped at most this many bytes at a time (a mapping is limited to 2 GiB). */
    static final int CHUNK = 1 << 30;

    private RawData() {}

    static HostStorage decode(String code, ByteBuffer buffer, int n) {
        HostStorage h = allocate(code, n);
        fill(h, code, buffer.slice().order(ByteOrder.LITTLE_ENDIAN), 0, n);
        return h;
    }

    /** {@code n} elements starting at byte {@code position} of the file, mapped in chunks of at most {@link #CHUNK} bytes. */
    static HostStorage read(String code, FileChannel ch, long position, int n) throws IOException { return read(code, ch, position, n, CHUNK); }

    static HostStorage read(String code, FileChannel ch, long position, int n, int chunkBytes) throws IOException {
        HostStorage h = allocate(code, n);
        int width = width(code), perChunk = Math.max(1, chunkBytes / width);
        for (int at = 0; at < n; at += perChunk) {
            int count = Math.min(perChunk, n - at);
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, position + (long) at * width, (long) count * width).order(ByteOrder.LITTLE_ENDIAN);
            fill(h, code, b, at, count);
        }
        return h;
    }

    private static HostStorage allocate(String code, int n) {
        return switch (code) {
            case "F32", "F16", "BF16" -> new HostStorage.F32(new float[n]);
            case "F64" -> new HostStorage.F64(new double[n]);
            case "I64" -> new HostStorage.I64(new long[n]);
            case "I32" -> new HostStorage.I32(new int[n]);
            case "U8" -> new HostStorage.U8(new byte[n], DType.UINT8);
            case "BOOL" -> new HostStorage.U8(new byte[n], DType.BOOL);
            default -> throw new IllegalArgumentException("unsupported dtype " + code);
        };
    }

    /** Elements {@code at .. at+count} of {@code h} from the little-endian bytes at the start of {@code b}. */
    private static void fill(HostStorage h, String code, ByteBuffer b, int at, int count) {
        switch (code) {
            case "F32" -> b.asFloatBuffer().get(((HostStorage.F32) h).data, at, count);
            case "F64" -> b.asDoubleBuffer().get(((HostStorage.F64) h).data, at, count);
            case "I64" -> b.asLongBuffer().get(((HostStorage.I64) h).data, at, count);
            case "I32" -> b.asIntBuffer().get(((HostStorage.I32) h).data, at, count);
            case "U8", "BOOL" -> b.get(((HostStorage.U8) h).data, at, count);
            case "F16" -> {
                float[] d = ((HostStorage.F32) h).data;
                for (int i = 0; i < count; i++) d[at + i] = Float.float16ToFloat(b.getShort(2 * i));
            }
            case "BF16" -> {
                float[] d = ((HostStorage.F32) h).data;
                for (int i = 0; i < count; i++) d[at + i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xFFFF) << 16);
            }
            default -> throw new IllegalArgumentException("unsupported dtype " + code);
        }
    }

    static int width(String code) {
        return switch (code) {
            case "F32", "I32" -> 4;
            case "F64", "I64" -> 8;
            case "F16", "BF16" -> 2;
            case "U8", "BOOL" -> 1;
            default -> -1;
        };
    }

    /** Bytes per element once decoded (F16 and BF16 widen to 4). */
    static int decodedWidth(String code) {
        return switch (code) {
            case "F16", "BF16" -> 4;
            default -> width(code);
        };
    }
}
