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

/**
 * {@code clusters.json} next to the pseudo maps, the one place that writes and reads it: the prior folder, the number
 * of clusters, τ and the k-means seed the maps were made with, and per image each candidate mask's file, score and
 * cluster. A resumed run reuses the maps only when they were made with its own clusters, τ and seed.
 */
public record ClustersIndex(String priorMasks, int clusters, double tau, long clusterSeed, Map<String, List<Assignment>> images) {
    public static final String FILE = "clusters.json";

    /** One candidate mask of an image (its file name in the prior folder), its score and its cluster. */
    public record Assignment(String file, double score, int cluster) implements java.io.Serializable {}

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
                out.add(r);
            }
            imgs.put(id, out);
        });
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("prior_masks", priorMasks);
        root.put("clusters", clusters);
        root.put("tau", tau);
        root.put("cluster_seed", clusterSeed);
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
            for (JsonNode r : e.getValue()) rows.add(new Assignment(r.path("file").asText(), r.path("score").asDouble(), r.path("cluster").asInt()));
            images.put(e.getKey(), rows);
        }
        return new ClustersIndex(j.path("prior_masks").asText(), j.path("clusters").asInt(), j.path("tau").asDouble(), j.path("cluster_seed").asLong(), images);
    }

    /** Whether {@code dir} holds pseudo maps made with these clusters, τ and seed. */
    public static boolean madeWith(Path dir, MaskDistillConfig cfg, ClusteringConfig clustering) throws IOException {
        if (!Files.exists(dir.resolve(FILE))) return false;
        ClustersIndex i = read(dir);
        return i.clusters == cfg.clusters() && i.tau == cfg.tau() && i.clusterSeed == clustering.seed();
    }
}
