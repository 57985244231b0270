package dev.maskseg.cli;

import dev.maskseg.pipeline.config.DataConfig;
import dev.maskseg.pipeline.config.RunConfig;
import dev.maskseg.pipeline.config.ValConfig;
import dev.maskseg.pipeline.maskcontrast.MaskContrastConfig;
import dev.maskseg.pipeline.maskcontrast.MaskContrastRun;
import dev.maskseg.pipeline.maskdistill.ClusteringConfig;
import dev.maskseg.pipeline.maskdistill.MaskDistillConfig;
import dev.maskseg.pipeline.maskdistill.MaskDistillRun;
import dev.maskseg.pipeline.maskrcnn.MaskRcnnConfig;
import dev.maskseg.pipeline.maskrcnn.MaskRcnnRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "train", description = "Train a method from a YAML configuration (see configs/).",
        subcommands = {TrainCommand.MaskContrast.class, TrainCommand.MaskDistill.class, TrainCommand.MaskRcnn.class})
final class TrainCommand {
    private TrainCommand() {}

    @Command(name = "maskcontrast", description = {"MaskContrast pre-training (docs/methods.md §2.4-2.6): query and key encoders, prototypes, queue, "
            + "saliency BCE. Writes OUT/checkpoint.safetensors after every epoch (atomically; --resume continues from it to the same "
            + "weights as an uninterrupted run), OUT/model.safetensors (the query encoder, MaskContrast names), OUT/config.yml, "
            + "OUT/metrics.csv and OUT/metrics.json."})
    static final class MaskContrast implements Callable<Integer> {
        @Mixin
        TrainOptions o = new TrainOptions();

        @Mixin
        ConsoleOutput console = new ConsoleOutput();

        @Override
        public Integer call() throws Exception {
            RunConfig run = o.load(List.of("data", "maskcontrast"));
            DataConfig data = TrainOptions.data(run);
            MaskContrastConfig cfg = run.section("maskcontrast", MaskContrastConfig.official(), MaskContrastConfig.class);
            Map<String, Object> effective = new LinkedHashMap<>();
            effective.put("data", data);
            effective.put("maskcontrast", cfg);
            MaskContrastRun.run(new MaskContrastRun.Options(data, cfg, o.out, o.mode(), o.strict, TrainOptions.effective(effective)), console.listener("train"));
            return 0;
        }
    }

    @Command(name = "maskdistill", description = {"MaskDistill (docs/methods.md §3): the prior's masks in data.masks (maskseg mine-masks --out) are "
            + "clustered by the CLS token of a DINO ViT over each mask's box (§3.3); with maskdistill.detector: maskrcnn (default) a Mask "
            + "R-CNN is trained on them (§3.4, the maskrcnn: section, in OUT/detector/ as 'train maskrcnn' writes it) and its candidates "
            + "on the split (OUT/detector/results.json) are painted into pseudo semantic maps with the confident-mask rule (§3.5; "
            + "maskdistill.paint: paper or official); with detector: prior the prior's own scored candidates are painted "
            + "(OUT/pseudo/clusters.json). A segmentation network is then trained on the maps with hard-pixel mining (§3.6); or, with "
            + "--labels, on given label maps. With a val: section (val.split, val.classes, val.matching) every epoch is scored on it "
            + "and the best network kept (OUT/best.safetensors). --crf-rounds N then runs §3.7 N times: the train split predicted with "
            + "the dense CRF by the previous network (its best on val), a fresh network trained on those maps in OUT/crf-round-<r>/. "
            + "Writes OUT/pseudo/<id>.png, OUT/checkpoint.safetensors after every epoch (atomically; --resume reuses every finished "
            + "step, skips finished rounds and continues to the same weights as an uninterrupted run), OUT/model.safetensors, "
            + "OUT/config.yml, OUT/metrics.csv and OUT/metrics.json (every round's epochs and scores)."})
    static final class MaskDistill implements Callable<Integer> {
        @Mixin
        TrainOptions o = new TrainOptions();

        @Mixin
        ConsoleOutput console = new ConsoleOutput();

