package dev.maskseg.engine.io;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.storage.HostStorage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Little-endian raw tensor data to host storage, by safetensors dtype code; F16 and BF16 are widened to FLOAT32. */
final class RawData {
    private RawData() {}

    static HostStorage decode(String code, ByteBuffer buffer, int n) {
        ByteBuffer b = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
        return switch (code) {
            case "F32" -> { float[] d = new float[n]; b.asFloatBuffer().get(d); yield new HostStorage.F32(d); }
            case "F64" -> { double[] d = new double[n]; b.asDoubleBuffer().get(d); yield new HostStorage.F64(d); }
            case "I64" -> { long[] d = new long[n]; b.asLongBuffer().get(d); yield new HostStorage.I64(d); }
            case "I32" -> { int[] d = new int[n]; b.asIntBuffer().get(d); yield new HostStorage.I32(d); }
            case "U8" -> { byte[] d = new byte[n]; b.get(d); yield new HostStorage.U8(d, DType.UINT8); }
            case "BOOL" -> { byte[] d = new byte[n]; b.get(d); yield new HostStorage.U8(d, DType.BOOL); }
            case "F16" -> { float[] d = new float[n]; for (int i = 0; i < n; i++) d[i] = Float.float16ToFloat(b.getShort(2 * i)); yield new HostStorage.F32(d); }
            case "BF16" -> { float[] d = new float[n]; for (int i = 0; i < n; i++) d[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xFFFF) << 16); yield new HostStorage.F32(d); }
            default -> throw new IllegalArgumentException("unsupported dtype " + code);
        };
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
}
