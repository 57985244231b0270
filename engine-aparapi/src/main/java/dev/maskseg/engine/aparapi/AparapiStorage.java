package dev.maskseg.engine.aparapi;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.ArenaStorage;

/** A block of one of the device arenas ({@link DeviceArena}). */
final class AparapiStorage extends ArenaStorage {
    AparapiStorage(DType dtype, int length, int offset) { super(dtype, length, offset); }

    @Override public String backendName() { return AparapiBackend.NAME; }

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
