package dev.maskseg.engine.tornado;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.backend.ArenaStorage;

/** A block of one of the device arenas ({@link DeviceArena}). */
final class TornadoStorage extends ArenaStorage {
    TornadoStorage(DType dtype, int length, int offset) { super(dtype, length, offset); }

    @Override public String backendName() { return TornadoBackend.NAME; }

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
