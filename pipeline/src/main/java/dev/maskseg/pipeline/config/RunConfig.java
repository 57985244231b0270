package dev.maskseg.pipeline.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A run's YAML configuration: top-level sections ({@code data:}, {@code maskcontrast:}, ...) of snake_case keys,
 * overridden by {@code --set section.key=value} (the value parsed as YAML, so {@code 2} is a number and
 * {@code true} a boolean). A section binds onto a record's defaults, so a file names only what it changes; an
 * unknown key is an error that names the file, the key and the keys that exist.
 */
public final class RunConfig {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private final String source;
    private final ObjectNode tree;

    private RunConfig(String source, ObjectNode tree) {
        this.source = source;
        this.tree = tree;
    }

    /** Reads {@code file} (or an empty configuration when null) and applies the overrides in order. */
    public static RunConfig load(Path file, List<String> sets) throws IOException {
        if (file == null) return parse("defaults", "", sets);
        if (!Files.exists(file)) throw new IOException("config " + file + ": no such file");
        return parse(file.toString(), Files.readString(file), sets);
    }

    /** A configuration from YAML text; {@code source} names it in messages. */
    public static RunConfig parse(String source, String yaml, List<String> sets) throws IOException {
        ObjectNode tree = JsonNodeFactory.instance.objectNode();
        JsonNode read;
        try {
            read = yaml.isBlank() ? null : YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new IOException("config " + source + ": not valid YAML (" + e.getOriginalMessage() + ")");
        }
        if (read != null && !read.isMissingNode() && !read.isNull()) {
            if (!read.isObject()) throw new IOException("config " + source + ": expected a mapping of sections at the top level");
            tree = (ObjectNode) read;
        }
        for (String set : sets) apply(tree, set, source);
        return new RunConfig(source, tree);
    }

    private static void apply(ObjectNode tree, String set, String source) throws IOException {
        int eq = set.indexOf('=');
        if (eq <= 0) throw new IOException("--set " + set + ": expected section.key=value");
        String[] path = set.substring(0, eq).trim().split("\\.");
        JsonNode value;
        try {
            value = YAML.readTree(set.substring(eq + 1));
        } catch (JsonProcessingException e) {
            throw new IOException("--set " + set + ": the value is not valid YAML (" + e.getOriginalMessage() + ")");
        }
        ObjectNode node = tree;
        for (int i = 0; i < path.length - 1; i++) {
            JsonNode child = node.get(path[i]);
            if (child == null) child = node.putObject(path[i]);
            if (!child.isObject()) throw new IOException("--set " + set + ": " + path[i] + " in " + source + " is a value, not a section");
            node = (ObjectNode) child;
        }
        node.set(path[path.length - 1], value == null || value.isMissingNode() ? JsonNodeFactory.instance.nullNode() : value);
    }

    /** Section {@code name} bound onto {@code defaults}: keys present in the file replace the defaults' values. */
    public <T> T section(String name, T defaults, Class<T> type) throws IOException {
        ObjectNode merged = YAML.valueToTree(defaults);
        JsonNode given = tree.get(name);
        if (given != null && !given.isNull()) {
            if (!given.isObject()) throw new IOException("config " + source + ": section " + name + " must be a mapping");
            for (Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!merged.has(e.getKey())) {
                    throw new IOException("config " + source + ": unknown key " + name + "." + e.getKey() + " (known: "
                            + String.join(", ", iterable(merged.fieldNames())) + ")");
                }
                merged.set(e.getKey(), e.getValue());
            }
        }
        try {
            return YAML.treeToValue(merged, type);
        } catch (UnrecognizedPropertyException e) {
            throw new IOException("config " + source + ": unknown key " + name + "." + e.getPropertyName());
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            String where = e.getPath() == null ? "" : e.getPath().stream().map(r -> r.getFieldName()).filter(java.util.Objects::nonNull)
                    .map(f -> name + "." + f).collect(Collectors.joining(","));
            Throwable root = e.getCause() != null ? e.getCause() : e;
            String why = root instanceof IllegalArgumentException ? root.getMessage() : e.getOriginalMessage();
            throw new IOException("config " + source + (where.isEmpty() ? "" : " (" + where + ")") + ": " + why);
        }
    }

    /** Top-level section names present. */
    public List<String> sections() { return iterable(tree.fieldNames()); }

    /** The effective configuration as YAML (recorded next to a run's outputs). */
    public static String toYaml(Map<String, Object> sections) throws IOException { return YAML.writeValueAsString(sections); }

    private static List<String> iterable(Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
