package dev.maskseg.engine.aparapi;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.storage.Storage;

/**
 * A block of one of the device arenas: float32 data lives in the float arena, every other dtype in
 * the double arena (integers are exact there up to 2^53). The block returns to its arena when this
 * object becomes unreachable.
 */
final class AparapiStorage implements Storage {
    private final DType dtype;
    private final int length;
    final int offset;

    AparapiStorage(DType dtype, int length, int offset) {
        this.dtype = dtype;
        this.length = length;
        this.offset = offset;
    }

    @Override public DType dtype() { return dtype; }

    @Override public int length() { return length; }

    @Override public String backendName() { return AparapiBackend.NAME; }

    boolean inFloatArena() { return dtype == DType.FLOAT32; }

    static int code(DType t) {
        return switch (t) {
            case FLOAT32 -> ArenaKernel.DT_F32;
            case FLOAT64 -> ArenaKernel.DT_F64;
            case INT64, INT32 -> ArenaKernel.DT_INT;
            case UINT8 -> ArenaKernel.DT_U8;
            case BOOL -> ArenaKernel.DT_BOOL;
        };
    }
}
