package dev.maskseg.engine.backend;

import java.util.HashMap;
import java.util.function.Function;

/**
 * Where a backend keeps forms it derives from one constant weight tensor (GEMM panels packed in its micro-kernel's
 * layout, Winograd-transformed kernels), so that repeated calls skip that work, as ONNX Runtime's session and
 * oneDNN's prepacked weights do. It belongs to one frozen inference layer, whose weights nothing may change in place
 * after it is made: the forms are never compared with the weights again, only with the storage they were made from.
 * Keys are the backend's own (a path, a layout).
 */
public final class PackedWeights {
    private final HashMap<Object, Object> forms = new HashMap<>();
    private Object source;

    /**
     * The form stored under key, made once by make from the weights held by source (the weight's storage). A different
     * source (the layer was moved to another backend or cast) drops every form made from the old one.
     */
    @SuppressWarnings("unchecked")
    public synchronized <T> T get(Object source, Object key, Function<Object, T> make) {
        if (source != this.source) {
            forms.clear();
            this.source = source;
        }
        return (T) forms.computeIfAbsent(key, make);
    }

    /** How many forms are held (tests: a second call with the same geometry must reuse the first's). */
    public synchronized int size() { return forms.size(); }
}
