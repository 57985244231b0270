package dev.maskseg.engine;

/** Element types. FLOAT32 is the value type; FLOAT64 exists for double-precision gradient checks. */
public enum DType {
    FLOAT32(4, true), FLOAT64(8, true), INT64(8, false), INT32(4, false), UINT8(1, false), BOOL(1, false);

    private final int bytes;
    private final boolean floating;

    DType(int bytes, boolean floating) {
        this.bytes = bytes;
        this.floating = floating;
    }

    public int bytes() { return bytes; }

    public boolean isFloating() { return floating; }

    /** The type two operands are computed in (PyTorch-style promotion, restricted to our types). */
    public static DType promote(DType a, DType b) {
        if (a == b) return a;
        return precedence(a) >= precedence(b) ? a : b;
    }

    private static int precedence(DType t) {
        return switch (t) {
            case FLOAT64 -> 5;
            case FLOAT32 -> 4;
            case INT64 -> 3;
            case INT32 -> 2;
            case UINT8 -> 1;
            case BOOL -> 0;
        };
    }
}
