package dev.maskseg.prior;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A prior's parameters resolved against its declared {@link PriorParam}s: defaults filled in, unknown names and
 * missing required values rejected, typed getters whose errors name the prior and the parameter.
 */
public final class PriorParams {
    private final String prior;
    private final Map<String, String> values;

    private PriorParams(String prior, Map<String, String> values) {
        this.prior = prior;
        this.values = values;
    }

    public static PriorParams resolve(MaskPrior p, Map<String, String> given) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> known = p.params().stream().map(PriorParam::name).toList();
        for (String k : given.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException("prior " + p.name() + ": unknown parameter '" + k + "' (known: " + String.join(", ", known) + ")");
            }
        }
        for (PriorParam d : p.params()) {
            String v = given.getOrDefault(d.name(), d.defaultValue());
            if (v == null) throw new IllegalArgumentException("prior " + p.name() + ": parameter '" + d.name() + "' is required (" + d.description() + ")");
            out.put(d.name(), v);
        }
        return new PriorParams(p.name(), out);
    }

    /** Parses {@code key=value} strings. */
    public static Map<String, String> parse(List<String> pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String s : pairs) {
            int eq = s.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("--param expects key=value, got '" + s + "'");
            m.put(s.substring(0, eq).trim(), s.substring(eq + 1).trim());
        }
        return m;
    }

    public String string(String name) {
        String v = values.get(name);
        if (v == null) throw new IllegalArgumentException("prior " + prior + ": no parameter '" + name + "'");
        return v;
    }

    public double number(String name) {
        try {
            return Double.parseDouble(string(name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("prior " + prior + ": parameter '" + name + "' must be a number, got '" + string(name) + "'");
        }
    }

    public int integer(String name) {
        try {
            return Integer.parseInt(string(name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("prior " + prior + ": parameter '" + name + "' must be an integer, got '" + string(name) + "'");
        }
    }

    /** All values, for masks.json. */
    public Map<String, String> asMap() { return Map.copyOf(values); }
}
