package dev.maskseg.pipeline.train;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.optim.Optimizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trainer's checkpoint file, the one format both trainers resume from: one safetensors file (written atomically)
 * holding each registered module's weights under its prefix ({@code query.}, {@code key.}, {@code model.}), the
 * optimizer's buffers under {@code optim.} and any extra tensors by name (the MaskContrast queue); its metadata holds
 * the epochs done, the optimizer's step count, the per-epoch loss history, the configuration it was made with (a
 * resume with another one is an error), extra values (the queue pointer) and the state of registered random
 * generators. The trainers themselves register none: every draw derives from (seed, epoch, step, index), so the
 * seed in the configuration is their whole random state.
 */
public final class Checkpoints {
    /** What a checkpoint holds besides the registered modules, optimizer and generators. */
    public record State(int epoch, List<double[]> history, Map<String, Tensor> tensors, Map<String, String> values) {
        public State {
            history = List.copyOf(history);
            tensors = Map.copyOf(tensors);
            values = Map.copyOf(values);
        }
    }

    private static final String OPTIM = "optim.";
    private final String config;
    private final Map<String, Module> modules = new LinkedHashMap<>();
    private final Map<String, Generator> generators = new LinkedHashMap<>();
    private Optimizer optimizer;

    private Checkpoints(String config) { this.config = config; }

    /**
     * What a file with this metadata is when it is a checkpoint written here, e.g. {@code "a training checkpoint of
     * MaskContrastConfig[backbone=small, ...] after epoch 2"}; null for any other file.
     */
    public static String describe(Map<String, String> meta) {
        if (!meta.containsKey("epoch") || !meta.containsKey("config") || !meta.containsKey("history")) return null;
        String config = meta.get("config");
        int cut = config.indexOf(',', config.indexOf(',') + 1); // the config's type, backbone and width are enough to recognise it
        return "a training checkpoint of " + (cut > 0 ? config.substring(0, cut) + ", ...]" : config) + " after epoch " + meta.get("epoch");
    }

    /** A checkpoint layout for runs of this configuration (its text is compared on resume). */
    public static Checkpoints of(String config) { return new Checkpoints(config); }

    /** Saves and restores {@code m}'s state dict under {@code name + "."}. */
    public Checkpoints module(String name, Module m) {
        modules.put(name + ".", m);
        return this;
    }

    public Checkpoints optimizer(Optimizer o) {
        optimizer = o;
        return this;
    }

    /** Saves and restores {@code g}'s state under {@code rng.<name>}. */
    public Checkpoints generator(String name, Generator g) {
        generators.put(name, g);
        return this;
    }

    /** Writes the registered state and {@code s} to {@code file}, atomically. */
    public void save(Path file, State s) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        modules.forEach((prefix, m) -> m.stateDict().forEach((k, v) -> t.put(prefix + k, v)));
        if (optimizer != null) optimizer.stateDict().forEach((k, v) -> t.put(OPTIM + k, v));
        s.tensors().forEach((k, v) -> {
            if (t.containsKey(k)) throw new IllegalArgumentException("checkpoint: tensor " + k + " clashes with a module or optimizer entry");
            t.put(k, v);
        });
        Map<String, String> meta = new LinkedHashMap<>(s.values());
        meta.put("epoch", Integer.toString(s.epoch()));
        if (optimizer != null) meta.put("optim_steps", Long.toString(optimizer.stepCount()));
        meta.put("history", history(s.history()));
        meta.put("config", config);
        generators.forEach((name, g) -> meta.put("rng." + name, String.join(",", Arrays.stream(g.state()).mapToObj(Long::toString).toList())));
        SafeTensors.write(file, t, meta);
    }

    /**
     * Loads a checkpoint of the same configuration into the registered modules (strictly), optimizer and generators;
     * returns the rest: epochs done, loss history, extra tensors and values.
     */
    public State restore(Path file) throws IOException {
        if (!Files.exists(file)) throw new IOException("resume: no checkpoint " + file);
        Map<String, String> meta = SafeTensors.metadata(file);
        if (!config.equals(meta.get("config"))) throw new IOException(file + ": checkpoint of a different configuration (" + meta.get("config") + ")");
        Map<String, Tensor> t = SafeTensors.read(file), rest = new LinkedHashMap<>(t);
        for (var e : modules.entrySet()) {
            Map<String, Tensor> s = take(rest, e.getKey());
            try {
                e.getValue().loadStateDict(s, true);
            } catch (IllegalArgumentException ex) {
                throw new IOException(file + ": " + e.getKey() + " does not fit the model: " + ex.getMessage(), ex);
            }
        }
        if (optimizer != null) optimizer.loadStateDict(take(rest, OPTIM), Long.parseLong(require(meta, "optim_steps", file)));
        for (var e : generators.entrySet()) {
            String[] f = require(meta, "rng." + e.getKey(), file).split(",");
            long[] state = new long[f.length];
            for (int i = 0; i < f.length; i++) state[i] = Long.parseLong(f[i]);
            e.getValue().setState(state);
        }
        Map<String, String> values = new LinkedHashMap<>(meta);
        for (String k : List.of("epoch", "optim_steps", "history", "config")) values.remove(k);
        values.keySet().removeIf(k -> k.startsWith("rng."));
        return new State(Integer.parseInt(require(meta, "epoch", file)), history(require(meta, "history", file)), rest, values);
    }

    /** The per-epoch history a checkpoint written by {@link #save} holds, from its metadata alone. */
    public static List<double[]> history(Path file) throws IOException {
        return history(require(SafeTensors.metadata(file), "history", file));
    }

    private static Map<String, Tensor> take(Map<String, Tensor> from, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        from.entrySet().removeIf(e -> {
            if (!e.getKey().startsWith(prefix)) return false;
            out.put(e.getKey().substring(prefix.length()), e.getValue());
            return true;
        });
        return out;
    }

    private static String require(Map<String, String> meta, String key, Path file) throws IOException {
        String v = meta.get(key);
        if (v == null) throw new IOException(file + ": not a checkpoint (no '" + key + "' in its metadata)");
        return v;
    }

    /** Rows of numbers, {@code a:b:c;} per epoch. */
    private static String history(List<double[]> rows) {
        StringBuilder h = new StringBuilder();
        for (double[] r : rows) {
            for (int i = 0; i < r.length; i++) h.append(i > 0 ? ":" : "").append(r[i]);
            h.append(';');
        }
        return h.toString();
    }

    private static List<double[]> history(String text) {
        List<double[]> out = new ArrayList<>();
        for (String row : text.split(";")) {
            if (row.isEmpty()) continue;
            String[] f = row.split(":");
            double[] r = new double[f.length];
            for (int i = 0; i < f.length; i++) r[i] = Double.parseDouble(f[i]);
            out.add(r);
        }
        return out;
    }
}
