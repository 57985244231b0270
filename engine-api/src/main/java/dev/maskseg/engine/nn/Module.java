package dev.maskseg.engine.nn;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A layer with named parameters, buffers and children, registered in order so that
 * {@link #stateDict()} gives PyTorch's names ({@code layer1.0.conv1.weight}).
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    public abstract Tensor forward(Tensor x);

    protected Tensor registerParameter(String name, Tensor t) {
        if (t != null) params.put(name, t.requiresGrad(true));
        return t;
    }

    protected Tensor registerBuffer(String name, Tensor t) {
        if (t != null) buffers.put(name, t);
        return t;
    }

    protected <M extends Module> M registerModule(String name, M m) {
        children.put(name, m);
        return m;
    }

    public Map<String, Module> children() { return children; }

    public boolean isTraining() { return training; }

    public Module train(boolean on) {
        training = on;
        for (Module c : children.values()) c.train(on);
        return this;
    }

    public Module eval() { return train(false); }

    /** Parameters by dotted name, depth-first in registration order. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false);
        return out;
    }

    public List<Tensor> parameters() { return new ArrayList<>(namedParameters().values()); }

    /** Parameters and buffers, as torch's state_dict(). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean withBuffers) {
        params.forEach((k, v) -> out.put(prefix + k, v));
        if (withBuffers) buffers.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, c) -> c.collect(prefix + k + ".", out, withBuffers));
    }

    /**
     * Copies values by name. Strict: missing, unexpected and mis-shaped keys are reported together in
     * one error, and nothing is copied. Non-strict: matching keys are copied, the rest reported back.
     */
    public LoadReport loadStateDict(Map<String, Tensor> source, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), misShaped = new ArrayList<>();
        for (String k : own.keySet()) if (!source.containsKey(k)) missing.add(k);
        for (var e : source.entrySet()) {
            Tensor mine = own.get(e.getKey());
            if (mine == null) unexpected.add(e.getKey());
            else if (!Arrays.equals(mine.shape(), e.getValue().shape())) {
                misShaped.add(e.getKey() + ": checkpoint " + e.getValue().shapeString() + " vs model " + mine.shapeString());
            }
        }
        LoadReport report = new LoadReport(missing, unexpected, misShaped);
        if (strict && !report.isClean()) throw new IllegalArgumentException("loadStateDict: " + report);
        try (var ng = GradMode.noGrad()) {
            for (var e : source.entrySet()) {
                Tensor mine = own.get(e.getKey());
                if (mine != null && Arrays.equals(mine.shape(), e.getValue().shape())) mine.copy_(e.getValue().to(mine.dtype()));
            }
        }
        return report;
    }

    public record LoadReport(List<String> missing, List<String> unexpected, List<String> misShaped) {
        public boolean isClean() { return missing.isEmpty() && unexpected.isEmpty() && misShaped.isEmpty(); }

        /** One line: counts and the first few keys of each list (the record keeps them all). */
        @Override public String toString() {
            return part("missing", missing) + "; " + part("unexpected", unexpected) + "; " + part("mis-shaped", misShaped);
        }

        private static String part(String what, List<String> keys) {
            int shown = Math.min(keys.size(), 6);
            String more = keys.size() > shown ? ", ... " + (keys.size() - shown) + " more" : "";
            return keys.size() + " " + what + " keys" + (keys.isEmpty() ? "" : " [" + String.join(", ", keys.subList(0, shown)) + more + "]");
        }
    }

    /** Casts every floating parameter and buffer in place (integer buffers such as num_batches_tracked stay). */
    public Module to(dev.maskseg.engine.DType dtype) {
        if (!dtype.isFloating()) throw new IllegalArgumentException("Module.to: " + dtype + " is not a floating type");
        for (Tensor t : stateDict().values()) {
            if (t.dtype().isFloating() && t.dtype() != dtype) t.setData(t.detach().to(dtype));
        }
        return this;
    }

    /** Moves every parameter and buffer to the backend, in place. */
    public Module to(dev.maskseg.engine.backend.Backend backend) {
        for (Tensor t : stateDict().values()) {
            if (t.backend() != backend) t.setData(t.detach().to(backend));
        }
        return this;
    }

    public void zeroGrad() { for (Tensor p : parameters()) p.zeroGrad(); }
}
