package dev.maskseg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.engine.Generator;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.pipeline.config.DataConfig;
import dev.maskseg.pipeline.config.RunConfig;
import dev.maskseg.pipeline.data.ImageSet;
import dev.maskseg.pipeline.data.PriorMasks;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.pipeline.maskdistill.ClusteringConfig;
import dev.maskseg.pipeline.maskdistill.MaskDistillConfig;
import dev.maskseg.pipeline.maskdistill.MaskDistillTrainer;
import dev.maskseg.pipeline.maskdistill.PseudoLabelStage;
import dev.maskseg.zoo.Models;
import dev.maskseg.zoo.vit.ViTConfig;
import dev.maskseg.zoo.vit.VisionTransformer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "maskdistill", description = {"MaskDistill (methods.md §3): the prior's masks in data.masks (maskseg mine-masks --out) are "
        + "clustered by the CLS token of a DINO ViT over each mask's box (§3.3), painted into pseudo semantic maps with the "
        + "confident-mask rule (§3.5; the prior's scored candidates stand in for Mask R-CNN), and a segmentation network is "
        + "trained on them with hard-pixel mining (§3.6). Writes OUT/pseudo/<id>.png and OUT/pseudo/clusters.json, "
        + "OUT/checkpoint.safetensors after every epoch (atomically; --resume reuses the pseudo maps and continues to the same "
        + "weights as an uninterrupted run), OUT/model.safetensors, OUT/config.yml, OUT/metrics.csv and OUT/metrics.json."})
final class TrainMaskDistillCommand implements Callable<Integer> {
    @Mixin
    TrainOptions o = new TrainOptions();

    @Override
    public Integer call() throws Exception {
        RunConfig run = o.load(List.of("data", "clustering", "maskdistill"));
        DataConfig data = TrainOptions.data(run);
        ClusteringConfig clustering = run.section("clustering", ClusteringConfig.official(), ClusteringConfig.class);
        MaskDistillConfig cfg = run.section("maskdistill", MaskDistillConfig.official(), MaskDistillConfig.class);
        Map<String, Object> effective = new LinkedHashMap<>();
        effective.put("data", data);
        effective.put("clustering", clustering);
        effective.put("maskdistill", cfg);
        o.writeEffective(effective);
        Path out = o.out;

        VocDataset voc = new VocDataset(Path.of(data.root()), o.strict, msg -> System.err.println("train: " + msg));
        Path pseudo = out.resolve("pseudo");
        if (o.resume && sameClustering(pseudo.resolve("clusters.json"), cfg, clustering)) {
            System.out.println("train maskdistill: reusing the pseudo maps in " + pseudo);
        } else {
            pseudoLabels(voc, data, clustering, cfg, pseudo);
        }

        ImageSet images = voc.withLabelMaps(data.split(), pseudo);
        System.out.printf("train maskdistill: %d images with pseudo maps, %s (%d labels), backend %s on %s%n", images.size(), cfg.backbone(),
                cfg.clusters() + 1, Backends.defaultBackend().name(), Backends.defaultBackend().device());
        MaskDistillTrainer trainer = new MaskDistillTrainer(cfg);
        Path checkpoint = out.resolve("checkpoint.safetensors");
        if (o.resume) {
            if (!Files.exists(checkpoint)) throw new IllegalArgumentException("--resume: no checkpoint " + checkpoint);
            trainer.resume(checkpoint);
            System.out.printf("train maskdistill: resumed after epoch %d of %d%n", trainer.epoch(), cfg.epochs());
        }
        RunMetrics metrics = new RunMetrics(out, "maskdistill", List.of("loss"), trainer.history().stream().map(l -> new double[]{l}).toList());
        int steps = images.size() / cfg.batch();
        try (var bar = Progress.bar("train", (long) steps * cfg.epochs(), (long) steps * trainer.epoch())) {
            trainer.train(images, checkpoint, new MaskDistillTrainer.Listener() {
                @Override
                public void step(int e, int s, int n, double loss, double lr) {
                    bar.step();
                    bar.setExtraMessage(String.format("epoch %d/%d loss %.3f lr %.5f", e + 1, cfg.epochs(), loss, lr));
                }

                @Override
                public void epochEnd(int e, double loss, double lr, double seconds) throws IOException {
                    metrics.epochEnd(new double[]{loss}, lr, seconds, steps * cfg.batch());
                }
            });
        }
        metrics.finish();
        Path model = out.resolve("model.safetensors");
        trainer.saveModel(model);
        System.out.printf("train maskdistill: %d epochs done; %s, %s%n", cfg.epochs(), model, out.resolve("metrics.csv"));
        return 0;
    }

    private void pseudoLabels(VocDataset voc, DataConfig data, ClusteringConfig clustering, MaskDistillConfig cfg, Path pseudo) throws IOException {
        VisionTransformer vit;
        if (clustering.weights().isEmpty()) {
            System.err.println("train maskdistill: WARNING clustering.weights is empty: clustering with a randomly initialised " + clustering.vit()
                    + " (give DINO weights for the method's results)");
            vit = new VisionTransformer(clustering.vit().endsWith("8") ? ViTConfig.SMALL_8 : ViTConfig.SMALL_16, new Generator(clustering.seed()));
        } else {
            vit = (VisionTransformer) Models.load(clustering.vit(), Path.of(clustering.weights())).module();
        }
        List<String> ids = voc.ids(data.split());
        PseudoLabelStage stage = new PseudoLabelStage(voc::imageFile, PriorMasks.open(Path.of(data.masks())), o.strict,
                msg -> System.err.println("train: " + msg));
        PseudoLabelStage.Summary s;
        try (var bar = Progress.bar("cluster", ids.size(), 0)) {
            s = stage.run(ids, vit, cfg, clustering.seed(), pseudo, bar::stepBy);
        }
        System.out.printf("train maskdistill: %d masks of %d images in %d clusters (%s CLS, seed %d), pseudo maps with tau %.2f; %d images skipped%n",
                s.masks(), s.images(), cfg.clusters(), clustering.vit(), clustering.seed(), cfg.tau(), s.skipped());
    }

    /** Whether existing pseudo maps were made with this run's clusters, tau and seed. */
    private static boolean sameClustering(Path index, MaskDistillConfig cfg, ClusteringConfig clustering) throws IOException {
        if (!Files.exists(index)) return false;
        JsonNode j = new ObjectMapper().readTree(index.toFile());
        return j.path("clusters").asInt() == cfg.clusters() && j.path("tau").asDouble() == cfg.tau() && j.path("cluster_seed").asLong() == clustering.seed();
    }
}
