package dev.maskseg.engine.backend;

/**
 * An index outside its dim, found by a backend's gather or scatter_add kernel. The op that called the kernel reports
 * it under its own name ({@link #as}): index_select runs the gather kernel, index_add and max pooling's backward the
 * scatter_add one.
 */
public final class IndexRangeException extends IndexOutOfBoundsException {
    private final long index;
    private final int dim, size;

    public IndexRangeException(String op, long index, int dim, int size) {
        super(op + ": index " + index + " out of range for dim " + dim + " of size " + size);
        this.index = index;
        this.dim = dim;
        this.size = size;
    }

    /** The same error, named after the op the caller called. */
    public IndexRangeException as(String op) { return new IndexRangeException(op, index, dim, size); }
}
