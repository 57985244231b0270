package dev.maskseg.engine.backend;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Where a backend keeps forms it derives from one constant weight tensor (GEMM panels packed in its micro-kernel's
 * layout, Winograd-transformed kernels), so that repeated calls skip that work, as ONNX Runtime's session and
 * oneDNN's prepacked weights do. It belongs to one frozen inference layer, whose weights nothing may change after it
 * is made: the forms are never checked against the weights again. Keys are the backend's own (a geometry, a layout).
 */
public final class PackedWeights {
    private final ConcurrentHashMap<Object, Object> forms = new ConcurrentHashMap<>();

    /** The form stored under key, made once by make. */
    @SuppressWarnings("unchecked")
    public <T> T get(Object key, Function<Object, T> make) {
        return (T) forms.computeIfAbsent(key, make);
    }

    /** How many forms are held (tests: a second call with the same geometry must reuse the first's). */
    public int size() { return forms.size(); }
}
