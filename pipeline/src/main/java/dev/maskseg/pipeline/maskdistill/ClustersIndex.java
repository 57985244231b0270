package dev.maskseg.pipeline.maskdistill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.pipeline.data.JsonFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code clusters.json} next to the pseudo maps, the one place that writes and reads it: the prior folder, the number
 * of classes C and the over-clustering factor (k-means found C x overcluster clusters), τ, the k-means seed, how the
 * clusters were named ({@code none}: raw ids; or by ground-truth boxes, with the cluster → class map), the labels the
 * maps hold, and per image each candidate mask's file, score, cluster, ground-truth target (when named; -1: none) and
 * painted label. A resumed run reuses the maps only when they were made with its own settings.
 */
public record ClustersIndex(String priorMasks, int clusters, int overcluster, double tau, long clusterSeed, Naming naming, int labels,
                            Map<String, List<Assignment>> images) {
    public static final String FILE = "clusters.json";

    /** One candidate mask of an image (its file name in the prior folder), its score, cluster, target class (-1: none or not named) and painted label. */
    public record Assignment(String file, double score, int cluster, int target, int label) implements java.io.Serializable {}

    /** How clusters were named: {@code none}, or {@code hungarian}/{@code majority-count} on the targets from {@code boxes}. */
    public record Naming(String method, String boxes, Map<Integer, Integer> matching, int targeted) implements java.io.Serializable {
        public static final Naming NONE = new Naming("none", "", Map.of(), 0);

        public boolean named() { return !method.equals("none"); }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes {@code dir/clusters.json} atomically. */
    public void write(Path dir) throws IOException {
        Map<String, Object> imgs = new LinkedHashMap<>();
        images.forEach((id, rows) -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Assignment a : rows) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("file", a.file());
                r.put("score", a.score());
                r.put("cluster", a.cluster());
                if (naming.named()) r.put("target", a.target());
                r.put("label", a.label());
                out.add(r);
            }
            imgs.put(id, out);
        });
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("method", naming.method());
        if (naming.named()) {
            n.put("boxes", naming.boxes());
            n.put("targeted_masks", naming.targeted());
            Map<String, Integer> m = new TreeMap<>((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
            naming.matching().forEach((c, cls) -> m.put(Integer.toString(c), cls));
            n.put("matching", m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("prior_masks", priorMasks);
        root.put("clusters", clusters);
        root.put("overcluster", overcluster);
        root.put("tau", tau);
        root.put("cluster_seed", clusterSeed);
        root.put("naming", n);
        root.put("labels", labels);
        root.put("images", imgs);
        JsonFiles.write(dir.resolve(FILE), root);
    }

    /** Reads {@code dir/clusters.json}. */
    public static ClustersIndex read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        JsonNode j;
        try {
            j = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not a clusters index (" + e.getMessage() + ")", e);
        }
        Map<String, List<Assignment>> images = new LinkedHashMap<>();
        for (var it = j.path("images").fields(); it.hasNext(); ) {
            var e = it.next();
            List<Assignment> rows = new ArrayList<>();
            for (JsonNode r : e.getValue()) {
                int cluster = r.path("cluster").asInt();
                rows.add(new Assignment(r.path("file").asText(), r.path("score").asDouble(), cluster, r.path("target").asInt(-1), r.path("label").asInt(cluster + 1)));
            }
            images.put(e.getKey(), rows);
        }
        JsonNode n = j.path("naming");
        Naming naming = Naming.NONE;
        if (n.isObject() && !n.path("method").asText("none").equals("none")) {
            Map<Integer, Integer> m = new LinkedHashMap<>();
            for (var it = n.path("matching").fields(); it.hasNext(); ) {
                var e = it.next();
                m.put(Integer.parseInt(e.getKey()), e.getValue().asInt());
            }
            naming = new Naming(n.path("method").asText(), n.path("boxes").asText(), m, n.path("targeted_masks").asInt());
        }
        int clusters = j.path("clusters").asInt();
        return new ClustersIndex(j.path("prior_masks").asText(), clusters, j.path("overcluster").asInt(1), j.path("tau").asDouble(), j.path("cluster_seed").asLong(),
                naming, j.path("labels").asInt(clusters + 1), images);
    }

    /** Whether {@code dir} holds pseudo maps made with these classes, over-clustering, naming, τ and seed. */
    public static boolean madeWith(Path dir, MaskDistillConfig cfg, ClusteringConfig clustering) throws IOException {
        if (!Files.exists(dir.resolve(FILE))) return false;
        ClustersIndex i = read(dir);
        return i.clusters == cfg.clusters() && i.overcluster == clustering.overcluster() && i.naming.named() == clustering.byBoxes() && i.tau == cfg.tau()
                && i.clusterSeed == clustering.seed();
    }
}
