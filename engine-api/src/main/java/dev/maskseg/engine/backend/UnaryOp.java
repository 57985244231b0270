package dev.maskseg.engine.backend;

/** Pointwise ops of one input; p1/p2 are the scalar parameters where an op has them. */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, RSQRT, ABS, SIGN, RELU, GELU, SIGMOID, TANH, ERF,
    /** softplus with beta = p1 and PyTorch's linear threshold p2 (defaults 1 and 20). */
    SOFTPLUS,
    /** x ^ p1. */
    POW,
    /** min(max(x, p1), p2). */
    CLAMP,
    /** x + p1. */
    ADD_SCALAR,
    /** x * p1. */
    MUL_SCALAR,
    /** p1 / x. */
    RDIV_SCALAR,
    /** logical not (any input, BOOL output). */
    NOT
}
