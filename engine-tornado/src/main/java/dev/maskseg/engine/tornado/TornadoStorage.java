package dev.maskseg.engine.tornado;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.storage.Storage;

/**
 * A block of one of the device arenas ({@link DeviceArena}): float32 data lives in the float arena, every other dtype
 * in the double arena. The block returns to its arena when this object becomes unreachable.
 */
final class TornadoStorage implements Storage {
    private final DType dtype;
    private final int length;
    final int offset;

    TornadoStorage(DType dtype, int length, int offset) {
        this.dtype = dtype;
        this.length = length;
        this.offset = offset;
    }

    @Override public DType dtype() { return dtype; }

    @Override public int length() { return length; }

    @Override public String backendName() { return TornadoBackend.NAME; }

    boolean inFloatArena() { return dtype == DType.FLOAT32; }

    static int code(DType t) {
        return switch (t) {
            case FLOAT32 -> Meta.DT_F32;
            case FLOAT64 -> Meta.DT_F64;
            case INT64, INT32 -> Meta.DT_INT;
            case UINT8 -> Meta.DT_U8;
            case BOOL -> Meta.DT_BOOL;
        };
    }
}
