package dev.maskseg.engine.backend;

/** Pointwise ops of two inputs of the same (broadcast) shape. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, MAX, MIN,
    EQ, NE, LT, LE, GT, GE, AND, OR,
    /** g * (x > 0); a = x, b = g. */
    RELU_GRAD,
    /** g * d gelu(x)/dx (exact erf form); a = x, b = g. */
    GELU_GRAD,
    /** g * y * (1 - y); a = y = sigmoid(x), b = g. */
    SIGMOID_GRAD,
    /** g * (1 - y^2); a = y = tanh(x), b = g. */
    TANH_GRAD;

    public boolean isComparison() {
        return switch (this) {
            case EQ, NE, LT, LE, GT, GE, AND, OR -> true;
            default -> false;
        };
    }
}
