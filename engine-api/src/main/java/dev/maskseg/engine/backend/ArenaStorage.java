package dev.maskseg.engine.backend;

import dev.maskseg.engine.DType;
import dev.maskseg.engine.storage.Storage;

/**
 * A block of one of a device backend's two arenas ({@link DeviceArenas}): float32 data lives in the float arena, every
 * other dtype in the double arena (integers are exact there up to 2^53). The block returns to its arena when this
 * object becomes unreachable.
 */
public abstract class ArenaStorage implements Storage {
    private final DType dtype;
    private final int length;
    /** The first element of the block in its arena. */
    public final int offset;

    protected ArenaStorage(DType dtype, int length, int offset) {
        this.dtype = dtype;
        this.length = length;
        this.offset = offset;
    }

    @Override public final DType dtype() { return dtype; }

    @Override public final int length() { return length; }

    public final boolean inFloatArena() { return dtype == DType.FLOAT32; }
}