        @Option(names = "--labels", paramLabel = "DIR", description = "Train on these label maps (<id>.png, 8-bit gray or palette, labels 0..C, "
                + "255 ignored) instead of pseudo maps from data.masks; sets data.labels.")
        Path labels;

        @Option(names = "--pseudo-only", description = "Stop once OUT/pseudo/ is painted (e.g. to score the clustered masks themselves, §3.9's first row).")
        boolean pseudoOnly;

        @Option(names = "--crf-rounds", paramLabel = "N", description = "CRF self-training rounds after the first training (§3.7; official 1); "
                + "sets maskdistill.crf_rounds.")
        Integer crfRounds;

        @Override
        public Integer call() throws Exception {
            if (labels != null) o.sets.add("data.labels=" + labels);
            if (crfRounds != null) o.sets.add("maskdistill.crf_rounds=" + crfRounds);
            RunConfig run = o.load(List.of("data", "clustering", "maskdistill", "val", "maskrcnn"));
            DataConfig data = TrainOptions.distillData(run);
            ClusteringConfig clustering = run.section("clustering", ClusteringConfig.official(), ClusteringConfig.class);
            MaskDistillConfig cfg = run.section("maskdistill", MaskDistillConfig.official(), MaskDistillConfig.class);
            ValConfig val = run.section("val", ValConfig.none(), ValConfig.class);
            MaskRcnnConfig maskrcnn = run.section("maskrcnn", MaskRcnnConfig.official(), MaskRcnnConfig.class);
            Map<String, Object> effective = new LinkedHashMap<>();
            effective.put("data", data);
            effective.put("clustering", clustering);
            effective.put("maskdistill", cfg);
            effective.put("val", val);
            if (cfg.usesDetector()) effective.put("maskrcnn", maskrcnn);
            MaskDistillRun.run(new MaskDistillRun.Options(data, clustering, cfg, val, maskrcnn, o.out, o.mode(), o.strict, pseudoOnly,
                    TrainOptions.effective(effective)), console.listener("train"));
            return 0;
        }
    }

    @Command(name = "maskrcnn", description = {"MaskDistill's Mask R-CNN stage (docs/methods.md §3.3-3.4): the prior's masks in data.masks are "
            + "clustered by the CLS token of a DINO ViT over each mask's box (OUT/clusters/clusters.json), written as a COCO training set "
            + "(OUT/instances.json: one annotation per mask, category = its cluster) and detectron2's R50-C4 Mask R-CNN is trained on it "
            + "(maskrcnn: section; configs/maskdistill/maskrcnn_voc.yml mirrors §3.4). Writes OUT/checkpoint.safetensors every "
            + "checkpoint_period iterations (atomically; --resume reuses the clusters and the training set and continues to the same "
            + "weights as an uninterrupted run), OUT/model.safetensors (detectron2's names; 'maskseg detect --model' reads it), "
            + "OUT/config.yml, OUT/metrics.csv and OUT/metrics.json."})
    static final class MaskRcnn implements Callable<Integer> {
        @Mixin
        TrainOptions o = new TrainOptions();

        @Mixin
        ConsoleOutput console = new ConsoleOutput();

        @Override
        public Integer call() throws Exception {
            RunConfig run = o.load(List.of("data", "clustering", "maskdistill", "maskrcnn"));
            DataConfig data = TrainOptions.data(run);
            ClusteringConfig clustering = run.section("clustering", ClusteringConfig.official(), ClusteringConfig.class);
            MaskDistillConfig distill = run.section("maskdistill", MaskDistillConfig.official(), MaskDistillConfig.class);
            MaskRcnnConfig cfg = run.section("maskrcnn", MaskRcnnConfig.official(), MaskRcnnConfig.class);
            Map<String, Object> effective = new LinkedHashMap<>();
            effective.put("data", data);
            effective.put("clustering", clustering);
            effective.put("maskdistill", distill);
            effective.put("maskrcnn", cfg);
            MaskRcnnRun.run(new MaskRcnnRun.Options(data, clustering, distill, cfg, o.out, o.mode(), o.strict, TrainOptions.effective(effective)),
                    console.listener("train"));
            return 0;
        }
    }
}
